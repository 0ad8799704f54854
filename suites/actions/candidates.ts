/**
 * Where an action can be posted, as the state shows it: the owners (members of the owner's collection, or the
 * instances the checker created itself for an action that acts only on those), the names its body references
 * can take, and the invocations that a body draft and a choice make of them.
 */
import { instanceSegments, type ActionNode, type InstanceNode, type InstanceRef } from '../../contracts/resource-model.js';
import type { BodyDraft } from '../arbitraries/request-body.js';
import { expandCollectionRef, instantiateCollection, pathBindings, type Arena, type ArenaCollection } from './arena.js';
import { listingsOf, type ArenaState } from './arena-state.js';
import { predict, refOfItem, type Prediction } from './prediction.js';
import { changesState } from './state-comparison.js';
import { formsFromWishes, uuidForms, type ActionInvocation } from './invocation.js';

/** Instances the checker created itself (through an action), by id: the collections they were created in. */
export type CreatedInstances = Map<string, ArenaCollection[]>;

/** The concrete collections of the owner's collection node over the arena's parents. */
function ownerCollections(arena: Arena, action: ActionNode): ArenaCollection[] {
  const node = action.ownerInstance.collection;
  const parents = node.parent ? arena.instances.get(node.parent) ?? [] : [[]];
  return parents.map((parentRefs) => instantiateCollection(node, parentRefs, arena.transientResources));
}

/**
 * For `action`'s owners: whether an id is listed in some collection of every watched template of its resource (under
 * the same top-level instance): an instance whose other collections the arena does not watch could not be put back
 * if removed. A template is watched when the state holds one of its collections. What does not depend on the id is
 * worked out once per call, not once per owner: on a large target the owners are many.
 */
function fullyWatchedTest(arena: Arena, state: ArenaState, action: ActionNode): (id: string, top: string) => boolean {
  const resource = action.ownerInstance.resource;
  const templates = new Set(arena.collections.filter((c) => c.node.resource === resource).map((c) => c.node.template));
  const watched = [...templates].filter((template) => arena.collections.some((c) => c.node.template === template && state.collections.has(c.path)));
  const collectionsAt = new Map<string, ArenaCollection[]>();
  for (const collection of arena.collections) collectionsAt.set(collection.path, [...(collectionsAt.get(collection.path) ?? []), collection]);
  return (id, top) => {
    const listed = new Set(listingsOf(state, id).flatMap((path) => (collectionsAt.get(path) ?? []).filter((c) => c.parentRefs[0]?.id === top).map((c) => c.node.template)));
    return watched.every((template) => listed.has(template));
  };
}

/** The ids of the instances the arena includes of `node`, when it includes only some of them (see {@link Arena.instances}). */
function includedIds(arena: Arena, node: InstanceNode): Set<string> | undefined {
  const included = arena.instances.get(node);
  return included && new Set(included.map((refs) => refs[refs.length - 1].id));
}

/** The refs of every instance the action can be posted on (one ref per instance level of the owner). */
export function ownerCandidates(arena: Arena, state: ArenaState, action: ActionNode, created: CreatedInstances): InstanceRef[][] {
  const node = action.ownerInstance.collection;
  const resource = action.ownerInstance.resource;
  if (arena.transientResources.has(resource) || action.effects.onlyOnCreated) {
    // Only what the checker created, listed in a collection of the owner's node.
    return [...created].flatMap(([id, collections]) =>
      collections.filter((c) => c.node === node && state.collections.get(c.path)?.has(id) !== false).slice(0, 1).map((c) => [...c.parentRefs, { id }]),
    );
  }
  // Where the arena includes only some instances of the owner's node (a queue), the others are not watched: the
  // model knows nothing of their collections, so no action is posted on them.
  const included = includedIds(arena, action.ownerInstance);
  const fullyWatched = fullyWatchedTest(arena, state, action);
  return ownerCollections(arena, action).flatMap((collection) => {
    const members = state.collections.get(collection.path);
    if (!members) return [];
    return [...members.values()]
      .filter((item) => !included || included.has(item.id as string))
      .map((item) => [...collection.parentRefs, refOfItem(resource, item)])
      .filter((refs) => fullyWatched(refs[refs.length - 1].id, refs[0].id));
  });
}

/** The names a body reference may take for an action posted with `refs`: the arena's instances of its collection. */
export function referenceNames(arena: Arena, state: ArenaState, action: ActionNode, refs: InstanceRef[], property: string, options: { wholeListing?: boolean } = {}): string[] {
  const ref = action.effects.bodyRefs[property];
  const [collection] = expandCollectionRef(arena, ref.collection, pathBindings(action, refs));
  if (!collection) return [];
  const itemNode = ref.collection.node.item;
  // The arena's instances only, unless every name the listing shows is asked for (to tell a name that is unknown).
  const included = itemNode && !options.wholeListing ? includedIds(arena, itemNode) : undefined;
  const nameProperty = ref.resource.nameProperty!;
  return [...(state.collections.get(collection.path)?.values() ?? [])]
    .filter((item) => !included || included.has(item.id as string))
    .map((item) => item[nameProperty])
    .filter((name): name is string => typeof name === 'string');
}

