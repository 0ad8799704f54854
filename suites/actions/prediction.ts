/**
 * Prediction: from the contract's `x-action` effects alone, what an action posted on the arena must answer and
 * what it must change. No action is known here by name; a vendor who adds an action with its effect to the
 * contract gets it predicted. `predict` reads a state (observed, or modelled by a sequence); `scopeOf` says what
 * must be read for it.
 */
import type { ActionEffect, Condition, InstanceSelector, ValueSpec } from '../../contracts/resource-model.js';
import { buildPath, instanceSegments, type InstanceRef, type ResourceType } from '../../contracts/resource-model.js';
import { sameCanonicalJson } from '../compare.js';
import { expandCollectionRef, joinScopes, pathBindings, type Arena, type ArenaCollection, type ArenaSingleton, type Bindings, type Scope } from './arena.js';
import type { ArenaState, Item } from './arena-state.js';
import { bodyProblem } from './body-validation.js';
import { bodyObject, type ActionInvocation } from './invocation.js';

/** The status an action must answer. */
export type ExpectedStatus = 204 | 404 | 409 | 412;

/** A value a property must have after the action; `ifPresent`: only where the representation has the property. */
export interface ExpectedValue {
  value: unknown;
  ifPresent: boolean;
}

/** What an action's owner is: a listed instance, or a sub-resource. */
export type OwnerRef =
  | { kind: 'instance'; id: string; collection: ArenaCollection; resource: ResourceType }
  | { kind: 'singleton'; singleton: ArenaSingleton };

/** Properties of an instance or a sub-resource that take values. */
export interface ExpectedSet {
  target: OwnerRef;
  values: Record<string, ExpectedValue>;
}

/** A new instance that must appear in every one of `collections`. */
export interface ExpectedCreate {
  resource: ResourceType;
  collections: ArenaCollection[];
  values: Record<string, ExpectedValue>;
  transient: boolean;
}

/** An instance that must be gone: from `from` (those that listed it), or from everywhere (and answer 404). */
export interface ExpectedRemove {
  id: string;
  resource: ResourceType;
  from?: ArenaCollection[];
}

/** What an action must do. */
export interface Prediction {
  status: ExpectedStatus;
  /** Why, in a few words: `the body lacks "type"`, `a conflict: ...`. */
  reason: string;
  owner: OwnerRef;
  sets: ExpectedSet[];
  creates: ExpectedCreate[];
  removes: ExpectedRemove[];
}

// ---------------------------------------------------------------------------------------------- the owner

/** The owner of an invocation: the instance (listed in its collection) or the sub-resource the action is posted on. */
export function ownerOf(arena: Arena, invocation: ActionInvocation): OwnerRef {
  const { action, refs } = invocation;
  const instanceLevels = instanceSegments(action.ownerInstance).length;
  const ownerRefs = refs.slice(0, instanceLevels);
  if (action.owner.kind === 'singleton') {
    return { kind: 'singleton', singleton: { kind: 'singleton', path: buildPath(action.owner, ownerRefs), node: action.owner, ownerRefs } };
  }
  const node = action.ownerInstance.collection;
  const parentRefs = ownerRefs.slice(0, -1);
  return {
    kind: 'instance',
    id: ownerRefs[ownerRefs.length - 1].id,
    collection: { kind: 'collection', path: buildPath(node, parentRefs), node, parentRefs, transient: arena.transientResources.has(node.resource) },
    resource: action.ownerInstance.resource,
  };
}

// ---------------------------------------------------------------------------------------------- evaluation

/** Everything one prediction reads, resolved once. */
interface Evaluation {
  arena: Arena;
  state: ArenaState;
  invocation: ActionInvocation;
  owner: OwnerRef;
  bindings: Bindings;
  body: Record<string, unknown>;
}

function members(state: ArenaState, path: string): Map<string, Item> {
  return state.collections.get(path) ?? new Map();
}

