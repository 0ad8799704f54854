/**
 * The effect model: from the contract's `x-action` effects alone, what an action posted on the arena must answer
 * and how the arena's state must change. No action is known here by name; a vendor who adds an action with its
 * effect to the contract gets it modelled.
 *
 * `predict` reads a state (observed, or modelled by a sequence) and gives the expected status and the expected
 * changes; `expectedAfter` applies them, learning the ids of created instances from what the target lists
 * afterwards; `compareStates` says where the target differs, telling the action's own targets from bystanders.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ActionEffect, Condition, InstanceSelector, ValueSpec } from '../../contracts/resource-model.js';
import { buildPath, instanceSegments, type InstanceRef, type JsonSchema, type ResourceType } from '../../contracts/resource-model.js';
import { canonicalJson } from '../compare.js';
import { expandCollectionRef, joinScopes, pathBindings, type Arena, type ArenaCollection, type ArenaSingleton, type Bindings, type Scope } from './arena.js';
import { cloneState, mergeStates, type ArenaState, type Item } from './arena-state.js';
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

// ---------------------------------------------------------------------------------------------- bodies

const ajv = new Ajv2020({ strict: false, allErrors: false });
const validators = new WeakMap<JsonSchema, ReturnType<typeof ajv.compile>>();

/** Why the body breaks the action's request schema (LIVE-API.md, "Details of the bodies"), or undefined. */
export function bodyProblem(invocation: ActionInvocation): string | undefined {
  const { action, body } = invocation;
  const schema = action.requestSchema;
  if (!schema) {
    if (body?.kind !== 'text' || body.text.trim() === '') return undefined;
    try {
      JSON.parse(body.text);
      return undefined;
    } catch {
      return 'the body is not JSON';
    }
  }
  if (!body) return action.requestBodyRequired ? 'the body is missing' : undefined;
  if (body.kind === 'text') return 'the body is not JSON';
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  if (validate(body.value)) return undefined;
  const error = validate.errors![0];
  return `the body ${error.instancePath ? `property ${error.instancePath.slice(1)} ` : ''}${error.message ?? 'is invalid'}`;
}

/**
 * A value of the body that LIVE-API.md writes no range for and that a server may therefore store or refuse with
 * 412 (§5: an empty `name` or `note`, a `returnTime` below -1, an empty `destination`): an empty string, or a
 * negative number where the property's schema writes no minimum and gives no such example (-1, "none", is one).
 * The checker's own bodies hold none; a body that puts back what the target showed before (an undo) may.
 */
export function unrangedValue(invocation: ActionInvocation): string | undefined {
  const schema = invocation.action.requestSchema;
  const body = bodyObject(invocation);
  if (!schema || !body) return undefined;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, value] of Object.entries(body)) {
    const property = properties[name];
    if (!property) continue;
    const examples = Array.isArray(property.examples) ? (property.examples as unknown[]) : [];
    if (value === '') return `"${name}" is empty`;
    if (typeof value === 'number' && value < 0 && typeof property.minimum !== 'number' && !examples.includes(value)) return `"${name}" is ${value}`;
  }
  return undefined;
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
      return selectedItems(e, condition.of).some((item) => canonicalJson(item[condition.name]) === canonicalJson(condition.equals));
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
    const found = collection ? [...members(e.state, collection.path).values()].find((item) => item[nameProperty] === value) : undefined;
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

// ---------------------------------------------------------------------------------------------- applying

function matchesValues(item: Item, values: Record<string, ExpectedValue>): boolean {
  return Object.entries(values).every(([name, expected]) => (expected.ifPresent && !(name in item)) || canonicalJson(item[name]) === canonicalJson(expected.value));
}

function withValues(item: Item, values: Record<string, ExpectedValue>): Item {
  const next = { ...item };
  for (const [name, expected] of Object.entries(values)) if (!expected.ifPresent || name in item) next[name] = structuredClone(expected.value);
  return next;
}

/**
 * Which new instance each create is: an id that `after` lists in every collection of the create and `before` did
 * not. The assignment is the one that gives the most creates an instance with their expected values, found over
 * every assignment (not greedily in list order: an originate to the caller's own number makes two new segments
 * in one list, and only one of them is incoming); ties go to the smallest ids, so the target's list order never
 * decides (LIVE-API.md §5). A create with no match by values takes a new instance with other values, so that the
 * comparison says which differ, unless it is transient (live telephony makes calls of its own).
 */
