/**
 * The one order the checker puts what a target lists in: by symbolic name, then configuration id, then the other
 * properties that do not change on their own (an agent's name: agents have neither), then UUID.
 * A server may list a collection in any order, a different one on every read (LIVE-API.md §5); whatever the
 * checker draws from a listing (an instance to act on, the order of reads, the cases of a seed) must not depend
 * on it, or one seed would generate other cases, and --replay miss its case, on such a server.
 */
import type { ResourceType } from '../contracts/resource-model.js';
import { canonicalJson } from './compare.js';

type Listed = Record<string, unknown>;

function text(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

type Ordered = Pick<ResourceType, 'nameProperty' | 'volatileProperties'>;

/**
 * The sort key of a listed item of `resource`. The UUID comes last: a restart renews it, and a replay after one
 * should meet the same instances in the same order where anything else tells them apart.
 */
export function canonicalKey(resource: Ordered | undefined, item: Listed): string[] {
  const volatile = new Set(resource?.volatileProperties ?? []);
  const stable = Object.fromEntries(Object.entries(item).filter(([key]) => key !== 'id' && !volatile.has(key)));
  return [resource?.nameProperty ? text(item[resource.nameProperty]) : '', text(item.configurationId), canonicalJson(stable), text(item.id)];
}

/** Compares two sort keys (code-unit order, not locale order: the same everywhere). */
function compareKeys(left: string[], right: string[]): number {
  for (let index = 0; index < left.length; index += 1) {
    if (left[index] !== right[index]) return left[index] < right[index] ? -1 : 1;
  }
  return 0;
}

/** Compares two listed items of `resource` in the canonical order. */
export function compareListed(resource: Ordered | undefined, a: Listed, b: Listed): number {
  return compareKeys(canonicalKey(resource, a), canonicalKey(resource, b));
}

/**
 * One item's {@link canonicalKey}, made once per item (not once per comparison), and its third part, the item's
 * stable properties written as canonical JSON, only when two items tie on the first two: on a large listing most
 * items differ by name, and writing each one out was most of the cost of reading the arena.
 */
class LazyKey<T extends Listed> {
  private stableText?: string;
  readonly name: string;
  readonly configurationId: string;
  readonly id: string;

  constructor(
    readonly item: T,
    private readonly resource: Ordered | undefined,
    private readonly volatile: ReadonlySet<string>,
  ) {
    this.name = resource?.nameProperty ? text(item[resource.nameProperty]) : '';
    this.configurationId = text(item.configurationId);
    this.id = text(item.id);
  }

  get stable(): string {
    this.stableText ??= canonicalJson(Object.fromEntries(Object.entries(this.item).filter(([key]) => key !== 'id' && !this.volatile.has(key))));
    return this.stableText;
  }

  /** The parts in the order they are compared: the same as canonicalKey's. */
  part(index: number): string {
    return index === 0 ? this.name : index === 1 ? this.configurationId : index === 2 ? this.stable : this.id;
  }
}

function compareLazyKeys<T extends Listed>(left: LazyKey<T>, right: LazyKey<T>): number {
  for (let index = 0; index < 4; index += 1) {
    const a = left.part(index);
    const b = right.part(index);
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** `items` in the canonical order (a new array): sorted by {@link canonicalKey}. */
export function inCanonicalOrder<T extends Listed>(resource: Ordered | undefined, items: readonly T[]): T[] {
  const volatile = new Set(resource?.volatileProperties ?? []);
  const keyed = items.map((item) => new LazyKey(item, resource, volatile));
  return keyed.sort(compareLazyKeys).map(({ item }) => item);
}
