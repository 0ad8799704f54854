/**
 * The state of the arena as the actions family sees it, and how it is read: the members of each watched
 * collection (as listed, keyed by id) and the value of each watched sub-resource. The same shape holds what the
 * target showed (an observation) and what the effect model predicts, so that the two compare directly.
 */
import { requireAnswer } from '../check.js';
import { sameCanonicalJson } from '../compare.js';
import { inCanonicalOrder } from '../canonical-order.js';
import { inOrder } from '../in-order.js';
import type { Exchange, TargetClient } from '../target-client.js';
import type { ArenaCollection, ArenaSingleton, Scope } from './arena.js';

/** One listed instance or one sub-resource, as JSON. */
export type Item = Record<string, unknown>;

/** Collections (path → id → item) and sub-resources (path → value). Only what was read (or modelled) is present. */
export interface ArenaState {
  collections: Map<string, Map<string, Item>>;
  singletons: Map<string, Item>;
}

/** A look at the target: the state, with the exchange of every read (for findings). */
export interface Observation {
  state: ArenaState;
  /** Path → the GET that read it. */
  exchanges: Map<string, Exchange>;
  /** Reads that did not answer 200 with the expected JSON shape. */
  unreadable: Exchange[];
}

/** A state with nothing in it. */
export function emptyState(): ArenaState {
  return { collections: new Map(), singletons: new Map() };
}

/**
 * A deep copy of one item. Items are JSON (parsed bodies, values of action bodies), so plain objects and arrays are
 * copied by hand, several times faster than structuredClone on the arena's thousands of items; anything else that
 * is an object (which JSON never gives) still goes through structuredClone, so the copy is the same.
 */
function copyItem<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyItem) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyItem((value as Record<string, unknown>)[key]);
  return copy as T;
}

function copyMembers(members: Map<string, Item>): Map<string, Item> {
  return new Map([...members].map(([id, item]) => [id, copyItem(item)]));
}

/** A deep copy: the model changes its copy, never the observation. */
export function cloneState(state: ArenaState): ArenaState {
  return {
    collections: new Map([...state.collections].map(([path, members]) => [path, copyMembers(members)])),
    singletons: new Map([...state.singletons].map(([path, item]) => [path, copyItem(item)])),
  };
}

/**
 * A copy of the maps of a state (paths and members) that shares the items: for a model that adds, removes and
 * replaces members, never writing an item in place (the checker never does: an effect's values make a new item).
 * What the effects lead to is worked out so for every case, where a deep copy of each item was most of the cost.
 */
export function cloneStateSharingItems(state: ArenaState): ArenaState {
  return {
    collections: new Map([...state.collections].map(([path, members]) => [path, new Map(members)])),
    singletons: new Map(state.singletons),
  };
}

/** `base` with every path that `update` has replaced by `update`'s value (a deep copy; a replaced path is copied once). */
export function mergeStates(base: ArenaState, update: ArenaState): ArenaState {
  const collections = new Map<string, Map<string, Item>>();
  for (const [path, members] of base.collections) collections.set(path, copyMembers(update.collections.has(path) ? update.collections.get(path)! : members));
  for (const [path, members] of update.collections) if (!collections.has(path)) collections.set(path, copyMembers(members));
  const singletons = new Map<string, Item>();
  for (const [path, item] of base.singletons) singletons.set(path, copyItem(update.singletons.has(path) ? update.singletons.get(path)! : item));
  for (const [path, item] of update.singletons) if (!singletons.has(path)) singletons.set(path, copyItem(item));
  return { collections, singletons };
}

/**
 * `base` with every path that `update` holds replaced by `update`'s, sharing their maps and items (nothing is
 * copied): for a state that is only read, such as the one a restore plans on, where a deep copy of all that is
 * known would be most of the cost on a large target. Whoever changes the result must use {@link mergeStates}.
 */
export function overlaidStates(base: ArenaState, update: ArenaState): ArenaState {
  return {
    collections: new Map([...base.collections, ...update.collections]),
    singletons: new Map([...base.singletons, ...update.singletons]),
  };
}

/** Whether two items have the same content (the same object has, without writing it out). */
function sameContent(a: unknown, b: unknown): boolean {
  return sameCanonicalJson(a, b);
}

/** Whether two collections list the same ids with the same content each. */
function sameMembers(a: Map<string, Item>, b: Map<string, Item>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [id, item] of a) if (!b.has(id) || !sameContent(item, b.get(id))) return false;
  return true;
}

/** The paths held by both states whose content differs. */
export function changedPaths(a: ArenaState, b: ArenaState): string[] {
  const collections = [...a.collections].filter(([path, members]) => b.collections.has(path) && !sameMembers(members, b.collections.get(path)!));
  const singletons = [...a.singletons].filter(([path, value]) => b.singletons.has(path) && !sameContent(value, b.singletons.get(path)));
  return [...collections, ...singletons].map(([path]) => path);
}

/** The paths of collections that list `id`. */
export function listingsOf(state: ArenaState, id: string): string[] {
  return [...state.collections].filter(([, members]) => members.has(id)).map(([path]) => path);
}

/**
 * The paths of collections that list each id, in the order of `state` (as {@link listingsOf} gives them), of the
 * collections at `onlyPaths` when given (the others are not even looked at): one pass
 * over the state, for a caller that asks about every id of a state (asking listingsOf each time scans every
 * collection per id, which on a large target is most of a restore's planning).
 */
export function listingIndex(state: ArenaState, onlyPaths?: ReadonlySet<string>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const [path, members] of state.collections) {
    if (onlyPaths && !onlyPaths.has(path)) continue;
    for (const id of members.keys()) {
      const paths = index.get(id);
      if (paths) paths.push(path);
      else index.set(id, [path]);
    }
  }
  return index;
}

function isItem(value: unknown): value is Item {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads every collection and sub-resource of `scope`, as many at once as the client lets be in flight.
 * Throws TargetUnavailableError when the target does not answer, so the rule ends as `error`.
 */
export async function observe(client: TargetClient, scope: Scope): Promise<Observation> {
  const state = emptyState();
  const exchanges = new Map<string, Exchange>();
  const unreadable: Exchange[] = [];
  const reads: (ArenaCollection | ArenaSingleton)[] = [...scope.collections, ...scope.singletons];
  const answers = await inOrder(reads, client.maxConcurrentRequests, async (read) => requireAnswer(await client.get(read.path)));
  reads.forEach((read, index) => {
    const exchange = answers[index];
    exchanges.set(read.path, exchange);
    if (read.kind === 'collection') {
      if (exchange.status !== 200 || !Array.isArray(exchange.json)) return void unreadable.push(exchange);
      // In the canonical order, not the target's: what is drawn from the state must not depend on list order.
      const members = new Map<string, Item>();
      const items = exchange.json.filter((item): item is Item => isItem(item) && typeof item.id === 'string');
      for (const item of inCanonicalOrder(read.node.resource, items)) members.set(item.id as string, item);
      state.collections.set(read.path, members);
    } else {
      if (exchange.status !== 200 || !isItem(exchange.json)) return void unreadable.push(exchange);
      state.singletons.set(read.path, exchange.json);
    }
  });
  return { state, exchanges, unreadable };
}