/** Every body a draft gives for an action posted with `refs`: one per combination of the listed names it may take. */
export function draftBodies(arena: Arena, state: ArenaState, action: ActionNode, refs: InstanceRef[], draft: BodyDraft | undefined): (Record<string, unknown> | undefined)[] {
  if (!draft) return [undefined];
  let bodies: Record<string, unknown>[] = [{ ...draft.values }];
  for (const [property, pick] of Object.entries(draft.refs)) {
    const values = pick.kind === 'outside' ? [pick.value] : referenceNames(arena, state, action, refs, property);
    bodies = bodies.flatMap((body) => values.map((value) => ({ ...body, [property]: value })));
  }
  return bodies;
}

/** One invocation with what the model says of it. */
export interface Candidate {
  invocation: ActionInvocation;
  prediction: Prediction;
}

/** What a case draws before the state is known: the path variant, the body, the addressing wishes, the pick. */
export interface CaseDraft {
  /** Index into the path variants of the action (e.g. pause under a queue, or under an extension). */
  variant: number;
  body?: BodyDraft;
  /** Per instance level: written by name where it can be. */
  byName: boolean[];
  /** Index into the candidates that fit. */
  pick: number;
}

/** Options of {@link chooseInvocation}. */
export interface ChoiceOptions {
  /** Statuses the invocation must be predicted to answer. Default [204]. */
  statuses?: number[];
  /** Prefer invocations that change the state (an effect that writes what is already there shows nothing). Default true. */
  preferChange?: boolean;
  /** Addressing: `uuid` (all-UUID), `draft` (the draft's wishes), `some-name` (the wishes, and the deepest level with a name by name). */
  addressing?: 'uuid' | 'draft' | 'some-name';
  /** Orders the candidates before the pick (e.g. most neighbours first); default: as listed. */
  order?: (candidates: Candidate[]) => Candidate[];
  created?: CreatedInstances;
}

/** The addressing forms for a case. */
function formsFor(action: ActionNode, refs: InstanceRef[], byName: boolean[], addressing: ChoiceOptions['addressing']): ActionInvocation['forms'] {
  if (addressing === 'uuid') return uuidForms(action);
  const forms = formsFromWishes(action, refs, byName);
  if (addressing === 'some-name') {
    // The deepest level that has a name is written by name: where a name is looked up under its parents.
    const capable = formsFromWishes(action, refs, instanceSegments(action).map(() => true));
    const deepest = capable.lastIndexOf('name');
    if (deepest >= 0) forms[deepest] = 'name';
  }
  return forms;
}

/** Every invocation a draft makes of `action` on the state, with its prediction. */
export function candidatesFor(arena: Arena, state: ArenaState, action: ActionNode, draft: CaseDraft, options: ChoiceOptions = {}): Candidate[] {
  const candidates: Candidate[] = [];
  for (const refs of ownerCandidates(arena, state, action, options.created ?? new Map())) {
    for (const body of draftBodies(arena, state, action, refs, draft.body)) {
      const invocation: ActionInvocation = {
        action,
        refs,
        forms: formsFor(action, refs, draft.byName, options.addressing ?? 'uuid'),
        body: body === undefined ? undefined : { kind: 'json', value: body },
      };
      candidates.push({ invocation, prediction: predict(arena, state, invocation) });
    }
  }
  return candidates;
}

/**
 * Chooses one invocation of `action` for a case: among the candidates predicted to answer one of `statuses`
 * (and, by preference, to change the state), the draft's pick.
 */
export function chooseInvocation(arena: Arena, state: ArenaState, action: ActionNode, draft: CaseDraft, options: ChoiceOptions = {}): Candidate | undefined {
  const statuses = options.statuses ?? [204];
  const fitting = candidatesFor(arena, state, action, draft, options).filter((candidate) => statuses.includes(candidate.prediction.status));
  const changing = fitting.filter((candidate) => changesState(state, candidate.prediction));
  let pool = options.preferChange === false || changing.length === 0 ? fitting : changing;
  if (options.order) pool = options.order(pool);
  return pool.length === 0 ? undefined : pool[draft.pick % pool.length];
}

/**
 * How many other instances share each collection an instance is listed in, at the least: an instance all of whose
 * families have other members is where an action's effect would spill over if it did.
 */
export function neighbourScore(state: ArenaState, id: string): number {
  const sizes = listingsOf(state, id).map((path) => (state.collections.get(path)?.size ?? 1) - 1);
  return sizes.length === 0 ? 0 : Math.min(...sizes);
}