function assignCreatedIds(creates: readonly ExpectedCreate[], before: ArenaState, after: ArenaState): (string | undefined)[] {
  const options = creates.map((create) => {
    const paths = create.collections.map((c) => c.path);
    const [first, ...rest] = paths.map((path) => after.collections.get(path) ?? new Map<string, Item>());
    const fresh = [...first.keys()]
      .filter((id) => paths.every((path) => !before.collections.get(path)?.has(id)) && rest.every((listed) => listed.has(id)))
      .sort();
    return { matching: fresh.filter((id) => matchesValues(first.get(id)!, create.values)), fresh };
  });
  // The search is tiny: an action creates one to three instances.
  let best: (string | undefined)[] = creates.map(() => undefined);
  let bestScore = -1;
  const chosen: (string | undefined)[] = [];
  const search = (index: number, score: number, taken: ReadonlySet<string>) => {
    if (score + (creates.length - index) <= bestScore) return;
    if (index === creates.length) {
      best = [...chosen];
      bestScore = score;
      return;
    }
    for (const id of options[index].matching) {
      if (taken.has(id)) continue;
      chosen[index] = id;
      search(index + 1, score + 1, new Set(taken).add(id));
    }
    chosen[index] = undefined;
    search(index + 1, score, taken);
  };
  search(0, 0, new Set());
  const taken = new Set(best.filter((id): id is string => id !== undefined));
  return best.map((id, index) => {
    if (id !== undefined || creates[index].transient) return id;
    const other = options[index].fresh.find((candidate) => !taken.has(candidate));
    if (other !== undefined) taken.add(other);
    return other;
  });
}

/** The state a prediction leads to, and what it learned (or missed) of the instances it creates. */
export interface ExpectedOutcome {
  state: ArenaState;
  /** The id each create of the prediction was matched with in `after`, in order; undefined: none appeared. */
  createdIds: (string | undefined)[];
  /** Every id the action targets: its owner, what it creates and removes (for telling targets from bystanders). */
  focus: Set<string>;
  /** Sub-resource paths the action targets. */
  focusPaths: Set<string>;
  /**
   * In collections that live telephony fills, the only members compared: `path → ids` that the effect makes a
   * claim about (created there, or removed from there). Every other member there comes and goes on its own.
   */
  claims: Map<string, Set<string>>;
  /** `path id` pairs the effect leaves open (a `from` collection that did not list the removed instance). */
  open: Set<string>;
}

function claim(claims: Map<string, Set<string>>, path: string, id: string): void {
  const ids = claims.get(path) ?? new Set<string>();
  ids.add(id);
  claims.set(path, ids);
}

/**
 * Applies `prediction` to `before`. A created instance has no id until the target shows one: it is the id that
 * `after` lists in every collection of the create and `before` did not, with the expected values by preference
 * (a transient one only with them: live telephony makes calls of its own).
 */
export function expectedAfter(before: ArenaState, prediction: Prediction, after: ArenaState): ExpectedOutcome {
  const state = cloneState(before);
  const outcome: ExpectedOutcome = { state, createdIds: [], focus: new Set(), focusPaths: new Set(), claims: new Map(), open: new Set() };
  if (prediction.owner.kind === 'instance') outcome.focus.add(prediction.owner.id);
  else outcome.focusPaths.add(prediction.owner.singleton.path);
  if (prediction.status !== 204) return outcome;

  for (const remove of prediction.removes) {
    outcome.focus.add(remove.id);
    const paths = remove.from ? remove.from.map((c) => c.path) : [...state.collections.keys()];
    for (const path of paths) {
      if (before.collections.get(path)?.has(remove.id)) claim(outcome.claims, path, remove.id);
      else outcome.open.add(`${path} ${remove.id}`);
      state.collections.get(path)?.delete(remove.id);
    }
  }
  for (const set of prediction.sets) {
    if (set.target.kind === 'singleton') {
      outcome.focusPaths.add(set.target.singleton.path);
      const item = state.singletons.get(set.target.singleton.path);
      if (item) state.singletons.set(set.target.singleton.path, withValues(item, set.values));
      continue;
    }
    const id = set.target.id;
    for (const [path, members] of state.collections) {
      const item = members.get(id);
      if (!item) continue;
      members.set(id, withValues(item, set.values));
      claim(outcome.claims, path, id);
    }
  }
  const assigned = assignCreatedIds(prediction.creates, before, after);
  outcome.createdIds = prediction.creates.map((create, index) => {
    const id = assigned[index];
    if (id === undefined) return undefined;
    outcome.focus.add(id);
    for (const path of create.collections.map((c) => c.path)) {
      const members = state.collections.get(path) ?? new Map<string, Item>();
      members.set(id, withValues(after.collections.get(path)!.get(id)!, create.values));
      state.collections.set(path, members);
      claim(outcome.claims, path, id);
    }
    return id;
  });
  return outcome;
}

/**
 * Whether a 404 is an instance whose members come and go on their own (a call ended, an agent logged out at its
 * phone: LIVE-API.md §5) that left: the action was posted on it, and it is no longer listed where it was.
 */
