/**
 * The bound on a rule that reads every discovered instance once per run (ADDR-UUID, ADDR-NAME, ADDR-MIXED's
 * namesakes). Up to the bound, every instance of an instance path is read; above it (a very large server), as many
 * as the bound, spread evenly over the canonical order, so every instance path (every collection under every kind
 * of parent) is still read, and the run's time does not grow with the size of the data set. The rule's note says
 * how many of how many were read.
 */
import type { PathNode } from '../contracts/resource-model.js';

/** At most this many instances of one instance path are enumerated; every instance at small and medium sizes. */
export const ENUMERATION_BOUND_PER_PATH = 200;

/** The instances a rule enumerates, and what the bound left out. */
export interface BoundedEnumeration<T> {
  chosen: T[];
  /** How many there were before the bound. */
  total: number;
  /** The instance paths that had more instances than the bound. */
  boundedPaths: string[];
  bound: number;
}

/**
 * Every instance of each instance path up to `bound`; above it, `bound` of them at even steps through the path's
 * instances in their given (canonical) order. The choice depends on the instances alone, not on the seed or timing.
 */
export function boundEnumeration<T extends { node: Pick<PathNode, 'template'> }>(instances: readonly T[], bound = ENUMERATION_BOUND_PER_PATH): BoundedEnumeration<T> {
  const byTemplate = new Map<string, T[]>();
  for (const instance of instances) {
    const group = byTemplate.get(instance.node.template) ?? [];
    group.push(instance);
    byTemplate.set(instance.node.template, group);
  }
  const keep = new Set<T>();
  const boundedPaths: string[] = [];
  for (const [template, group] of byTemplate) {
    if (group.length <= bound) {
      for (const instance of group) keep.add(instance);
      continue;
    }
    boundedPaths.push(template);
    for (let step = 0; step < bound; step += 1) keep.add(group[Math.floor((step * group.length) / bound)]);
  }
  // In the given order, across paths too: the enumeration reads them as it did without the bound.
  return { chosen: instances.filter((instance) => keep.has(instance)), total: instances.length, boundedPaths, bound };
}

/** The words a rule's note uses for its enumeration: all of them, or how many of how many and why. */
export function describeEnumeration(enumeration: BoundedEnumeration<unknown>, what: string): string {
  if (enumeration.boundedPaths.length === 0) return `${enumeration.total} ${what}`;
  return (
    `${enumeration.chosen.length} of ${enumeration.total} ${what} (at most ${enumeration.bound} per instance path, spread evenly over ` +
    `the listing order, at ${enumeration.boundedPaths.join(', ')})`
  );
}
