/**
 * The restore planner: from an original state and the target's state now, the actions that take the one back to
 * the other, planned from the contract's own effects: an instance that is gone is created again by an action
 * whose `create` puts it in the same collections, with the same values; one that is new is removed by an action
 * whose `remove` takes it away; a changed value is written back by an action whose `set` writes that value (a
 * constant, or a body property). Nothing here knows an action by name.
 *
 * An instance without a symbolic name (an agent) is known by where it is listed: logged out and in again, it is
 * the same object under a new UUID.
 */
import { instanceSegments, type ActionNode, type InstanceRef, type ResourceType } from '../../contracts/resource-model.js';
import { sameCanonicalJson } from '../compare.js';
import type { Arena, ArenaCollection, ArenaSingleton, Scope } from './arena.js';
import { listingIndex, listingsOf, type ArenaState, type Item } from './arena-state.js';
import { predict, refOfItem, type OwnerRef } from './prediction.js';
import { differingComparedProperties } from './state-comparison.js';
import { uuidForms, type ActionInvocation } from './invocation.js';

// ---------------------------------------------------------------------------------------------- matching

/**
 * Where the ids of one state are listed among the collections of a scope, indexed once per state of a round (see
 * {@link listingIndex}). Only the scope's collections: a round asks about no other, and the state it plans on holds
 * all that is known of the target, most of it outside the scope on a large target.
 */
class Listings {
  private index?: Map<string, string[]>;
  constructor(
    readonly state: ArenaState,
    private readonly scopePaths: ReadonlySet<string>,
  ) {}

  /** The paths of the scope's collections that list `id`, in the state's order. */
  of(id: string): string[] {
    this.index ??= listingIndex(this.state, this.scopePaths);
    return this.index.get(id) ?? [];
  }
}

/** The paths of the non-transient collections of a scope. */
function watchedPaths(scope: Scope): Set<string> {
  return new Set(scope.collections.filter((c) => !c.transient).map((c) => c.path));
}

/** The non-transient collections (of the scope, `watched`) that list `id`: where an instance without a name is known from. */
function signature(listings: Listings, id: string, watched: Set<string>): string {
  return listings.of(id).filter((path) => watched.has(path)).sort().join('\n');
}

interface Pairing {
  /** current id → original id, for instances in both (same id, or same listings under a new id). */
  same: Map<string, string>;
  /** Original ids with no counterpart now. */
  gone: string[];
  /** Current ids with no counterpart in the original. */
  added: string[];
}

function idsOf(state: ArenaState, scope: Scope): Set<string> {
  const ids = new Set<string>();
  for (const read of scope.collections) if (!read.transient) for (const id of state.collections.get(read.path)?.keys() ?? []) ids.add(id);
  return ids;
}

function pairInstances(original: Listings, current: Listings, scope: Scope): Pairing {
  const before = idsOf(original.state, scope);
  const now = idsOf(current.state, scope);
  const same = new Map<string, string>();
  for (const id of now) if (before.has(id)) same.set(id, id);
  const gone = [...before].filter((id) => !now.has(id));
  const added: string[] = [];
  const watched = watchedPaths(scope);
  for (const id of [...now].filter((id) => !before.has(id))) {
    const key = signature(current, id, watched);
    const match = gone.findIndex((old) => signature(original, old, watched) === key);
    if (match >= 0 && key !== '') {
      same.set(id, gone[match]);
      gone.splice(match, 1);
    } else {
      added.push(id);
    }
  }
  return { same, gone, added };
}

// ---------------------------------------------------------------------------------------------- planning

/** The scope's collections by path (the first of a path, as a search in order finds it). */
function collectionsByPath(scope: Scope): Map<string, ArenaCollection> {
  const byPath = new Map<string, ArenaCollection>();
  for (const collection of scope.collections) if (!byPath.has(collection.path)) byPath.set(collection.path, collection);
  return byPath;
}

/**
 * Fills the parameters of `templates` from the collections an instance is listed in: each template must be matched
 * by one listing. Undefined when one is not.
 */
function bindFromListings(listings: ArenaCollection[], templates: { template: string; node: ArenaCollection['node']; bind: Record<string, string> }[]) {
  const path = new Map<string, InstanceRef>();
  const body = new Map<string, string>();
  for (const ref of templates) {
    const listing = listings.find((c) => c.node.template === ref.template);
    if (!listing) return undefined;
    instanceSegments(ref.node).forEach((segment, index) => {
      const instance = listing.parentRefs[index];
      if (segment.parameter in ref.bind) {
        if (instance.name !== undefined) body.set(ref.bind[segment.parameter], instance.name);
      } else {
        path.set(segment.parameter, instance);
      }
    });
  }
  return { path, body };
}

