/**
 * Action bodies (LIVE-API.md, "Details of the bodies"): parsing, and typed reads of listed properties. A
 * missing required property, a wrong type (null included) or a value out of range is a 412.
 */

/** An answer other than success; a class, so that no parsed body can be mistaken for one. */
export class Failure {
  constructor(readonly status: number, readonly message: string) {}
}

export type JsonObject = Record<string, unknown>;

export function failure(status: number, message: string): Failure {
  return new Failure(status, message);
}

export function isFailure(value: unknown): value is Failure {
  return value instanceof Failure;
}

/** How an action treats its body: 'object' requires a JSON object; 'none' ignores any JSON (or nothing). */
export type BodyKind = 'object' | 'none';

/**
 * Parse a request body. An action without a body accepts an empty body or any JSON; an action with one needs a
 * JSON object. `invalidJsonStatus` is what text that is not JSON answers (412, or 500 for a fault).
 */
export function parseBody(text: string, kind: BodyKind, invalidJsonStatus: number): JsonObject | Failure {
  const trimmed = text.trim();
  if (trimmed === '') return kind === 'none' ? {} : failure(412, 'a JSON object body is required');
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return failure(invalidJsonStatus, 'the body is not valid JSON');
  }
  if (kind === 'none') return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return failure(412, 'the body must be a JSON object');
  return value as JsonObject;
}

const has = (body: JsonObject, key: string) => Object.hasOwn(body, key);

export function requiredString(body: JsonObject, key: string, minLength = 0): string | Failure {
  if (!has(body, key)) return failure(412, `missing property "${key}"`);
  return readString(body[key], key, minLength);
}

export function optionalString(body: JsonObject, key: string, minLength = 0): string | undefined | Failure {
  return has(body, key) ? readString(body[key], key, minLength) : undefined;
}

function readString(value: unknown, key: string, minLength: number): string | Failure {
  if (typeof value !== 'string') return failure(412, `"${key}" must be a string`);
  if (value.length < minLength) return failure(412, `"${key}" must not be empty`);
  return value;
}

export function requiredInteger(body: JsonObject, key: string, minimum: number): number | Failure {
  if (!has(body, key)) return failure(412, `missing property "${key}"`);
  return readInteger(body[key], key, minimum);
}

export function optionalInteger(body: JsonObject, key: string, minimum: number): number | undefined | Failure {
  return has(body, key) ? readInteger(body[key], key, minimum) : undefined;
}

function readInteger(value: unknown, key: string, minimum: number): number | Failure {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return failure(412, `"${key}" must be an integer`);
  if (value < minimum) return failure(412, `"${key}" must be at least ${minimum}`);
  return value;
}

export function optionalBoolean(body: JsonObject, key: string): boolean | undefined | Failure {
  if (!has(body, key)) return undefined;
  const value = body[key];
  return typeof value === 'boolean' ? value : failure(412, `"${key}" must be a boolean`);
}

/** The first failure among already-read values, if any. */
export function firstFailure(...values: unknown[]): Failure | undefined {
  return values.find(isFailure);
}
