/**
 * Whether a body fits its action: the request schema (LIVE-API.md, "Details of the bodies"), and the values a
 * server may store or refuse as it likes because LIVE-API.md writes no range for them (§5).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../../contracts/resource-model.js';
import { bodyObject, type ActionInvocation } from './invocation.js';

const ajv = new Ajv2020({ strict: false, allErrors: false });
const validators = new WeakMap<JsonSchema, ReturnType<typeof ajv.compile>>();

/** Why the body breaks the action's request schema (LIVE-API.md, "Details of the bodies"), or undefined. */
export function bodyProblem(invocation: ActionInvocation): string | undefined {
  const { action, body } = invocation;
  const schema = action.requestSchema;
  if (!schema) {
    if (body?.kind !== 'text' || body.text.trim() === '') return undefined;
    try {
      JSON.parse(body.text);
      return undefined;
    } catch {
      return 'the body is not JSON';
    }
  }
  if (!body) return action.requestBodyRequired ? 'the body is missing' : undefined;
  if (body.kind === 'text') return 'the body is not JSON';
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  if (validate(body.value)) return undefined;
  const error = validate.errors![0];
  return `the body ${error.instancePath ? `property ${error.instancePath.slice(1)} ` : ''}${error.message ?? 'is invalid'}`;
}

/**
 * A value of the body that LIVE-API.md writes no range for and that a server may therefore store or refuse with
 * 412 (§5: an empty `name` or `note`, a `returnTime` below -1, an empty `destination`): an empty string, or a
 * negative number where the property's schema writes no minimum and gives no such example (-1, "none", is one).
 * The checker's own bodies hold none; a body that puts back what the target showed before (an undo) may.
 */
export function unrangedValue(invocation: ActionInvocation): string | undefined {
  const schema = invocation.action.requestSchema;
  const body = bodyObject(invocation);
  if (!schema || !body) return undefined;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, value] of Object.entries(body)) {
    const property = properties[name];
    if (!property) continue;
    const examples = Array.isArray(property.examples) ? (property.examples as unknown[]) : [];
    if (value === '') return `"${name}" is empty`;
    if (typeof value === 'number' && value < 0 && typeof property.minimum !== 'number' && !examples.includes(value)) return `"${name}" is ${value}`;
  }
  return undefined;
}
