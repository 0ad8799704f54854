/**
 * The arena of the actions family: the instances it acts on and the collections and sub-resources it watches,
 * all derived from the contract's action effects. A collection is watched when an effect, a condition or a body
 * reference names its path template, or when actions are posted on its members; a sub-resource when an action
 * writes it. The parents of watched collections come from discovery (configured objects, whose UUIDs no action
 * changes), capped per parent so that one look at the whole arena stays cheap.
 */
import type { CollectionRef } from '../../contracts/resource-model.js';
import { controlledProperties } from '../../contracts/action-effects.js';
import {
  buildPath,
  instanceSegments,
  type ActionNode,
  type CollectionNode,
  type InstanceNode,
  type InstanceRef,
  type ResourceModel,
  type ResourceType,
  type SingletonNode,
} from '../../contracts/resource-model.js';
import type { Discovery } from '../discovery.js';
import { sample, seededRandom } from '../seeded-random.js';

/** One collection, written as a concrete UUID-form path. */
export interface ArenaCollection {
  kind: 'collection';
  path: string;
  node: CollectionNode;
  parentRefs: InstanceRef[];
  /** Live telephony fills and empties it: its members are created `transient` by an action (calls). */
  transient: boolean;
}

/** One singleton sub-resource (e.g. a user's status), as a concrete UUID-form path. */
export interface ArenaSingleton {
  kind: 'singleton';
  path: string;
  node: SingletonNode;
  ownerRefs: InstanceRef[];
}

/** What a look at the target reads. */
export interface Scope {
  collections: ArenaCollection[];
  singletons: ArenaSingleton[];
}

/** The part of the target the actions family works on. */
export interface Arena {
  model: ResourceModel;
  /** Included instances per instance node: the parents of watched collections and the owners of watched singletons. */
  instances: Map<InstanceNode, InstanceRef[][]>;
  /** Every watched, non-transient collection, instantiated over the included parents. */
  collections: ArenaCollection[];
  singletons: ArenaSingleton[];
  /** Properties that some action writes, by resource name: compared even where the contract calls them volatile. */
  controlled: Map<string, Set<string>>;
  /** Resources that actions create `transient`: their collections are read only where an action's effect needs them. */
  transientResources: Set<ResourceType>;
  /** Collection templates the arena watches (whether transient or not). */
  watchedTemplates: Set<string>;
}

/** How many instances of one node, under one parent, the arena includes at most. */
export const DEFAULT_INSTANCES_PER_PARENT = 12;

/** The collection templates that action effects, conditions and body references name, and the owners' collections. */
function watchedCollectionNodes(model: ResourceModel): Set<CollectionNode> {
  const nodes = new Set<CollectionNode>();
  const addRef = (ref: CollectionRef) => nodes.add(ref.node);
  for (const action of model.actions) {
    const { effects } = action;
    nodes.add(action.ownerInstance.collection);
    Object.values(effects.bodyRefs).forEach((ref) => addRef(ref.collection));
    for (const effect of effects.effects) {
      if (effect.kind === 'create') effect.in.forEach(addRef);
      if (effect.kind === 'remove') {
        effect.from?.forEach(addRef);
        if (effect.target.kind === 'memberOf') effect.target.collections.forEach(addRef);
      }
    }
    for (const condition of effects.conflicts) {
      if (condition.kind === 'exists' || condition.kind === 'missing') condition.selector.collections.forEach(addRef);
      if (condition.kind === 'listedIn') addRef(condition.collection);
    }
  }
  return nodes;
}

/** The singletons that actions write: owners of actions posted on a singleton, and `set` targets. */
function watchedSingletonNodes(model: ResourceModel): Set<SingletonNode> {
  const nodes = new Set<SingletonNode>();
  for (const action of model.actions) {
    if (action.owner.kind === 'singleton') nodes.add(action.owner);
    for (const effect of action.effects.effects) if (effect.kind === 'set' && effect.target.kind === 'singleton') nodes.add(effect.target.node);
  }
  return nodes;
}

