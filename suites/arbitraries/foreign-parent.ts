/**
 * Cases for ADDR-PARENT, built from the resource model and the discovered instances: pairs of a real instance and
 * a parent that (as far as discovery knows) does not hold it, for every collection that hangs under a parent; and
 * the groups of parents that do hold one instance. Pure: what the target holds right now is read by the check,
 * fresh, before a case is judged.
 */
import fc from 'fast-check';
import { instanceSegments, type CollectionNode, type InstanceNode, type ResourceModel } from '../../contracts/resource-model.js';
import type { Discovery, DiscoveredInstance } from '../discovery.js';
import { addressingForms } from './addressing-forms.js';
import type { AddressingForm } from '../../contracts/resource-model.js';

/** A collection that hangs under a parent instance and whose items can be addressed. */
export type NestedCollection = CollectionNode & { parent: InstanceNode; item: InstanceNode };

/** One case: `instance` addressed in `collection` under `parent`, a parent that did not list it. */
export interface ForeignParentCase {
  /** The collection the instance is addressed in, under the foreign parent. */
  collection: NestedCollection;
  /** The foreign parent: a discovered instance of `collection.parent`. */
  parent: DiscoveredInstance;
  /** A real instance of the collection's resource, discovered under another parent. */
  instance: DiscoveredInstance;
}

/** The foreign-parent cases of one nested collection: each parent with the instances it did not list. */
export interface ForeignParentPool {
  collection: NestedCollection;
  pairs: { parent: DiscoveredInstance; nearby: DiscoveredInstance[]; farther: DiscoveredInstance[] }[];
}

/** The last ref of an instance: the instance itself. */
export function ownRef(instance: DiscoveredInstance) {
  return instance.refs[instance.refs.length - 1];
}

/** Every collection of the model that has a parent and an item path. */
export function nestedCollections(model: ResourceModel): NestedCollection[] {
  return model.collections.filter((collection): collection is NestedCollection => collection.parent !== undefined && collection.item !== undefined);
}

/** One discovered instance per id, in discovery order. */
function distinctById(instances: readonly DiscoveredInstance[]): DiscoveredInstance[] {
  const seen = new Set<string>();
  return instances.filter((instance) => {
    const id = ownRef(instance).id;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The ids that discovery saw listed in `collection` under `parent`; undefined when it did not list it there. */
function idsListedUnder(discovery: Discovery, collection: CollectionNode, parent: DiscoveredInstance): Set<string> | undefined {
  const parentIds = parent.refs.map((ref) => ref.id).join('/');
  const listing = discovery.listings.find((l) => l.node === collection && l.parentRefs.map((ref) => ref.id).join('/') === parentIds);
  return listing ? new Set(listing.ids) : undefined;
}

/**
 * The foreign-parent pools of every nested collection. `candidates(collection)` gives the real instances that may
 * be addressed in it (by default: every discovered instance of its resource, wherever it was listed). Instances that
 * discovery saw listed under the parent are left out (that parent holds them); the fresh read decides the rest.
 * Instances of the parent's own top-level ancestor (the same core server) are "nearby": the leak a server is most
 * likely to have is within one core server.
 */
export function foreignParentPools(
  model: ResourceModel,
  discovery: Discovery,
  candidates: (collection: NestedCollection) => readonly DiscoveredInstance[] = (collection) =>
    discovery.instances.filter((instance) => instance.node.resource.name === collection.resource.name),
): ForeignParentPool[] {
  return nestedCollections(model).flatMap((collection) => {
    const instances = distinctById(candidates(collection));
    const pairs = discovery.of(collection.parent).flatMap((parent) => {
      const held = idsListedUnder(discovery, collection, parent);
      const foreign = instances.filter((instance) => !held?.has(ownRef(instance).id) && ownRef(instance).id !== ownRef(parent).id);
      if (foreign.length === 0) return [];
      const root = parent.refs[0].id;
      return [{ parent, nearby: foreign.filter((i) => i.refs[0].id === root), farther: foreign.filter((i) => i.refs[0].id !== root) }];
    });
    return pairs.length > 0 ? [{ collection, pairs }] : [];
  });
}

/** Nearby instances three times as often as farther ones, when both exist. */
function nearbyFirst(nearby: DiscoveredInstance[], farther: DiscoveredInstance[]): fc.Arbitrary<DiscoveredInstance> {
  if (farther.length === 0) return fc.constantFrom(...nearby);
  if (nearby.length === 0) return fc.constantFrom(...farther);
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...nearby) }, { weight: 1, arbitrary: fc.constantFrom(...farther) });
}

/**
 * A foreign-parent case: a nested collection first (so that logins, with many instances, weigh as much as queues),
 * then a parent of it, then an instance that parent did not list.
 */
export function foreignParentCase(pools: readonly ForeignParentPool[]): fc.Arbitrary<ForeignParentCase> {
  return fc
    .constantFrom(...pools)
    .chain((pool) =>
      fc
        .constantFrom(...pool.pairs)
        .chain((pair) => nearbyFirst(pair.nearby, pair.farther).map((instance): ForeignParentCase => ({ collection: pool.collection, parent: pair.parent, instance }))),
    );
}

/** The refs of a case's path: the foreign parent's, then the instance's own. */
export function caseRefs(fpCase: ForeignParentCase) {
  return [...fpCase.parent.refs, ownRef(fpCase.instance)];
}

/** A foreign-parent case with one addressing form per level of its path. */
export function foreignParentCaseWithForms(pools: readonly ForeignParentPool[]): fc.Arbitrary<ForeignParentCase & { forms: AddressingForm[] }> {
  return foreignParentCase(pools).chain((fpCase) => addressingForms(fpCase.collection.item, caseRefs(fpCase)).map((forms) => ({ ...fpCase, forms })));
}

/** One instance as discovery found it under two or more parents (e.g. an agent under its queue and its extension). */
export interface HolderGroup {
  id: string;
  /** One discovered instance per collection path that listed the id. */
  holders: DiscoveredInstance[];
}

/** The ids that discovery found listed in more than one collection path, with one holder per path. */
export function holderGroups(discovery: Discovery): HolderGroup[] {
  const byId = new Map<string, Map<string, DiscoveredInstance>>();
  for (const instance of discovery.instances) {
    const paths = byId.get(ownRef(instance).id) ?? new Map<string, DiscoveredInstance>();
    if (!paths.has(instance.collectionPath)) paths.set(instance.collectionPath, instance);
    byId.set(ownRef(instance).id, paths);
  }
  return [...byId.entries()].filter(([, paths]) => paths.size > 1).map(([id, paths]) => ({ id, holders: [...paths.values()] }));
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