/** Ids listed in every collection of the selector (a free parameter: in any collection it stands for). */
function selectedIds(e: Evaluation, selector: InstanceSelector): string[] {
  if (selector.kind === 'self') return e.owner.kind === 'instance' ? [e.owner.id] : [];
  const sets = selector.collections.map((ref) => {
    const ids = new Set<string>();
    for (const collection of expandCollectionRef(e.arena, ref, e.bindings)) for (const id of members(e.state, collection.path).keys()) ids.add(id);
    return ids;
  });
  return [...sets[0]].filter((id) => sets.every((set) => set.has(id)));
}

function selectedItems(e: Evaluation, selector: InstanceSelector): Item[] {
  if (selector.kind === 'self') {
    if (e.owner.kind === 'singleton') return [e.state.singletons.get(e.owner.singleton.path)].filter((item): item is Item => item !== undefined);
    const item = members(e.state, e.owner.collection.path).get(e.owner.id);
    return item ? [item] : [];
  }
  const ids = selectedIds(e, selector);
  return ids.flatMap((id) => {
    for (const ref of selector.collections) {
      for (const collection of expandCollectionRef(e.arena, ref, e.bindings)) {
        const item = members(e.state, collection.path).get(id);
        if (item) return [item];
      }
    }
    return [];
  });
}

function holds(e: Evaluation, condition: Condition): boolean {
  switch (condition.kind) {
    case 'exists':
      return selectedIds(e, condition.selector).length > 0;
    case 'missing':
      return selectedIds(e, condition.selector).length === 0;
    case 'property':
      return selectedItems(e, condition.of).some((item) => sameCanonicalJson(item[condition.name], condition.equals));
    case 'listedIn': {
      const ids = selectedIds(e, condition.of);
      return expandCollectionRef(e.arena, condition.collection, e.bindings).some((collection) => ids.some((id) => members(e.state, collection.path).has(id)));
    }
    case 'resolves':
      return e.bindings.body.get(condition.bodyRef) !== undefined;
    case 'unresolved':
      return e.bindings.body.get(condition.bodyRef) === undefined;
  }
}

function describeCondition(condition: Condition): string {
  switch (condition.kind) {
    case 'exists':
      return `an instance is already listed in ${condition.selector.collections.map((c) => c.template).join(' and ')}`;
    case 'missing':
      return `no instance is listed in ${condition.selector.collections.map((c) => c.template).join(' and ')}`;
    case 'property':
      return `${condition.of.kind === 'self' ? 'the instance' : 'the selected instance'} has ${condition.name} = ${JSON.stringify(condition.equals)}`;
    case 'listedIn':
      return `the instance is already listed in ${condition.collection.template}`;
    case 'resolves':
      return `"${condition.bodyRef}" names an instance`;
    case 'unresolved':
      return `"${condition.bodyRef}" names no instance`;
  }
}

function resolveValues(specs: Record<string, ValueSpec>, body: Record<string, unknown>): Record<string, ExpectedValue> {
  const values: Record<string, ExpectedValue> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.kind === 'const') values[name] = { value: spec.value, ifPresent: spec.ifPresent };
    else if (Object.hasOwn(body, spec.property)) values[name] = { value: body[spec.property], ifPresent: spec.ifPresent };
    else if (spec.hasDefault) values[name] = { value: spec.default, ifPresent: spec.ifPresent };
    // No value in the body and no default: the property keeps its value.
  }
  return values;
}

/** The first member whose `nameProperty` is `name` (without copying the members out: this runs for every candidate). */
function listedWithName(listed: Map<string, Item>, nameProperty: string, name: unknown): Item | undefined {
  for (const item of listed.values()) if (item[nameProperty] === name) return item;
  return undefined;
}