/** The action's path refs from bound parameters; undefined when one is missing. */
function refsFromBindings(action: ActionNode, path: Map<string, InstanceRef>): InstanceRef[] | undefined {
  const refs = instanceSegments(action).map((segment) => path.get(segment.parameter));
  return refs.every((ref) => ref !== undefined) ? (refs as InstanceRef[]) : undefined;
}

/** A body with `values`, when it covers every required property of the action's request schema. */
function completeBody(action: ActionNode, values: Record<string, unknown>): ActionInvocation['body'] | 'incomplete' {
  const schema = action.requestSchema;
  if (!schema) return undefined;
  const required = (schema.required ?? []) as string[];
  if (required.some((name) => !(name in values))) return 'incomplete';
  return { kind: 'json', value: values };
}

function invocation(action: ActionNode, refs: InstanceRef[], values: Record<string, unknown>): ActionInvocation | undefined {
  const body = completeBody(action, values);
  if (body === 'incomplete') return undefined;
  return { action, refs, forms: uuidForms(action), body };
}

/**
 * An action that removes `id` (listed in `listings`), predicted to do so on `current`. `everywhere`: only an effect
 * that removes it from every collection (its UUID then answers 404), not one that takes it out of some (`from`).
 */
export function planRemove(arena: Arena, current: ArenaState, id: string, resource: ResourceType, listings: ArenaCollection[], everywhere = false): ActionInvocation | undefined {
  for (const action of arena.model.actions) {
    for (const effect of action.effects.effects) {
      if (effect.kind !== 'remove' || (everywhere && effect.from)) continue;
      let candidate: ActionInvocation | undefined;
      if (effect.target.kind === 'self' && action.ownerInstance.resource === resource && action.owner.kind === 'instance') {
        const listing = listings.find((c) => c.node === action.ownerInstance.collection);
        const item = listing && current.collections.get(listing.path)?.get(id);
        if (listing && item) candidate = invocation(action, [...listing.parentRefs, refOfItem(resource, item)], {});
      } else if (effect.target.kind === 'memberOf' && effect.target.collections[0].node.resource === resource) {
        const bound = bindFromListings(listings, effect.target.collections);
        const refs = bound && refsFromBindings(action, bound.path);
        if (bound && refs) candidate = invocation(action, refs, Object.fromEntries(bound.body));
      }
      if (!candidate) continue;
      const prediction = predict(arena, current, candidate);
      if (prediction.status === 204 && prediction.removes.some((remove) => remove.id === id)) return candidate;
    }
  }
  return undefined;
}

/** An action that creates again the original instance `item` (listed in `listings`), predicted to on `current`. */
export function planCreate(arena: Arena, current: ArenaState, item: Item, resource: ResourceType, listings: ArenaCollection[]): ActionInvocation | undefined {
  for (const action of arena.model.actions) {
    for (const effect of action.effects.effects) {
      if (effect.kind !== 'create' || effect.resource !== resource || effect.transient) continue;
      const bound = bindFromListings(listings, effect.in);
      const refs = bound && refsFromBindings(action, bound.path);
      if (!bound || !refs) continue;
      const values: Record<string, unknown> = Object.fromEntries(bound.body);
      let possible = true;
      for (const [name, spec] of Object.entries(effect.values)) {
        if (spec.kind === 'const') possible &&= sameCanonicalJson(spec.value, item[name]) || (spec.ifPresent && !(name in item));
        else if (name in item) values[spec.property] = item[name];
      }
      const candidate = possible ? invocation(action, refs, values) : undefined;
      if (!candidate) continue;
      const prediction = predict(arena, current, candidate);
      const wanted = listings.map((c) => c.path).sort().join('\n');
      if (prediction.status === 204 && prediction.creates.some((create) => create.collections.map((c) => c.path).sort().join('\n') === wanted)) return candidate;
    }
  }
  return undefined;
}

/** Where a value is written: an instance (id, with its listings) or a sub-resource. */
type ValueTarget = { kind: 'instance'; id: string; resource: ResourceType; listings: ArenaCollection[] } | { kind: 'singleton'; read: ArenaSingleton };

/**
 * Actions that write back `wanted` (property → original value) on the target, each fixing at least one of them
 * and writing nothing that differs from `original` (the target's whole original value).
 */
