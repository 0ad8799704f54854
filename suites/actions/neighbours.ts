/**
 * The neighbours of what an action acts on, where a misdirected or spilling effect would land: the same
 * collection under parents that differ at one level only (the same queue or extension on another core server,
 * another queue of the same extension), and the collections that list the owner now.
 */
import type { InstanceRef } from '../../contracts/resource-model.js';
import type { Arena, ArenaCollection, ArenaSingleton, Scope } from './arena.js';
import { listingsOf, type ArenaState } from './arena-state.js';
import { ownerOf } from './prediction.js';
import type { ActionInvocation } from './invocation.js';

/** How many levels two ref lists differ at (by id). */
function levelsApart(a: InstanceRef[], b: InstanceRef[]): number {
  return a.reduce((count, ref, index) => count + (ref.id === b[index]?.id ? 0 : 1), 0);
}

/** Up to `max` of `candidates` whose refs differ from `refs` at exactly one level, the highest levels first. */
function oneLevelApart<T>(candidates: T[], refsOf: (t: T) => InstanceRef[], refs: InstanceRef[], max: number): T[] {
  const firstDifference = (other: InstanceRef[]) => other.findIndex((ref, index) => ref.id !== refs[index]?.id);
  return candidates
    .filter((c) => refsOf(c).length === refs.length && levelsApart(refsOf(c), refs) === 1)
    .sort((a, b) => firstDifference(refsOf(a)) - firstDifference(refsOf(b)))
    .slice(0, max);
}

/**
 * The owner's collection (or sub-resource) under parents one level apart: where an action addressed by name
 * would land if it resolved a name under the wrong parent. At most `max` of them, the highest levels first.
 */
export function twinScope(arena: Arena, invocation: ActionInvocation, max = 3): Scope {
  const owner = ownerOf(arena, invocation);
  if (owner.kind === 'singleton') {
    const twins = oneLevelApart<ArenaSingleton>(arena.singletons.filter((s) => s.node === owner.singleton.node), (s) => s.ownerRefs, owner.singleton.ownerRefs, max);
    return { collections: [], singletons: twins };
  }
  const twins = oneLevelApart<ArenaCollection>(arena.collections.filter((c) => c.node === owner.collection.node), (c) => c.parentRefs, owner.collection.parentRefs, max);
  return { collections: twins, singletons: [] };
}

/** The watched collections that list the action's owner in `state`. */
export function ownerListingsScope(arena: Arena, state: ArenaState, invocation: ActionInvocation): Scope {
  const owner = ownerOf(arena, invocation);
  if (owner.kind === 'singleton') return { collections: [], singletons: [] };
  const paths = new Set(listingsOf(state, owner.id));
  return { collections: arena.collections.filter((c) => paths.has(c.path)), singletons: [] };
}
