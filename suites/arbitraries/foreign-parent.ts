/**
 * Cases for ADDR-PARENT, built from the resource model and discovery: for every collection that hangs under a
 * parent, a parent of it (the "foreign" parent) and a source of real instances of the same resource listed elsewhere
 * (another parent's collection, or a wider collection such as a core server's call segments). The instances
 * themselves are taken from the source when the case runs, read fresh, so that live telephony (a call that ended
 * since discovery) does not waste cases; and so are the parent's own members. Also: the groups of parents that hold
 * one instance, for the positive side.
 */
import fc from 'fast-check';
import {
  buildPath, instanceSegments, type AddressingForm, type CollectionNode, type InstanceNode, type InstanceRef, type ResourceModel,
} from '../../contracts/resource-model.js';
import { requireAnswer } from '../check.js';
import type { CollectionListing, Discovery, DiscoveredInstance } from '../discovery.js';
import type { Exchange, TargetClient } from '../target-client.js';
import { addressingForms } from './addressing-forms.js';
import { inCanonicalOrder } from '../canonical-order.js';

/** A collection that hangs under a parent instance and whose items can be addressed. */
export type NestedCollection = CollectionNode & { parent: InstanceNode; item: InstanceNode };

/** A collection read during discovery whose items can be addressed: where real instances are taken from. */
export type InstanceSource = CollectionListing & { node: CollectionNode & { item: InstanceNode } };

/** One case: real instances taken from `source`, addressed in `collection` under `parent`. */
export interface ForeignParentCase {
  /** The collection the instances are addressed in, under the foreign parent. */
  collection: NestedCollection;
  /** The foreign parent: a discovered instance of `collection.parent`. */
  parent: DiscoveredInstance;
  /** Where the instances come from: a collection of the same resource under other parents. */
  source: InstanceSource;
  /**
   * Which of the source's members the parent does not list (index modulo their number, read fresh): one to three,
   * so that every kind of parent meets enough instances in a modest number of runs. Shrinks to `[0]`.
   */
  picks: number[];
}

/** The foreign-parent cases of one nested collection: each parent with the sources of instances it may not hold. */
export interface ForeignParentPool {
  collection: NestedCollection;
  pairs: ForeignParentPair[];
}

/** The last ref of an instance: the instance itself. */
export function ownRef(instance: DiscoveredInstance) {
  return instance.refs[instance.refs.length - 1];
}

/** Every collection of the model that has a parent and an item path. */
export function nestedCollections(model: ResourceModel): NestedCollection[] {
  return model.collections.filter((collection): collection is NestedCollection => collection.parent !== undefined && collection.item !== undefined);
}

function isSource(listing: CollectionListing): listing is InstanceSource {
  return listing.node.item !== undefined;
}

/** Whether `refs` begins with every ref of `prefix` (by id). */
function startsWith(refs: readonly { id: string }[], prefix: readonly { id: string }[]): boolean {
  return prefix.length <= refs.length && prefix.every((ref, index) => refs[index].id === ref.id);
}

/**
 * The sources of one nested collection, indexed by every ancestor they hang under, so that the sources outside one
 * parent's subtree are found without comparing every parent with every source.
 */
class SourcesOfCollection {
  private readonly byAncestor = new Map<string, InstanceSource[]>();

  constructor(readonly all: readonly InstanceSource[]) {
    for (const source of all) {
      for (const ref of new Set(source.parentRefs.map((parentRef) => parentRef.id))) {
        const under = this.byAncestor.get(ref);
        if (under) under.push(source);
        else this.byAncestor.set(ref, [source]);
      }
    }
  }

  /** The sources under `refs` (within that instance's subtree). */
  under(refs: readonly { id: string }[]): InstanceSource[] {
    return (this.byAncestor.get(refs[refs.length - 1].id) ?? []).filter((source) => startsWith(source.parentRefs, refs));
  }
}

/**
 * One parent of a nested collection, with the sources of instances it may not hold: those outside its subtree,
 * `nearby` (under its own top-level ancestor) or `farther`. They are worked out when asked for, in the order of the
 * collection's sources, and not kept: kept for every parent, they took memory in the product of parents and
 * sources (some 40 MiB on a target three hundred times the reference data set).
 */
