/**
 * How two representations of one instance are compared: identity properties strictly, volatile ones not at all.
 */
import type { ResourceType } from '../contracts/resource-model.js';

/** The definition of {@link canonicalJson}: JSON.stringify, each object written again with its keys sorted. */
function canonicalJsonByReplacer(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.keys(item).sort().map((key) => [key, (item as Record<string, unknown>)[key]]))
      : item,
  );
}

/** A value that JSON would leave out of an object (and write `null` for in an array). */
function omittedByJson(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** An array index as a property key ("0", "12"): an object lists such keys first, in numeric order. */
function isArrayIndexKey(key: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * The keys of `object` in the order the definition writes them: sorted, except that the object it builds lists
 * array-index keys first, in numeric order, as every object does.
 */
function canonicalKeyOrder(object: object): string[] {
  const keys = Object.keys(object).sort();
  if (!keys.some(isArrayIndexKey)) return keys;
  const indexes = keys.filter(isArrayIndexKey).sort((a, b) => Number(a) - Number(b));
  return [...indexes, ...keys.filter((key) => !isArrayIndexKey(key))];
}

/**
 * The text of a JSON tree (plain objects, arrays, strings, numbers, booleans, null), written by hand; undefined
 * for anything else (a Date, a Map, a toJSON, a bigint), which the definition must write.
 */
function canonicalJsonOfTree(value: unknown): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const element of value) {
      const part = omittedByJson(element) ? 'null' : canonicalJsonOfTree(element);
      if (part === undefined) return undefined;
      parts.push(part);
    }
    return `[${parts.join(',')}]`;
  }
  if (!isPlainObject(value) || 'toJSON' in value) return undefined;
  const parts: string[] = [];
  for (const key of canonicalKeyOrder(value)) {
    const property = (value as Record<string, unknown>)[key];
    if (omittedByJson(property)) continue;
    const part = canonicalJsonOfTree(property);
    if (part === undefined) return undefined;
    parts.push(`${JSON.stringify(key)}:${part}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * JSON with object keys sorted, so that equal values give equal text. The checker writes every listed item this
 * way (its sort key, its comparisons), so a JSON tree is written by hand, several times faster than the
 * definition's replacer, which builds a sorted copy of every object; the text is the same.
 */
export function canonicalJson(value: unknown): string {
  return canonicalJsonOfTree(value) ?? canonicalJsonByReplacer(value);
}

/** Whether two JSON trees are equal, key order aside; false (not known) for anything else. */
function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((element, index) => sameTree(element, b[index]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && sameTree((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * Whether two values have the same canonical JSON. Equal trees are told without writing them out (most compared
 * values are equal: a look compared with the one before); any other pair is written, so the answer is exactly
 * `canonicalJson(a) === canonicalJson(b)`.
 */
export function sameCanonicalJson(a: unknown, b: unknown): boolean {
  return sameTree(a, b) || canonicalJson(a) === canonicalJson(b);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Identity properties whose values differ between `a` and `b`. */
export function identityDifferences(resource: ResourceType, a: unknown, b: unknown): string[] {
  const left = asRecord(a);
  const right = asRecord(b);
  return resource.identityProperties.filter((key) => !sameCanonicalJson(left[key], right[key]));
}

/**
 * The properties present on either side that `compared` keeps and whose values differ between `a` and `b`, sorted.
 * Written without a set of the union, and sorted only when something differs: it runs on every item of every
 * comparison of two reads, where most items are equal.
 */
export function differingProperties(a: Record<string, unknown>, b: Record<string, unknown>, compared: (key: string) => boolean): string[] {
  const leftKeys = Object.keys(a);
  const differing: string[] = [];
  for (const key of leftKeys) if (compared(key) && !sameCanonicalJson(a[key], b[key])) differing.push(key);
  for (const key of Object.keys(b)) if (!leftKeys.includes(key) && compared(key) && !sameCanonicalJson(a[key], b[key])) differing.push(key);
  return differing.length > 1 ? differing.sort() : differing;
}

/** Non-volatile properties (present on either side) whose values differ between `a` and `b`. */
export function stableDifferences(resource: ResourceType | undefined, a: unknown, b: unknown): string[] {
  const volatile = resource?.volatileProperties ?? [];
  return differingProperties(asRecord(a), asRecord(b), (key) => !volatile.includes(key));
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
