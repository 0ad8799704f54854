/**
 * How two representations of one instance are compared: identity properties strictly, volatile ones not at all.
 */
import type { ResourceType } from '../contracts/resource-model.js';

/** JSON with object keys sorted, so that equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.keys(item).sort().map((key) => [key, (item as Record<string, unknown>)[key]]))
      : item,
  );
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Identity properties whose values differ between `a` and `b`. */
export function identityDifferences(resource: ResourceType, a: unknown, b: unknown): string[] {
  const left = asRecord(a);
  const right = asRecord(b);
  return resource.identityProperties.filter((key) => canonicalJson(left[key]) !== canonicalJson(right[key]));
}

/** Non-volatile properties (present on either side) whose values differ between `a` and `b`. */
export function stableDifferences(resource: ResourceType | undefined, a: unknown, b: unknown): string[] {
  const left = asRecord(a);
  const right = asRecord(b);
  const volatile = new Set(resource?.volatileProperties ?? []);
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].filter((key) => !volatile.has(key));
  return keys.filter((key) => canonicalJson(left[key]) !== canonicalJson(right[key])).sort();
}

/** `displayName: "A" ≠ "B"`: a short account of differing properties. */
export function describeDifferences(keys: string[], a: unknown, b: unknown): string {
  const left = asRecord(a);
  const right = asRecord(b);
  return keys.map((key) => `${key}: ${JSON.stringify(left[key])} ≠ ${JSON.stringify(right[key])}`).join('; ');
}

/** The id of a JSON body, when it has a string one. */
export function bodyId(body: unknown): string | undefined {
  const id = asRecord(body).id;
  return typeof id === 'string' ? id : undefined;
}