export class ForeignParentPair {
  constructor(
    readonly parent: DiscoveredInstance,
    private readonly sources: SourcesOfCollection,
  ) {}

  /** The sources under the parent's top-level ancestor, and those under the parent itself (a part of them). */
  private subtrees(): { root: InstanceSource[]; own: InstanceSource[] } {
    return { root: this.sources.under(this.parent.refs.slice(0, 1)), own: this.sources.under(this.parent.refs) };
  }

  /** Sources under the parent's top-level ancestor, outside its own subtree. */
  get nearby(): InstanceSource[] {
    const { root, own } = this.subtrees();
    const nearby = new Set(root.filter((source) => !own.includes(source)));
    return this.sources.all.filter((source) => nearby.has(source));
  }

  /** Sources under another top-level ancestor (or under none). */
  get farther(): InstanceSource[] {
    const root = new Set(this.subtrees().root);
    return this.sources.all.filter((source) => !root.has(source));
  }

  hasNearby(): boolean {
    const { root, own } = this.subtrees();
    return root.length > own.length;
  }

  hasFarther(): boolean {
    return this.subtrees().root.length < this.sources.all.length;
  }

  /** Whether some source lies outside the parent's subtree. */
  hasForeignSources(): boolean {
    return this.hasNearby() || this.hasFarther();
  }
}

/**
 * The foreign-parent pools of every nested collection. `sourcesFor(collection)` gives the discovered listings whose
 * members may be addressed in it (by default: every listing of the same resource). A listing within the parent's own
 * subtree (the parent's own collection, or any collection under it) is left out: its members are the parent's. A
 * source under the parent's own top-level ancestor (the same core server) is "nearby": the leak a server is most
 * likely to have is within one core server.
 */
export function foreignParentPools(
  model: ResourceModel,
  discovery: Discovery,
  sourcesFor: (collection: NestedCollection) => readonly InstanceSource[] = (collection) =>
    discovery.listings.filter(isSource).filter((listing) => listing.node.resource.name === collection.resource.name),
): ForeignParentPool[] {
  return nestedCollections(model).flatMap((collection) => {
    const sources = new SourcesOfCollection(sourcesFor(collection).filter((source) => source.ids.length > 0));
    const pairs = discovery
      .of(collection.parent)
      .map((parent) => new ForeignParentPair(parent, sources))
      .filter((pair) => pair.hasForeignSources());
    return pairs.length > 0 ? [{ collection, pairs }] : [];
  });
}

/** The same collection under other parents only: its members' real paths take the same sub-paths (actions). */
export function sameCollectionSources(discovery: Discovery): (collection: NestedCollection) => InstanceSource[] {
  return (collection) => discovery.listings.filter(isSource).filter((listing) => listing.node === collection);
}

/** Nearby sources four times as often as farther ones, when both exist. */
function nearbyFirst(nearby: InstanceSource[], farther: InstanceSource[]): fc.Arbitrary<InstanceSource> {
  if (farther.length === 0) return fc.constantFrom(...nearby);
  if (nearby.length === 0) return fc.constantFrom(...farther);
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...nearby) }, { weight: 1, arbitrary: fc.constantFrom(...farther) });
}

/**
 * A foreign-parent case: a nested collection first (so that logins, with many parents, weigh as much as queues),
 * then a parent of it, then a source of instances and which of its members to try.
 */
export function foreignParentCase(pools: readonly ForeignParentPool[], maxPicks = 3): fc.Arbitrary<ForeignParentCase> {
  return fc.constantFrom(...pools).chain((pool) =>
    fc.constantFrom(...pool.pairs).chain((pair) =>
      fc
        .record({ source: nearbyFirst(pair.nearby, pair.farther), picks: fc.array(fc.nat({ max: 63 }), { minLength: 1, maxLength: maxPicks }) })
        .map(({ source, picks }): ForeignParentCase => ({ collection: pool.collection, parent: pair.parent, source, picks })),
    ),
  );
}