function planSets(arena: Arena, current: ArenaState, target: ValueTarget, wanted: Record<string, unknown>, original: Item): ActionInvocation[] {
  const plan: ActionInvocation[] = [];
  const open = new Set(Object.keys(wanted));
  for (const action of arena.model.actions) {
    if (open.size === 0) break;
    for (const effect of action.effects.effects) {
      if (effect.kind !== 'set' || effect.when) continue;
      let refs: InstanceRef[] | undefined;
      if (target.kind === 'instance' && effect.target.kind === 'self' && action.owner.kind === 'instance' && action.ownerInstance.resource === target.resource) {
        const listing = target.listings.find((c) => c.node === action.ownerInstance.collection);
        const item = listing && current.collections.get(listing.path)?.get(target.id);
        if (listing && item) refs = [...listing.parentRefs, refOfItem(target.resource, item)];
      } else if (target.kind === 'singleton') {
        const writes = effect.target.kind === 'singleton' ? effect.target.node === target.read.node : action.owner === target.read.node;
        if (writes && instanceSegments(action).length === target.read.ownerRefs.length) refs = target.read.ownerRefs;
      }
      if (!refs) continue;
      const values: Record<string, unknown> = {};
      for (const [name, spec] of Object.entries(effect.values)) if (spec.kind === 'from' && name in original) values[spec.property] = original[name];
      const candidate = invocation(action, refs, values);
      if (!candidate) continue;
      const prediction = predict(arena, current, candidate);
      if (prediction.status !== 204) continue;
      const written = prediction.sets.flatMap((set) => Object.entries(set.values));
      const right = written.every(([name, value]) => !(name in original) || sameCanonicalJson(value.value, original[name]));
      const fixes = written.filter(([name]) => open.has(name));
      if (!right || fixes.length === 0) continue;
      plan.push(candidate);
      fixes.forEach(([name]) => open.delete(name));
    }
  }
  return plan;
}

/** The controlled properties of `resource` whose values differ between `original` and `current`, with the originals. */
function differingControlled(arena: Arena, resource: ResourceType | undefined, original: Item, current: Item): Record<string, unknown> {
  const controlled = (resource && arena.controlled.get(resource.name)) ?? new Set<string>();
  const wanted: Record<string, unknown> = {};
  for (const key of differingComparedProperties(arena, resource, original, current)) {
    if (controlled.has(key) && key in original) wanted[key] = original[key];
  }
  return wanted;
}

/**
 * One round of planning: removals of added instances, re-creations of gone ones, then values written back. With
 * `claimed`, a member of collections whose members come and go on their own (agents, logins: LIVE-API.md §5) is
 * removed or re-created only when `claimed` holds its id (the checker's own actions created or removed it): one
 * that logged in or out at its phone meanwhile is live telephony's, and is left as it is, unmentioned.
 */
export function planRound(arena: Arena, scope: Scope, original: ArenaState, current: ArenaState, claimed?: ReadonlySet<string>): { plan: ActionInvocation[]; stuck: string[] } {
  const plan: ActionInvocation[] = [];
  const stuck: string[] = [];
  const scopePaths = new Set(scope.collections.map((c) => c.path));
  const originalListings = new Listings(original, scopePaths);
  const currentListings = new Listings(current, scopePaths);
  const pairing = pairInstances(originalListings, currentListings, scope);
  const byPath = collectionsByPath(scope);
  const listingsIn = (listings: Listings, id: string) =>
    listings
      .of(id)
      .map((path) => byPath.get(path))
      .filter((c): c is ArenaCollection => c !== undefined && !c.transient);
  const resourceOf = (listings: ArenaCollection[]) => listings[0]?.node.resource;
  const movedByLiveTelephony = (id: string, listings: ArenaCollection[]) =>
    claimed !== undefined && listings.length > 0 && listings.every((c) => c.node.resource?.liveMembership) && !claimed.has(id);

  for (const id of pairing.added) {
    const listings = listingsIn(currentListings, id);
    if (movedByLiveTelephony(id, listings)) continue;
    const resource = resourceOf(listings);
    const step = resource && planRemove(arena, current, id, resource, listings);
    if (step) plan.push(step);
    else stuck.push(`${id}, listed now in ${listings.map((c) => c.path).join(' and ')}, was not there before and no action of the contract removes it`);
  }
  for (const id of pairing.gone) {
    const listings = listingsIn(originalListings, id);
    if (movedByLiveTelephony(id, listings)) continue;
    const resource = resourceOf(listings);
    const item = listings.length > 0 ? original.collections.get(listings[0].path)?.get(id) : undefined;
    const step = resource && item && planCreate(arena, current, item, resource, listings);
    if (step) plan.push(step);
    else stuck.push(`${id}, listed before in ${listings.map((c) => c.path).join(' and ')}, is gone and no action of the contract puts it back`);
  }
  for (const [id, originalId] of pairing.same) {
    const listings = listingsIn(currentListings, id);
    const resource = resourceOf(listings);
    const now = listings.length > 0 ? current.collections.get(listings[0].path)?.get(id) : undefined;
    const was = listingsIn(originalListings, originalId).map((c) => original.collections.get(c.path)?.get(originalId)).find((item) => item !== undefined);
    if (!resource || !now || !was) continue;
    const wanted = differingControlled(arena, resource, was, now);
    if (Object.keys(wanted).length === 0) continue;
    const steps = planSets(arena, current, { kind: 'instance', id, resource, listings }, wanted, was);
    plan.push(...steps);
    if (steps.length === 0) stuck.push(`${listings[0].path} item ${id}: ${describeWanted(wanted, now)} and no action of the contract writes it back`);
  }
  for (const read of scope.singletons) {
    const was = original.singletons.get(read.path);
    const now = current.singletons.get(read.path);
    if (!was || !now) continue;
    const wanted = differingControlled(arena, read.node.resource, was, now);
    if (Object.keys(wanted).length === 0) continue;
    const steps = planSets(arena, current, { kind: 'singleton', read }, wanted, was);
    plan.push(...steps);
    if (steps.length === 0) stuck.push(`${read.path}: ${describeWanted(wanted, now)} and no action of the contract writes it back`);
  }
  return { plan, stuck };
}

