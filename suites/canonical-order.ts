/**
 * The one order the checker puts what a target lists in: by symbolic name, then configuration id, then UUID.
 * A server may list a collection in any order, a different one on every read (LIVE-API.md §5); whatever the
 * checker draws from a listing (an instance to act on, the order of reads, the cases of a seed) must not depend
 * on it, or one seed would generate other cases, and --replay miss its case, on such a server.
 */
import type { ResourceType } from '../contracts/resource-model.js';

type Listed = Record<string, unknown>;

function text(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** The sort key of a listed item of `resource`. */
export function canonicalKey(resource: Pick<ResourceType, 'nameProperty'> | undefined, item: Listed): string[] {
  return [resource?.nameProperty ? text(item[resource.nameProperty]) : '', text(item.configurationId), text(item.id)];
}

/** Compares two listed items of `resource` in the canonical order (code-unit order, not locale order: the same everywhere). */
export function compareListed(resource: Pick<ResourceType, 'nameProperty'> | undefined, a: Listed, b: Listed): number {
  const left = canonicalKey(resource, a);
  const right = canonicalKey(resource, b);
  for (let index = 0; index < left.length; index += 1) {
    if (left[index] !== right[index]) return left[index] < right[index] ? -1 : 1;
  }
  return 0;
}

/** `items` in the canonical order (a new array). */
export function inCanonicalOrder<T extends Listed>(resource: Pick<ResourceType, 'nameProperty'> | undefined, items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareListed(resource, a, b));
}