/** Resolves the body references against the state: 404 for an unknown name where the contract says so. */
function resolveBodyRefs(e: Evaluation): string | undefined {
  for (const ref of Object.values(e.invocation.action.effects.bodyRefs)) {
    const value = e.body[ref.property];
    if (value === undefined) {
      e.bindings.body.set(ref.property, undefined);
      continue;
    }
    const [collection] = expandCollectionRef(e.arena, ref.collection, e.bindings);
    const nameProperty = ref.resource.nameProperty!;
    const found = collection ? listedWithName(members(e.state, collection.path), nameProperty, value) : undefined;
    e.bindings.body.set(ref.property, found ? { id: String(found.id), name: String(found[nameProperty]) } : undefined);
    if (!found && ref.unknown === 'notFound') return `"${ref.property}" names no ${ref.resource.name} (${JSON.stringify(value)})`;
  }
  return undefined;
}

function effectChanges(e: Evaluation, effect: ActionEffect, prediction: Prediction): void {
  if (effect.kind === 'set') {
    let target: OwnerRef = e.owner;
    if (effect.target.kind === 'singleton') {
      const ownerRefs = e.invocation.refs.slice(0, instanceSegments(e.invocation.action.ownerInstance).length);
      target = { kind: 'singleton', singleton: { kind: 'singleton', path: buildPath(effect.target.node, ownerRefs), node: effect.target.node, ownerRefs } };
    }
    prediction.sets.push({ target, values: resolveValues(effect.values, e.body) });
  } else if (effect.kind === 'create') {
    prediction.creates.push({
      resource: effect.resource,
      collections: effect.in.flatMap((ref) => expandCollectionRef(e.arena, ref, e.bindings)),
      values: resolveValues(effect.values, e.body),
      transient: effect.transient,
    });
  } else {
    const resource = effect.target.kind === 'self' ? e.invocation.action.ownerInstance.resource : effect.target.collections[0].node.resource;
    const from = effect.from?.flatMap((ref) => expandCollectionRef(e.arena, ref, e.bindings));
    for (const id of selectedIds(e, effect.target)) prediction.removes.push({ id, resource, from });
  }
}

/** What the action must answer and change, posted on `state`. The scope of {@link scopeOf} must have been read. */
export function predict(arena: Arena, state: ArenaState, invocation: ActionInvocation, options: { ignoreConflicts?: boolean } = {}): Prediction {
  const owner = ownerOf(arena, invocation);
  const e: Evaluation = { arena, state, invocation, owner, bindings: pathBindings(invocation.action, invocation.refs), body: bodyObject(invocation) ?? {} };
  const prediction: Prediction = { status: 204, reason: 'the action is possible', owner, sets: [], creates: [], removes: [] };
  const refuse = (status: ExpectedStatus, reason: string): Prediction => ({ ...prediction, status, reason });

  if (owner.kind === 'instance' && state.collections.has(owner.collection.path) && !members(state, owner.collection.path).has(owner.id)) {
    return refuse(404, `${owner.id} is not listed in ${owner.collection.path}`);
  }
  const problem = bodyProblem(invocation);
  if (problem) return refuse(412, problem);
  const unknownName = resolveBodyRefs(e);
  if (unknownName) return refuse(404, unknownName);
  const conflict = options.ignoreConflicts ? undefined : invocation.action.effects.conflicts.find((condition) => holds(e, condition));
  if (conflict) return refuse(409, `a conflict: ${describeCondition(conflict)}`);
  for (const effect of invocation.action.effects.effects) if (!effect.when || holds(e, effect.when)) effectChanges(e, effect, prediction);
  return prediction;
}

/**
 * What must be read to predict and check `invocation`: its owner's collection (or sub-resource), the collections
 * its body references, conditions and effects name (body references resolved against `state`), and for an
 * effect that removes an instance from everywhere, the watched collections that list it in `state`.
 */
