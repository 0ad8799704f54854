/**
 * Properties of the checker's pure helpers, with @fast-check/vitest: shell quoting survives a real shell,
 * addressing combinations are exactly 2^j, canonical JSON ignores key order, selectors match families.
 */
import { execFileSync } from 'node:child_process';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { buildPath, type PathNodeBase, type ResourceType } from '../contracts/resource-model.js';
import { allAddressingForms } from '../suites/arbitraries/addressing-forms.js';
import { canonicalJson, differingProperties, stableDifferences } from '../suites/compare.js';
import { curlLine, shellQuote } from '../suites/finding.js';
import { matchesSelector } from '../reporters/vocabulary/rules.js';
import { sample, seededRandom } from '../suites/seeded-random.js';
import { workerOldGenerationMib } from '../suites/runner/bounded-threads-pool.js';
import type { Exchange } from '../suites/target-client.js';

const resource = { name: 'R', schema: {}, identityProperties: ['id'], volatileProperties: ['state'], uuidProperties: ['id'], provenance: 'doc' } as ResourceType;

/** A node with `levels` instance levels, `named` of which (the first ones) can be addressed by name. */
function node(levels: number, named: number): PathNodeBase {
  return {
    template: '/t',
    pointer: '#/paths/~1t',
    provenance: 'doc',
    methods: ['get'],
    segments: Array.from({ length: levels }, (_, index) => [
      { kind: 'literal' as const, text: `c${index}` },
      { kind: 'instance' as const, parameter: `p${index}`, resource, nameProperty: index < named ? 'name' : undefined, provenance: 'doc' as const },
    ]).flat(),
  };
}

describe('shellQuote', () => {
  // Characters a shell treats specially, and some that are merely unusual; NUL cannot be in an argument at all.
  const shellCharacter = fc.oneof(fc.constantFrom(...`'"\\$\`!*?[]{}()<>|&;# ~\n\té日`), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }));
  test.prop([fc.string({ unit: shellCharacter, maxLength: 40 })], { numRuns: 40 })('a quoted word reaches the program unchanged through sh', (word) => {
    const echoed = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(word)}`], { encoding: 'utf8' });
    expect(echoed).toBe(word);
  });

  test('a curl line never holds credentials, only the variables', () => {
    const exchange = { method: 'POST', path: '/x', url: "http://h/x?a='b'", auth: 'valid', requestBody: '{"note":"it\'s"}', status: 204, headers: {}, bodyText: '', truncated: false, durationMs: 1 } as Exchange;
    expect(curlLine(exchange)).toBe(`curl -sS -i -u "$ISYM_USER:$ISYM_PASSWORD" -X POST -H 'Content-Type: application/json' --data-raw '{"note":"it'\\''s"}' 'http://h/x?a='\\''b'\\'''`);
  });
});

describe('allAddressingForms', () => {
  test.prop([fc.integer({ min: 1, max: 5 }).chain((levels) => fc.tuple(fc.constant(levels), fc.integer({ min: 0, max: levels })))])(
    'gives 2^j distinct combinations for j name-capable levels, the all-UUID one first',
    ([levels, named]) => {
      const refs = Array.from({ length: levels }, (_, index) => ({ id: `id${index}`, name: `n ${index}` }));
      const combinations = allAddressingForms(node(levels, named), refs);
      expect(combinations).toHaveLength(2 ** named);
      expect(new Set(combinations.map((c) => c.join('/'))).size).toBe(2 ** named);
      expect(combinations[0].every((form) => form === 'uuid')).toBe(true);
      for (const forms of combinations) expect(() => buildPath(node(levels, named), refs, forms)).not.toThrow();
    },
  );
});

describe('canonicalJson and stableDifferences', () => {
  test.prop([fc.dictionary(fc.string(), fc.jsonValue())])('key order does not matter', (value) => {
    const reversed = Object.fromEntries(Object.entries(value).reverse());
    expect(canonicalJson(reversed)).toBe(canonicalJson(value));
  });

  test.prop([fc.jsonValue(), fc.jsonValue(), fc.jsonValue()])('volatile properties are never compared, others always', (state1, state2, other) => {
    expect(stableDifferences(resource, { id: 'a', state: state1 }, { id: 'a', state: state2 })).toEqual([]);
    const differs = canonicalJson(other) !== canonicalJson('x');
    expect(stableDifferences(resource, { id: 'a', other }, { id: 'a', other: 'x' })).toEqual(differs ? ['other'] : []);
  });

  // Keys drawn from a few names, so that the two sides share some and not others.
  const smallRecord = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'id', 'state'), fc.jsonValue({ maxDepth: 2 }));
  test.prop([smallRecord, smallRecord, fc.subarray(['a', 'b', 'c', 'd', 'e', 'id', 'state'])])('differingProperties is its plain definition', (a, b, skipped) => {
    const compared = (key: string) => !skipped.includes(key);
    const plain = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(compared).sort().filter((key) => canonicalJson(a[key]) !== canonicalJson(b[key]));
    expect(differingProperties(a, b, compared)).toEqual(plain);
  });
});

describe('matchesSelector', () => {
  test('an id or a family prefix selects, a partial word does not', () => {
    expect(matchesSelector('ADDR-NAME', ['ADDR'])).toBe(true);
    expect(matchesSelector('ADDR-NAME', ['addr-name'])).toBe(true);
    expect(matchesSelector('ADDR-NAME', ['ADD'])).toBe(false);
    expect(matchesSelector('ACT-EFFECT', ['ADDR', 'SCHEMA-RESPONSE'])).toBe(false);
    expect(matchesSelector('RESTART-NEW-UUIDS', ['RESTART-NEW'])).toBe(true);
  });
});

describe('sample', () => {
  test.prop([fc.array(fc.integer(), { maxLength: 50 }), fc.nat(60), fc.integer()])('takes min(count, n) distinct items in order, the same for the same seed', (items, count, seed) => {
    const indexed = items.map((value, index) => ({ value, index }));
    const taken = sample(indexed, count, seededRandom(seed));
    expect(taken).toHaveLength(Math.min(count, items.length));
    expect(taken.map((t) => t.index)).toEqual([...taken.map((t) => t.index)].sort((a, b) => a - b));
    expect(sample(indexed, count, seededRandom(seed))).toEqual(taken);
  });
});

describe('workerOldGenerationMib', () => {
  test('is 256 MiB unless ISYM_WORKER_HEAP_MIB asks for more; a smaller or unreadable value is ignored', () => {
    expect(workerOldGenerationMib({})).toBe(256);
    expect(workerOldGenerationMib({ ISYM_WORKER_HEAP_MIB: '1024' })).toBe(1024);
    expect(workerOldGenerationMib({ ISYM_WORKER_HEAP_MIB: '64' })).toBe(256);
    expect(workerOldGenerationMib({ ISYM_WORKER_HEAP_MIB: 'lots' })).toBe(256);
  });
});
