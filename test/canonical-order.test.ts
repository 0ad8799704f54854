import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalOrder } from '../suites/canonical-order.js';

describe('canonicalOrder', () => {
  test('orders by name, then configurationId, then id', () => {
    const items = [
      { id: 'c', extensionNumber: '101', configurationId: '2' },
      { id: 'b', extensionNumber: '100', configurationId: '9' },
      { id: 'a', extensionNumber: '101', configurationId: '2' },
      { id: 'd', extensionNumber: '101', configurationId: '1' },
    ];
    expect(canonicalOrder(items, 'extensionNumber').map((item) => item.id)).toEqual(['b', 'd', 'a', 'c']);
  });

  test('gives the same order whatever order the items were listed in', () => {
    const item = fc.record({ id: fc.uuid(), name: fc.string({ maxLength: 3 }), configurationId: fc.constantFrom('1', '2') });
    fc.assert(
      fc.property(fc.uniqueArray(item, { selector: (i) => i.id, maxLength: 12 }).chain((items) => fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length }))), ([items, shuffled]) => {
        expect(canonicalOrder(shuffled, 'name')).toEqual(canonicalOrder(items, 'name'));
      }),
    );
  });
});
