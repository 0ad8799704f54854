/** Validates a conformance.json against the schema the package ships. */
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import schema from '../../reporters/conformance-report.schema.json' with { type: 'json' };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
const validate = ajv.compile(schema);

/** The schema errors of the report at `file`, as short lines; empty when it conforms. */
export async function reportSchemaErrors(file: string): Promise<string[]> {
  const report: unknown = JSON.parse(await readFile(file, 'utf8'));
  return validate(report) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