export function scopeOf(arena: Arena, state: ArenaState, invocation: ActionInvocation): Scope {
  const owner = ownerOf(arena, invocation);
  const e: Evaluation = { arena, state, invocation, owner, bindings: pathBindings(invocation.action, invocation.refs), body: bodyObject(invocation) ?? {} };
  resolveBodyRefs(e);
  const collections: ArenaCollection[] = [];
  const singletons: ArenaSingleton[] = [];
  if (owner.kind === 'instance') collections.push(owner.collection);
  else singletons.push(owner.singleton);
  const { effects } = invocation.action;
  const expand = (ref: Parameters<typeof expandCollectionRef>[1]) => collections.push(...expandCollectionRef(arena, ref, e.bindings));
  Object.values(effects.bodyRefs).forEach((ref) => expand(ref.collection));
  const addCondition = (condition: Condition) => {
    if (condition.kind === 'exists' || condition.kind === 'missing') condition.selector.collections.forEach(expand);
    if (condition.kind === 'listedIn') expand(condition.collection);
    if (condition.kind === 'property' && condition.of.kind === 'memberOf') condition.of.collections.forEach(expand);
  };
  effects.conflicts.forEach(addCondition);
  const top = invocation.refs[0]?.id;
  for (const effect of effects.effects) {
    if (effect.when) addCondition(effect.when);
    if (effect.kind === 'set' && effect.target.kind === 'singleton') {
      const ownerRefs = invocation.refs.slice(0, instanceSegments(invocation.action.ownerInstance).length);
      singletons.push({ kind: 'singleton', path: buildPath(effect.target.node, ownerRefs), node: effect.target.node, ownerRefs });
    }
    if (effect.kind === 'create') effect.in.forEach(expand);
    if (effect.kind === 'remove') {
      if (effect.target.kind === 'memberOf') effect.target.collections.forEach(expand);
      if (effect.from) effect.from.forEach(expand);
      else {
        // Gone from everywhere: the watched collections that list it now (its UUID answering 404 is read apart).
        const ids = new Set(selectedIds(e, effect.target));
        const resource = effect.target.kind === 'self' ? invocation.action.ownerInstance.resource : effect.target.collections[0].node.resource;
        collections.push(
          ...arena.collections.filter((c) => c.node.resource === resource && c.parentRefs[0]?.id === top && [...ids].some((id) => members(state, c.path).has(id))),
        );
      }
    }
  }
  return joinScopes({ collections, singletons });
}

/** The ref of an instance listed in a collection, with its name where its resource has one. */
export function refOfItem(resource: ResourceType, item: Item): InstanceRef {
  const ref: InstanceRef = { id: String(item.id) };
  if (resource.nameProperty && typeof item[resource.nameProperty] === 'string') ref.name = item[resource.nameProperty] as string;
  return ref;
}

/**
 * The paths an action may change on a conformant server, as `state` knows the arena: its own scope (`own`: what
 * its body references, conditions and effects name), every collection that lists an instance it is posted on or
 * under, writes or removes, the collections it creates in, and everything under those instances' own paths (their
 * sub-resources and collections; under the core server only when it is posted on the core server itself). The
 * session keeps its reads of every other path fresh across the action, so the next case need not read them again.
 * A fault that changes something further still shows: every case reads its whole scope after its action.
 */
export function actionReach(state: ArenaState, invocation: ActionInvocation, prediction: Prediction, own: Scope): string[] {
  // Everything is under the core server: an action under it reaches only what the rest names.
  const ids = new Set(invocation.refs.slice(invocation.refs.length > 1 ? 1 : 0).map((ref) => ref.id));
  const target = (ref: OwnerRef) => (ref.kind === 'instance' ? ids.add(ref.id) : undefined);
  target(prediction.owner);
  prediction.sets.forEach((set) => target(set.target));
  prediction.removes.forEach((remove) => ids.add(remove.id));
  const under = (path: string) => path.split('/').some((segment) => ids.has(segment));
  const reach = new Set<string>([...own.collections, ...own.singletons].map((read) => read.path));
  for (const [path, members] of state.collections) if (under(path) || [...ids].some((id) => members.has(id))) reach.add(path);
  for (const path of state.singletons.keys()) if (under(path)) reach.add(path);
  prediction.sets.forEach((set) => set.target.kind === 'singleton' && reach.add(set.target.singleton.path));
  prediction.creates.forEach((create) => create.collections.forEach((collection) => reach.add(collection.path)));
  return [...reach];
}