/** Resources that some action creates as transient. */
export function transientResourcesOf(model: ResourceModel): Set<ResourceType> {
  const resources = new Set<ResourceType>();
  for (const action of model.actions) for (const effect of action.effects.effects) if (effect.kind === 'create' && effect.transient) resources.add(effect.resource);
  return resources;
}

/** The instance node whose template is `template` (a prefix of a path ending at an instance level). */
function instanceNodeOf(model: ResourceModel, template: string): InstanceNode | undefined {
  return model.instances.find((node) => node.template === template);
}

/** The instance nodes along `template`, one per instance level: the nodes whose members fill each level. */
export function levelNodes(model: ResourceModel, node: { segments: CollectionNode['segments'] }): (InstanceNode | undefined)[] {
  const nodes: (InstanceNode | undefined)[] = [];
  const parts: string[] = [];
  for (const segment of node.segments) {
    parts.push(segment.kind === 'literal' ? segment.text : `{${segment.parameter}}`);
    if (segment.kind === 'instance') nodes.push(instanceNodeOf(model, `/${parts.join('/')}`));
  }
  return nodes;
}

function sameIds(a: InstanceRef[], b: InstanceRef[]): boolean {
  return a.length === b.length && a.every((ref, index) => ref.id === b[index].id);
}

/**
 * Builds the arena from discovery: every discovered core server (discovery already honours --core-server), and
 * for each node that parents a watched collection or owns a watched singleton, up to `perParent` instances under
 * each of its parents (a seeded sample when there are more).
 */
export function buildArena(model: ResourceModel, discovery: Discovery, options: { seed: number; perParent?: number }): Arena {
  const perParent = options.perParent ?? DEFAULT_INSTANCES_PER_PARENT;
  const random = seededRandom(options.seed ^ 0x0ac7);
  const collectionNodes = watchedCollectionNodes(model);
  const singletonNodes = watchedSingletonNodes(model);
  const transientResources = transientResourcesOf(model);

  // The nodes whose instances the arena needs, with every node above them.
  const needed = new Set<InstanceNode>();
  const need = (node: { segments: CollectionNode['segments'] }) => levelNodes(model, node).forEach((n) => n && needed.add(n));
  collectionNodes.forEach((node) => node.parent && need(node.parent));
  singletonNodes.forEach((node) => need(node.owner));

  const instances = new Map<InstanceNode, InstanceRef[][]>();
  // Parents before children, so that a child is included only under included parents.
  for (const node of [...needed].sort((a, b) => a.segments.length - b.segments.length)) {
    const parentNode = node.collection.parent;
    const parents = parentNode ? instances.get(parentNode) ?? [] : [[]];
    const chosen: InstanceRef[][] = [];
    for (const parentRefs of parents) {
      const under = discovery.of(node).filter((instance) => sameIds(instance.refs.slice(0, -1), parentRefs));
      chosen.push(...sample(under, perParent, random).map((instance) => instance.refs));
    }
    instances.set(node, chosen);
  }

  const collections: ArenaCollection[] = [];
  for (const node of collectionNodes) {
    if (transientResources.has(node.resource)) continue;
    const parents = node.parent ? instances.get(node.parent) ?? [] : [[]];
    for (const parentRefs of parents) collections.push(instantiateCollection(node, parentRefs, transientResources));
  }
  const singletons: ArenaSingleton[] = [];
  for (const node of singletonNodes) {
    for (const ownerRefs of instances.get(node.owner) ?? []) singletons.push({ kind: 'singleton', path: buildPath(node, ownerRefs), node, ownerRefs });
  }
  return {
    model,
    instances,
    collections,
    singletons,
    controlled: controlledProperties(model.actions),
    transientResources,
    watchedTemplates: new Set([...collectionNodes].map((node) => node.template)),
  };
}

/** The collection `node` under `parentRefs`, as the arena writes it. */
export function instantiateCollection(node: CollectionNode, parentRefs: InstanceRef[], transientResources: Set<ResourceType>): ArenaCollection {
  return { kind: 'collection', path: buildPath(node, parentRefs), node, parentRefs, transient: transientResources.has(node.resource) };
}