/**
 * The cases every run tries, whatever the seed: for each kind of parent (each nested collection), one parent with
 * a source of the same core server and one with a source elsewhere, three instances each. A fault at one kind of
 * parent is then met on every seed; the drawn cases add other parents and instances.
 */
export function foreignParentExamples(pools: readonly ForeignParentPool[]): ForeignParentCase[] {
  return pools.flatMap((pool) => {
    const near = pool.pairs.find((pair) => pair.hasNearby());
    const far = pool.pairs.find((pair) => pair.hasFarther());
    return [
      ...(near ? [{ collection: pool.collection, parent: near.parent, source: near.nearby[0], picks: [0, 1, 2] }] : []),
      ...(far ? [{ collection: pool.collection, parent: far.parent, source: far.farther[0], picks: [0, 1, 2] }] : []),
    ];
  });
}

/** A foreign-parent case with one pick, and one addressing-form wish per level of its path (kept where a name exists). */
export function foreignParentActionCase(pools: readonly ForeignParentPool[]): fc.Arbitrary<ForeignParentCase & { byName: boolean[] }> {
  return foreignParentCase(pools, 1).chain((fpCase) =>
    fc.array(fc.boolean(), { minLength: instanceSegments(fpCase.collection.item).length, maxLength: instanceSegments(fpCase.collection.item).length }).map((byName) => ({ ...fpCase, byName })),
  );
}

// Realising a case on the target: the parent's members and the instances are read fresh, right before the case is
// judged, so that "does not hold it" is what the target says now, not what it said during discovery.

/** A collection as read right now under one parent: its members, or undefined when it did not read as a list. */
export interface FreshListing {
  exchange: Exchange;
  items?: { ref: InstanceRef; item: Record<string, unknown> }[];
}

/** Reads `collection` under `parentRefs` (UUID form) and keeps its members with what identifies them. */
export async function readListing(client: TargetClient, collection: CollectionNode, parentRefs: InstanceRef[]): Promise<FreshListing> {
  const exchange = requireAnswer(await client.get(buildPath(collection, parentRefs)));
  if (exchange.status !== 200 || !Array.isArray(exchange.json)) return { exchange };
  const nameProperty = collection.resource.nameProperty;
  // Canonical order: what is drawn from it must not depend on the target's list order (LIVE-API.md §5).
  const listed = (exchange.json as unknown[]).filter((value): value is Record<string, unknown> => Boolean(value) && typeof value === 'object');
  const items = inCanonicalOrder(collection.resource, listed).flatMap((value) => {
    if (!value || typeof value !== 'object' || typeof (value as { id?: unknown }).id !== 'string') return [];
    const item = value as Record<string, unknown>;
    const ref: InstanceRef = { id: item.id as string };
    if (nameProperty && typeof item[nameProperty] === 'string') ref.name = item[nameProperty] as string;
    return [{ ref, item }];
  });
  return { exchange, items };
}

/** Whether the listing has a member with this id. */
export function lists(listing: FreshListing, id: string): boolean {
  return listing.items?.some(({ ref }) => ref.id === id) ?? false;
}

/** A real instance and a parent that does not hold it, both read fresh, with the reads that show it. */
export interface FreshPair {
  fpCase: ForeignParentCase;
  /** The instance, as its source lists it now. */
  instance: DiscoveredInstance;
  /** The source's read, which lists the instance. */
  sourceRead: Exchange;
  /** The parent's collection, read right before: it does not list the instance. */
  listing: Required<FreshListing>;
}

/**
 * Reads the parent's collection and the case's source, and gives the picked members of the source that the parent
 * does not list. A source that live telephony has emptied since discovery (an extension whose calls all ended) gives
 * way to the next of `alternatives`, at most two of them, so that the case is not wasted.
 */
