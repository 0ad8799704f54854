/**
 * The bound on enumerating every instance: every instance up to the bound, a spread of exactly the bound above
 * it, every instance path represented, and the same choice every time.
 */
import { describe, expect, test } from 'vitest';
import { boundEnumeration, describeEnumeration } from '../suites/enumeration-bound.js';

function instances(template: string, count: number) {
  return Array.from({ length: count }, (_, index) => ({ node: { template }, index }));
}

describe('boundEnumeration', () => {
  test('keeps every instance, in the given order, when no instance path passes the bound', () => {
    const all = [...instances('/a/{a}', 3), ...instances('/b/{b}', 5)];
    const enumeration = boundEnumeration(all, 5);
    expect(enumeration.chosen).toEqual(all);
    expect(enumeration.boundedPaths).toEqual([]);
    expect(describeEnumeration(enumeration, 'instances')).toBe('8 instances');
  });

  test('keeps exactly the bound of a larger path, spread over it, and all of a smaller one', () => {
    const large = instances('/a/{a}', 1000);
    const small = instances('/b/{b}', 7);
    const enumeration = boundEnumeration([...small, ...large], 40);
    const chosenLarge = enumeration.chosen.filter((item) => item.node.template === '/a/{a}');
    expect(chosenLarge).toHaveLength(40);
    expect(enumeration.chosen.filter((item) => item.node.template === '/b/{b}')).toEqual(small);
    expect(enumeration.boundedPaths).toEqual(['/a/{a}']);
    // Evenly spread: the first is kept, and no gap is wider than the step.
    expect(chosenLarge[0].index).toBe(0);
    const gaps = chosenLarge.slice(1).map((item, at) => item.index - chosenLarge[at].index);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(25);
    expect(chosenLarge[chosenLarge.length - 1].index).toBeGreaterThanOrEqual(1000 - 25);
    expect(describeEnumeration(enumeration, 'instances')).toBe('47 of 1007 instances (at most 40 per instance path, spread evenly over the listing order, at /a/{a})');
  });

  test('chooses the same instances every time', () => {
    const all = instances('/a/{a}', 333);
    expect(boundEnumeration(all, 17).chosen).toEqual(boundEnumeration([...all], 17).chosen);
  });
});