/**
 * The first action that would take `scope` from `current` back towards `original` (the state before some
 * change), planned from the contract's effects; undefined when there is nothing to undo or no action for it.
 */
export function planUndo(arena: Arena, scope: Scope, original: ArenaState, current: ArenaState): ActionInvocation | undefined {
  return planRound(arena, scope, original, current).plan[0];
}

function describeWanted(wanted: Record<string, unknown>, now: Item): string {
  return Object.entries(wanted).map(([key, value]) => `${key} is ${JSON.stringify(now[key])}, was ${JSON.stringify(value)}`).join('; ');
}

/** A restore step in words: `setStatus on main/ann`. */
export function describeStep(step: ActionInvocation): string {
  return `${step.action.definition.name} on ${step.refs.map((r) => r.name ?? r.id).join('/')}`;
}

/**
 * What still differs from the original after a round planned as `round`, one line each; `answers`: the last status
 * each step got when it was sent (by {@link describeStep}), which says why it is still needed (a 412: the target
 * refuses the value it had, as LIVE-API.md §5 lets it for an empty note).
 */
export function remainingDifferences(round: { plan: ActionInvocation[]; stuck: string[] }, answers: ReadonlyMap<string, number> = new Map()): string[] {
  const { plan, stuck } = round;
  return [
    ...stuck,
    ...plan.map((step) => {
      const answered = answers.get(describeStep(step));
      return `${describeStep(step)} is still needed${answered === undefined ? '' : ` (sent, it answered ${answered || 'nothing'})`}`;
    }),
  ];
}

// ---------------------------------------------------------------------------------------------- sending

/** What a step touches: the instances and sub-resources it acts on, and the collections whose members it changes. */
function touchedBy(arena: Arena, current: ArenaState, step: ActionInvocation): string[] {
  const prediction = predict(arena, current, step);
  const target = (ref: OwnerRef) => (ref.kind === 'instance' ? `instance ${ref.id}` : `sub-resource ${ref.singleton.path}`);
  const keys = [target(prediction.owner), ...prediction.sets.map((set) => target(set.target))];
  for (const remove of prediction.removes) {
    keys.push(`instance ${remove.id}`);
    for (const path of remove.from?.map((c) => c.path) ?? listingsOf(current, remove.id)) keys.push(`members ${path}`);
  }
  for (const create of prediction.creates) for (const collection of create.collections) keys.push(`members ${collection.path}`);
  return keys;
}

/**
 * A round's steps in lanes that a conformant server lets run at once: steps that touch a common instance or
 * sub-resource, or change the members of a common collection, share a lane in their planned order (a removal
 * stays before the creation that takes its place in the same collection, two writes on one agent stay in order);
 * any two steps in different lanes touch nothing in common. Lanes come in the order of their first step.
 */
export function independentLanes(arena: Arena, current: ArenaState, plan: readonly ActionInvocation[]): ActionInvocation[][] {
  // Union-find over the steps: a step joins the lane of every earlier step that touched one of its keys.
  const parent = plan.map((_, index) => index);
  const root = (index: number): number => (parent[index] === index ? index : (parent[index] = root(parent[index])));
  const firstWith = new Map<string, number>();
  plan.forEach((step, index) => {
    for (const key of touchedBy(arena, current, step)) {
      const earlier = firstWith.get(key);
      if (earlier === undefined) {
        firstWith.set(key, index);
        continue;
      }
      // The lane is known by its first step (the smaller index), so lanes keep the order of their first steps.
      const [a, b] = [root(earlier), root(index)];
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  });
  const lanes = new Map<number, ActionInvocation[]>();
  plan.forEach((step, index) => lanes.set(root(index), [...(lanes.get(root(index)) ?? []), step]));
  return [...lanes.values()];
}
