/**
 * Applying a prediction: the state an action leads to, learning the ids of created instances from what the target
 * lists afterwards, and what the effect makes a claim about (for telling the action's targets from bystanders).
 */
import { sameCanonicalJson } from '../compare.js';
import { cloneStateSharingItems, type ArenaState, type Item } from './arena-state.js';
import type { ExpectedCreate, ExpectedValue, Prediction } from './prediction.js';

function matchesValues(item: Item, values: Record<string, ExpectedValue>): boolean {
  return Object.entries(values).every(([name, expected]) => (expected.ifPresent && !(name in item)) || sameCanonicalJson(item[name], expected.value));
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
  const state = cloneStateSharingItems(before);
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