export function endedOnItsOwn(prediction: Prediction, status: number, after: ArenaState): boolean {
  const owner = prediction.owner;
  return (
    status === 404 &&
    owner.kind === 'instance' &&
    (owner.collection.transient || owner.resource.liveMembership) &&
    after.collections.get(owner.collection.path)?.has(owner.id) === false
  );
}

/** Whether a collection whose members come and go on their own lists other members in `after` than in `before`. */
function liveMembershipMoved(before: ArenaState, after: ArenaState, lookup: ResourceLookup): boolean {
  return [...after.collections].some(([path, members]) => {
    const was = before.collections.get(path);
    if (!was || !lookup.collection(path)?.resource.liveMembership) return false;
    return was.size !== members.size || [...members.keys()].some((id) => !was.has(id));
  });
}

/** Whether a conflict of `invocation` rests on the members of collections that come and go on their own. */
function conflictOnLiveMembership(invocation: ActionInvocation): boolean {
  return invocation.action.effects.conflicts.some((condition) => {
    const refs = condition.kind === 'exists' || condition.kind === 'missing' ? condition.selector.collections : condition.kind === 'listedIn' ? [condition.collection] : [];
    return refs.some((ref) => ref.node.resource.liveMembership);
  });
}

/**
 * Whether a 409 where the look predicted 204 may be a member that came and went on its own around the action (an
 * agent that logged in at its phone and out again before the look after it: LIVE-API.md §5). The action then
 * changed nothing, and the checker sends it once more rather than judge a state it could not see.
 */
export function conflictMayHaveFlickered(invocation: ActionInvocation, prediction: Prediction, status: number): boolean {
  return status === 409 && prediction.status === 204 && conflictOnLiveMembership(invocation);
}

/**
 * Whether the target's `status`, other than the predicted one, can be live telephony moving the state between the
 * look and the action rather than a fault (LIVE-API.md §5: agents, calls and logins come and go on their own; a
 * checker that cannot decide must not fail): the instance acted on left on its own; or members of such a
 * collection changed and the look after the action predicts the status the target gave (a phone agent logged
 * in: now a conflict); or a conflict over such members (none was listed) can have been lifted by one that came
 * meanwhile, and the action, allowed, shows nothing else than its effect.
 */
export function stateMovedOnItsOwn(arena: Arena, before: ArenaState, after: ArenaState, invocation: ActionInvocation, prediction: Prediction, status: number, lookup: ResourceLookup): boolean {
  if (status === prediction.status) return false;
  if (endedOnItsOwn(prediction, status, after)) return true;
  if (prediction.status === 204 && liveMembershipMoved(before, after, lookup)) return predict(arena, mergeStates(before, after), invocation).status === status;
  if (prediction.status === 409 && status === 204 && conflictOnLiveMembership(invocation)) {
    const allowed = predict(arena, before, invocation, { ignoreConflicts: true });
    if (allowed.status !== 204) return false;
    const outcome = expectedAfter(before, allowed, after);
    return outcome.createdIds.every((id) => id !== undefined) && compareStates(arena, outcome.state, after, outcome, lookup).every((d) => !d.onTarget);
  }
  return false;
}

/**
 * Brings the members of `state`'s collections that come and go on their own in line with `after` (a look at the
 * target), leaving the members in `claimed` as the model has them: what live telephony did is not the model's.
 */
export function adoptLiveMembership(state: ArenaState, after: ArenaState, lookup: ResourceLookup, claims: Map<string, Set<string>> = new Map()): void {
  for (const [path, seen] of after.collections) {
    const meta = lookup.collection(path);
    const members = state.collections.get(path);
    if (!meta?.resource.liveMembership || meta.transient || !members) continue;
    const claimed = claims.get(path) ?? new Set<string>();
    for (const id of [...members.keys()]) if (!seen.has(id) && !claimed.has(id)) members.delete(id);
    for (const [id, item] of seen) if (!members.has(id) && !claimed.has(id)) members.set(id, structuredClone(item));
  }
}

// ---------------------------------------------------------------------------------------------- comparing

/** One place where the target's state differs from the expected one. */
export interface Difference {
  path: string;
  /** The instance, for a collection. */
  id?: string;
  kind: 'missing' | 'unexpected' | 'value';
  property?: string;
  expected?: unknown;
  actual?: unknown;
  /** About what the action targets (its owner, what it creates or removes), not about a bystander. */
  onTarget: boolean;
}

/** The properties two reads of `resource` are compared on: the stable ones and those actions write. */
export function comparedProperties(arena: Arena, resource: ResourceType | undefined, a: Item, b: Item): string[] {
  const volatile = new Set(resource?.volatileProperties ?? []);
  const controlled = (resource && arena.controlled.get(resource.name)) ?? new Set<string>();
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !volatile.has(key) || controlled.has(key)).sort();
}