/** What fills the parameters of an action's collection references: its own path, and its resolved body references. */
export interface Bindings {
  /** Path parameter → the instance at that level of the action's path. */
  path: Map<string, InstanceRef>;
  /** Body property → the instance its name resolved to (undefined: it resolved to none). */
  body: Map<string, InstanceRef | undefined>;
}

/** The bindings of an action's own path: parameter → the ref at that level. */
export function pathBindings(action: ActionNode, refs: InstanceRef[]): Bindings {
  return { path: new Map(instanceSegments(action).map((segment, index) => [segment.parameter, refs[index]])), body: new Map() };
}

/**
 * The concrete collections a reference stands for: a parameter bound to a body reference takes the instance its
 * name resolved to (none: no collection), one of the action's path takes that, and a free one ranges over the
 * arena's instances.
 */
export function expandCollectionRef(arena: Arena, ref: CollectionRef, bindings: Bindings): ArenaCollection[] {
  const nodes = levelNodes(arena.model, ref.node);
  let prefixes: InstanceRef[][] = [[]];
  instanceSegments(ref.node).forEach((segment, index) => {
    const bound = segment.parameter in ref.bind ? bindings.body.get(ref.bind[segment.parameter]) ?? null : bindings.path.get(segment.parameter);
    if (bound !== undefined) {
      prefixes = bound === null ? [] : prefixes.map((prefix) => [...prefix, bound]);
      return;
    }
    const node = nodes[index];
    const known = node ? arena.instances.get(node) ?? [] : [];
    prefixes = prefixes.flatMap((prefix) => known.filter((refs) => sameIds(refs.slice(0, index), prefix)).map((refs) => [...prefix, refs[index]]));
  });
  return prefixes.map((parentRefs) => instantiateCollection(ref.node, parentRefs, arena.transientResources));
}

/** Everything the arena watches. */
export function wholeArena(arena: Arena): Scope {
  return { collections: arena.collections, singletons: arena.singletons };
}

/** Joins scopes, each path once. */
export function joinScopes(...scopes: Scope[]): Scope {
  const collections = new Map<string, ArenaCollection>();
  const singletons = new Map<string, ArenaSingleton>();
  for (const scope of scopes) {
    scope.collections.forEach((c) => collections.set(c.path, c));
    scope.singletons.forEach((s) => singletons.set(s.path, s));
  }
  return { collections: [...collections.values()], singletons: [...singletons.values()] };
}

/**
 * A smaller arena: under each parent, the `perParent` instances with the highest `score` (ties in the arena's
 * order). The sequences use it, so that random steps meet the same objects again.
 */
export function narrowArena(arena: Arena, perParent: number, score: (node: InstanceNode, refs: InstanceRef[]) => number, topIds?: string[]): Arena {
  const instances = new Map<InstanceNode, InstanceRef[][]>();
  for (const [node, all] of [...arena.instances].sort(([a], [b]) => a.segments.length - b.segments.length)) {
    const parentNode = node.collection.parent;
    const parents = parentNode ? instances.get(parentNode) ?? [] : [[]];
    const chosen: InstanceRef[][] = [];
    for (const parentRefs of parents) {
      let under = all.filter((refs) => sameIds(refs.slice(0, -1), parentRefs));
      if (!parentNode && topIds) under = under.filter((refs) => topIds.includes(refs[0].id));
      const ranked = under.map((refs, index) => ({ refs, index, score: score(node, refs) })).sort((a, b) => b.score - a.score || a.index - b.index);
      chosen.push(...ranked.slice(0, parentNode ? perParent : ranked.length).map((entry) => entry.refs));
    }
    instances.set(node, chosen);
  }
  const included = (levels: (InstanceNode | undefined)[], refs: InstanceRef[]) =>
    levels.every((node, level) => !node || !instances.has(node) || instances.get(node)!.some((r) => sameIds(r, refs.slice(0, level + 1))));
  return {
    ...arena,
    instances,
    collections: arena.collections.filter((c) => included(levelNodes(arena.model, c.node), c.parentRefs)),
    singletons: arena.singletons.filter((s) => included(levelNodes(arena.model, s.node), s.ownerRefs)),
  };
}
