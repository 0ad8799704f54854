/**
 * Comparing states: where the target's state differs from the expected one, telling the action's own targets
 * from bystanders, and which properties two reads are compared on.
 */
import type { ResourceType } from '../../contracts/resource-model.js';
import { differingProperties, sameCanonicalJson } from '../compare.js';
import type { Arena, Scope } from './arena.js';
import type { ArenaState, Item } from './arena-state.js';
import type { ExpectedOutcome } from './expected-outcome.js';
import type { Prediction } from './prediction.js';

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

/**
 * The properties two reads of `resource` are compared on (the stable ones and those actions write) whose values
 * differ between `a` and `b`, sorted.
 */
export function differingComparedProperties(arena: Arena, resource: ResourceType | undefined, a: Item, b: Item): string[] {
  const volatile = resource?.volatileProperties ?? [];
  const controlled = resource && arena.controlled.get(resource.name);
  return differingProperties(a, b, (key) => !volatile.includes(key) || controlled?.has(key) === true);
}

function itemDifferences(arena: Arena, resource: ResourceType | undefined, path: string, id: string | undefined, expected: Item, actual: Item, onTarget: boolean): Difference[] {
  return differingComparedProperties(arena, resource, expected, actual)
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
    return Object.entries(set.values).some(([name, expected]) => (!expected.ifPresent || name in item) && !sameCanonicalJson(item[name], expected.value));
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