export async function freshPairs(
  client: TargetClient,
  fpCase: ForeignParentCase,
  alternatives: readonly InstanceSource[],
  onHeld?: (count: number) => void,
): Promise<FreshPair[]> {
  const { collection, parent } = fpCase;
  const sources = [fpCase.source, ...alternatives.filter((source) => source !== fpCase.source).slice(0, 2)];
  // The parent's collection and the first source do not depend on each other: read together.
  const [listing, firstSourceListing] = await Promise.all([readListing(client, collection, parent.refs), readListing(client, sources[0].node, sources[0].parentRefs)]);
  if (!listing.items) return []; // an unreadable collection is ADDR-UUID's to report
  for (const [index, source] of sources.entries()) {
    const sourceListing = index === 0 ? firstSourceListing : await readListing(client, source.node, source.parentRefs);
    if (!sourceListing.items) continue;
    const foreign = sourceListing.items.filter(({ ref }) => !lists(listing, ref.id));
    onHeld?.(sourceListing.items.length - foreign.length);
    if (foreign.length === 0) continue;
    const picked = [...new Set(fpCase.picks.map((pick) => pick % foreign.length))].map((index) => foreign[index]);
    return picked.map(({ ref, item }) => ({
      fpCase,
      instance: { node: source.node.item, refs: [...source.parentRefs, ref], listed: item, collectionPath: source.path },
      sourceRead: sourceListing.exchange,
      listing: listing as Required<FreshListing>,
    }));
  }
  return [];
}

/** The other sources of the case's parent (nearby ones for a nearby source), for {@link freshPairs}. */
export function alternativesTo(pools: readonly ForeignParentPool[], fpCase: ForeignParentCase): InstanceSource[] {
  const pair = pools.find((pool) => pool.collection === fpCase.collection)?.pairs.find((candidate) => candidate.parent === fpCase.parent);
  if (!pair) return [];
  return pair.nearby.includes(fpCase.source) ? pair.nearby : pair.farther;
}

/** The refs of the path of a pair: the foreign parent's, then the instance's own. */
export function pairRefs(pair: FreshPair): InstanceRef[] {
  return [...pair.fpCase.parent.refs, ownRef(pair.instance)];
}

/** One instance as discovery found it under two or more parents (e.g. an agent under its queue and its extension). */
export interface HolderGroup {
  id: string;
  /** One discovered instance per collection path that listed the id. */
  holders: DiscoveredInstance[];
}

/**
 * The instances that discovery found listed in more than one collection path, with one holder per path. An id is
 * grouped within its resource only: two resources sharing an id is ID-UNIQUE's to report, not a second holder.
 */
export function holderGroups(discovery: Discovery): HolderGroup[] {
  const byInstance = new Map<string, { id: string; paths: Map<string, DiscoveredInstance> }>();
  for (const instance of discovery.instances) {
    const key = `${instance.node.resource.name} ${ownRef(instance).id}`;
    const group = byInstance.get(key) ?? { id: ownRef(instance).id, paths: new Map<string, DiscoveredInstance>() };
    if (!group.paths.has(instance.collectionPath)) group.paths.set(instance.collectionPath, instance);
    byInstance.set(key, group);
  }
  return [...byInstance.values()].filter(({ paths }) => paths.size > 1).map(({ id, paths }) => ({ id, holders: [...paths.values()] }));
}

/** What kind of holding a group shows: the templates of its holders, e.g. queue agents + extension agents. */
function holdingKind(group: HolderGroup): string {
  return [...new Set(group.holders.map((holder) => holder.node.template))].sort().join(' + ');
}

/**
 * A holder group with one addressing form per level of each holder's path; each kind of holding (agents under queue
 * and extension, extensions under core server and user, ...) weighs the same.
 */
export function holderGroupWithForms(groups: readonly HolderGroup[]): fc.Arbitrary<{ group: HolderGroup; forms: AddressingForm[][] }> {
  const byKind = new Map<string, HolderGroup[]>();
  for (const group of groups) byKind.set(holdingKind(group), [...(byKind.get(holdingKind(group)) ?? []), group]);
  return fc
    .constantFrom(...byKind.values())
    .chain((kind) => fc.constantFrom(...kind))
    .chain((group) => fc.tuple(...group.holders.map((holder) => addressingForms(holder.node, holder.refs))).map((forms) => ({ group, forms })));
}

/** The parameter of the parent level of a nested collection, e.g. `queueId`: names the kind of parent in notes. */
export function parentParameter(collection: NestedCollection): string {
  const levels = instanceSegments(collection.parent);
  return levels[levels.length - 1].parameter;
}
