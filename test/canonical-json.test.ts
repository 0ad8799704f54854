/**
 * canonicalJson and sameCanonicalJson against their plain definitions: the text is JSON.stringify with each object
 * written again with its keys sorted (the checker's sort keys and seeds depend on this text, so it must not change),
 * and two values are the same exactly when their texts are.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson, sameCanonicalJson } from '../suites/compare.js';

function plainCanonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.keys(item).sort().map((key) => [key, (item as Record<string, unknown>)[key]]))
      : item,
  );
}

// JSON trees with keys that collide (array-index keys among them), and the odd values a body never holds.
const key = fc.oneof(fc.constantFrom('id', 'name', 'b', 'a', '1', '10', '2', '01', '4294967294', '4294967295', '-1'), fc.string({ maxLength: 3 }));
const odd = fc.constantFrom(undefined, NaN, -0, Infinity, new Date(0), new Map([[1, 2]]), { toJSON: () => 'x' }, Object.create(null) as object);
const { tree } = fc.letrec((of) => ({
  tree: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 0 }), odd, of('array'), of('object')),
  array: fc.array(of('tree'), { maxLength: 3 }),
  object: fc.dictionary(key, of('tree'), { maxKeys: 4 }),
}));

describe('canonical JSON', () => {
  test('canonicalJson writes what its definition writes', () => {
    fc.assert(
      fc.property(tree, (value) => {
        expect(canonicalJson(value)).toBe(plainCanonicalJson(value));
      }),
      { numRuns: 2000 },
    );
  });

  test('sameCanonicalJson is equality of the canonical texts', () => {
    fc.assert(
      fc.property(tree, tree, fc.boolean(), (a, b, copy) => {
        // Half the pairs are a value and its copy with keys reversed: equal trees must be told equal too.
        const other = copy ? reversedKeys(a) : b;
        expect(sameCanonicalJson(a, other)).toBe(plainCanonicalJson(a) === plainCanonicalJson(other));
      }),
      { numRuns: 2000 },
    );
  });
});

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.keys(value).reverse().map((name) => [name, reversedKeys((value as Record<string, unknown>)[name])]));
}
