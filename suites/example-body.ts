/**
 * Request bodies built from an action's request schema: one that the schema accepts (its required properties
 * with plain values) and ones that it does not. Used where only the server's handling of a body matters, never
 * to change state: the checks that send them aim at unknown instances.
 */
import type { JsonSchema } from '../contracts/resource-model.js';

function firstType(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return (type as string[]).find((t) => t !== 'null') ?? (type as string[])[0];
  return typeof type === 'string' ? type : schema.properties ? 'object' : undefined;
}

/** A schema with its allOf parts folded in (the contract may write `{ allOf: [StatusType] }`). */
function folded(schema: JsonSchema): JsonSchema {
  const parts = (schema.allOf ?? []) as JsonSchema[];
  return parts.reduce<JsonSchema>((merged, part) => ({ ...folded(part), ...merged }), { ...schema, allOf: undefined });
}

/** A value that `schema` accepts: its const, default, first enum value, or a plain value of its type. */
export function exampleValue(original: JsonSchema | undefined): unknown {
  if (!original) return {};
  const schema = folded(original);
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const alternatives = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (alternatives?.length) return exampleValue(alternatives[0]);
  switch (firstType(schema)) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = (schema.required ?? []) as string[];
      return Object.fromEntries(required.map((key) => [key, exampleValue(properties[key])]));
    }
    case 'array':
      return [];
    case 'string':
      return '1'.repeat(Math.max(1, Number(schema.minLength ?? 1)));
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? Math.max(schema.minimum, 0) : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** One request body of an action and what it is, for messages. */
export interface ExampleBody {
  label: string;
  /** A JSON value (sent serialised), or a string sent as it is. */
  body: unknown;
}

/**
 * Bodies for an action with request schema `schema`: a valid one, one that is not JSON, and one of the wrong
 * JSON type (an array where an object is expected).
 */
export function actionBodies(schema: JsonSchema | undefined): ExampleBody[] {
  return [
    { label: schema ? 'a valid body' : 'no body', body: schema ? exampleValue(schema) : undefined },
    { label: 'a body that is not JSON', body: '{"unterminated' },
    { label: 'a JSON array as body', body: [] },
  ];
}
