import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalKey, inCanonicalOrder } from '../suites/canonical-order.js';

const named = (nameProperty: string) => ({ nameProperty, volatileProperties: ['state'] });

describe('inCanonicalOrder', () => {
  test('orders by name, then configurationId, then the other stable properties, then id', () => {
    const items = [
      { id: 'c', extensionNumber: '101', configurationId: '2' },
      { id: 'b', extensionNumber: '100', configurationId: '9' },
      { id: 'a', extensionNumber: '101', configurationId: '2' },
      { id: 'd', extensionNumber: '101', configurationId: '1' },
    ];
    expect(inCanonicalOrder(named('extensionNumber'), items).map((item) => item.id)).toEqual(['b', 'd', 'a', 'c']);
    // Without a name or configurationId (agents), the stable properties come before the UUID, which a restart renews.
    const agents = [{ id: 'a', name: 'zed', state: 'BUSY' }, { id: 'b', name: 'amy', state: 'NOT_INUSE' }];
    expect(inCanonicalOrder({ volatileProperties: ['state'] }, agents).map((item) => item.id)).toEqual(['b', 'a']);
  });

  test('gives the same order whatever order the items were listed in', () => {
    const item = fc.record({ id: fc.uuid(), name: fc.string({ maxLength: 3 }), configurationId: fc.constantFrom('1', '2') });
    fc.assert(
      fc.property(fc.uniqueArray(item, { selector: (i) => i.id, maxLength: 12 }).chain((items) => fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length }))), ([items, shuffled]) => {
        expect(inCanonicalOrder(named('name'), shuffled)).toEqual(inCanonicalOrder(named('name'), items));
      }),
    );
  });

  test('sorts as the canonical keys do (their stable part written only on a tie)', () => {
    const item = fc.record(
      { id: fc.constantFrom('a', 'b', 'c'), name: fc.constantFrom('x', 'y'), configurationId: fc.constantFrom('1', 2), state: fc.string({ maxLength: 1 }), extra: fc.jsonValue({ maxDepth: 1 }) },
      { requiredKeys: ['id'] },
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 10 }), fc.constantFrom('name', undefined), (items, nameProperty) => {
        const resource = { nameProperty, volatileProperties: ['state'] };
        const byKeys = items
          .map((listed, index) => ({ listed, index, key: canonicalKey(resource, listed) }))
          .sort((a, b) => compareParts(a.key, b.key) || a.index - b.index)
          .map(({ listed }) => listed);
        expect(inCanonicalOrder(resource, items)).toEqual(byKeys);
      }),
      { numRuns: 1000 },
    );
  });
});

function compareParts(left: string[], right: string[]): number {
  for (let index = 0; index < left.length; index += 1) if (left[index] !== right[index]) return left[index] < right[index] ? -1 : 1;
  return 0;
}
