/**
 * Validation of 200 bodies against the contract's schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses), compiled
 * once per path node. `format: uuid` is left to ID-FORMAT, so that one wrong id is one finding of one rule.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema, PathNode } from '../contracts/resource-model.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** Compiles and caches one validator per path node. */
export class ResponseSchemas {
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<PathNode, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat('uuid', true);
  }

  /** The schema errors of `body` for the 200 response of `node`; empty when it conforms. */
  errors(node: PathNode & { responseSchema: JsonSchema }, body: unknown): ErrorObject[] {
    let validate = this.cache.get(node);
    if (!validate) {
      validate = this.ajv.compile(node.responseSchema);
      this.cache.set(node, validate);
    }
    return validate(body) ? [] : [...(validate.errors ?? [])];
  }
}

/** `/0/port must be integer`: ajv errors in one short line. */
export function describeSchemaErrors(errors: ErrorObject[]): string {
  return errors
    .slice(0, 5)
    .map((error) => `${error.instancePath || '(body)'} ${error.message ?? 'is invalid'}`)
    .join('; ');
}
