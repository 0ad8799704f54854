/**
 * The arena state's copies and comparison, against their plain definitions: a copy equals a structuredClone of
 * every item and shares nothing with its source; a merge is the base with the update's paths in their place; a
 * path has changed exactly when its members, in id order, written as canonical JSON, differ; an overlay reads as a
 * merge; the listing index answers as listingsOf.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { changedPaths, cloneState, listingIndex, listingsOf, mergeStates, overlaidStates, type ArenaState, type Item } from '../suites/actions/arena-state.js';
import { canonicalJson } from '../suites/compare.js';

// JSON items, as bodies parse: a few keys that collide across items, values of any JSON shape.
const item = fc
  .dictionary(fc.constantFrom('id', 'name', 'paused', '1', 'nested'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
  .map((value) => JSON.parse(JSON.stringify(value)) as Item);
const state = fc
  .record({
    collections: fc.array(fc.tuple(fc.constantFrom('/a', '/b', '/c'), fc.array(fc.tuple(fc.constantFrom('x', 'y', 'z', 'x,y'), item), { maxLength: 3 })), { maxLength: 3 }),
    singletons: fc.array(fc.tuple(fc.constantFrom('/s', '/t'), item), { maxLength: 2 }),
  })
  .map((raw): ArenaState => ({ collections: new Map(raw.collections.map(([path, members]) => [path, new Map(members)])), singletons: new Map(raw.singletons) }));

const entries = (s: ArenaState) => [[...s.collections].map(([path, members]) => [path, [...members]]), [...s.singletons]];

function plainMerge(base: ArenaState, update: ArenaState): ArenaState {
  const merged: ArenaState = { collections: new Map(base.collections), singletons: new Map(base.singletons) };
  for (const [path, members] of update.collections) merged.collections.set(path, members);
  for (const [path, value] of update.singletons) merged.singletons.set(path, value);
  return structuredClone(merged);
}

function plainChangedPaths(a: ArenaState, b: ArenaState): string[] {
  const text = (members: Map<string, Item>) => canonicalJson([...members].sort(([x], [y]) => (x < y ? -1 : 1)));
  return [
    ...[...a.collections].filter(([path, members]) => b.collections.has(path) && text(members) !== text(b.collections.get(path)!)).map(([path]) => path),
    ...[...a.singletons].filter(([path, value]) => b.singletons.has(path) && canonicalJson(value) !== canonicalJson(b.singletons.get(path))).map(([path]) => path),
  ];
}

function sharesAnObject(copy: ArenaState, source: ArenaState): boolean {
  const seen = new Set<unknown>();
  const walk = (value: unknown, into: (v: object) => void) => {
    if (value === null || typeof value !== 'object') return;
    into(value);
    for (const child of value instanceof Map ? value.values() : Object.values(value)) walk(child, into);
  };
  walk(source.collections, (v) => seen.add(v));
  walk(source.singletons, (v) => seen.add(v));
  let shared = false;
  walk(copy.collections, (v) => (shared ||= seen.has(v)));
  walk(copy.singletons, (v) => (shared ||= seen.has(v)));
  return shared;
}

describe('arena state', () => {
  test('cloneState and mergeStates give deep copies equal to their plain definitions', () => {
    fc.assert(
      fc.property(state, state, (base, update) => {
        const copy = cloneState(base);
        expect(entries(copy)).toEqual(entries(structuredClone(base)));
        expect(sharesAnObject(copy, base)).toBe(false);
        const merged = mergeStates(base, update);
        expect(entries(merged)).toEqual(entries(plainMerge(base, update)));
        expect(sharesAnObject(merged, base) || sharesAnObject(merged, update)).toBe(false);
      }),
      { seed: 1, numRuns: 2000 },
    );
  });

  test('overlaidStates reads as mergeStates does; listingIndex lists each id where listingsOf does', () => {
    fc.assert(
      fc.property(state, state, (base, update) => {
        expect(entries(overlaidStates(base, update))).toEqual(entries(mergeStates(base, update)));
        const index = listingIndex(base);
        for (const id of ['x', 'y', 'z', 'x,y']) expect(index.get(id) ?? []).toEqual(listingsOf(base, id));
      }),
      { seed: 1, numRuns: 2000 },
    );
  });

  test('changedPaths names exactly the shared paths whose content differs', () => {
    fc.assert(
      fc.property(state, state, (a, b) => {
        expect(changedPaths(a, b)).toEqual(plainChangedPaths(a, b));
        const merged = mergeStates(a, b);
        expect(changedPaths(a, merged)).toEqual(plainChangedPaths(a, merged));
        expect(changedPaths(a, cloneState(a))).toEqual([]);
      }),
      { seed: 1, numRuns: 2000 },
    );
  });
});