function itemDifferences(arena: Arena, resource: ResourceType | undefined, path: string, id: string | undefined, expected: Item, actual: Item, onTarget: boolean): Difference[] {
  return comparedProperties(arena, resource, expected, actual)
    .filter((key) => canonicalJson(expected[key]) !== canonicalJson(actual[key]))
    .map((property) => ({ path, id, kind: 'value' as const, property, expected: expected[property], actual: actual[property], onTarget }));
}

/**
 * Where `actual` differs from `expected`, over the paths both hold. A collection that live telephony fills is
 * compared only on the members the effect makes a claim about: the others come and go on their own.
 */
export function compareStates(
  arena: Arena,
  expected: ArenaState,
  actual: ArenaState,
  outcome: Pick<ExpectedOutcome, 'focus' | 'focusPaths' | 'claims' | 'open'>,
  resources: ResourceLookup,
): Difference[] {
  const differences: Difference[] = [];
  for (const [path, want] of expected.collections) {
    const got = actual.collections.get(path);
    const meta = resources.collection(path);
    if (!got || !meta) continue;
    const claimed = outcome.claims.get(path);
    const compared = (id: string) => (meta.transient ? claimed?.has(id) === true : !outcome.open.has(`${path} ${id}`));
    // Where members come and go on their own (agents log in at their phones), only the members the effect makes a
    // claim about must be listed or gone; the others are compared on their values where both reads list them.
    const membershipCompared = (id: string) => compared(id) && (!meta.resource.liveMembership || claimed?.has(id) === true);
    for (const [id, item] of want) {
      if (!compared(id)) continue;
      const seen = got.get(id);
      if (!seen) {
        if (membershipCompared(id)) differences.push({ path, id, kind: 'missing', onTarget: outcome.focus.has(id) });
      } else differences.push(...itemDifferences(arena, meta.resource, path, id, item, seen, outcome.focus.has(id)));
    }
    for (const id of got.keys()) if (!want.has(id) && membershipCompared(id)) differences.push({ path, id, kind: 'unexpected', onTarget: outcome.focus.has(id) });
  }
  for (const [path, want] of expected.singletons) {
    const got = actual.singletons.get(path);
    if (!got) continue;
    differences.push(...itemDifferences(arena, resources.singleton(path), path, undefined, want, got, outcome.focusPaths.has(path)));
  }
  return differences;
}

/** Whether the prediction changes anything in `state` (an effect that only writes values the state already has does not). */
export function changesState(state: ArenaState, prediction: Prediction): boolean {
  if (prediction.status !== 204) return false;
  if (prediction.creates.length > 0 || prediction.removes.length > 0) return true;
  return prediction.sets.some((set) => {
    const item = set.target.kind === 'singleton' ? state.singletons.get(set.target.singleton.path) : state.collections.get(set.target.collection.path)?.get(set.target.id);
    if (!item) return true;
    return Object.entries(set.values).some(([name, expected]) => (!expected.ifPresent || name in item) && canonicalJson(item[name]) !== canonicalJson(expected.value));
  });
}

/** `paused: false → true`: a short account of one difference. */
export function describeDifference(difference: Difference): string {
  const where = `${difference.path}${difference.id && difference.kind === 'value' ? ` item ${difference.id}` : ''}`;
  switch (difference.kind) {
    case 'missing':
      return `${where}: ${difference.id} is not listed`;
    case 'unexpected':
      return `${where}: ${difference.id} is listed`;
    case 'value':
      return `${where}: ${difference.property} is ${JSON.stringify(difference.actual)}, expected ${JSON.stringify(difference.expected)}`;
  }
}

/** A resource lookup for {@link compareStates} from the arena and the scopes read. */
export function resourceLookup(arena: Arena, ...scopes: Scope[]) {
  const collections = new Map<string, { resource: ResourceType; transient: boolean }>();
  const singletons = new Map<string, ResourceType | undefined>();
  for (const scope of [{ collections: arena.collections, singletons: arena.singletons }, ...scopes]) {
    scope.collections.forEach((c) => collections.set(c.path, { resource: c.node.resource, transient: c.transient }));
    scope.singletons.forEach((s) => singletons.set(s.path, s.node.resource));
  }
  return { collection: (path: string) => collections.get(path), singleton: (path: string) => singletons.get(path), add(scope: Scope) {
    scope.collections.forEach((c) => collections.set(c.path, { resource: c.node.resource, transient: c.transient }));
    scope.singletons.forEach((s) => singletons.set(s.path, s.node.resource));
  } };
}

export type ResourceLookup = ReturnType<typeof resourceLookup>;

/** The ref of an instance listed in a collection, with its name where its resource has one. */
export function refOfItem(resource: ResourceType, item: Item): InstanceRef {
  const ref: InstanceRef = { id: String(item.id) };
  if (resource.nameProperty && typeof item[resource.nameProperty] === 'string') ref.name = item[resource.nameProperty] as string;
  return ref;
}
