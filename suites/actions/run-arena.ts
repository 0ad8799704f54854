/**
 * The arena of a run, built once from discovery and kept for the run's later action sessions. Its instances are
 * configured objects (the parents of watched collections, the owners of watched sub-resources), which no action of
 * the contract creates or removes: an action that makes discovery stale (an agent logged in again under a new UUID)
 * leaves the arena as it was, and building it again would cost a walk of the whole target per check, a second or
 * more on a network. It is not kept when the contract has an action that creates or removes such an instance, and
 * is built again when a look finds one of its paths gone (a target restarted meanwhile).
 */
import type { ResourceModel, ResourceType } from '../../contracts/resource-model.js';
import type { CheckEnvironment } from '../check.js';
import { ScopedState } from '../run-scope.js';
import type { ArenaState } from './arena-state.js';
import { buildArena, type Arena } from './arena.js';

const arenaOfRun = new ScopedState<{ arena?: Arena }>('arena of the run', () => ({}));

/** The resources whose instances some action of the model creates or removes. */
function comingAndGoing(model: ResourceModel): Set<ResourceType> {
  const resources = new Set<ResourceType>();
  for (const action of model.actions) {
    for (const effect of action.effects.effects) {
      if (effect.kind === 'create') resources.add(effect.resource);
      if (effect.kind !== 'remove') continue;
      if (effect.target.kind === 'self') resources.add(action.ownerInstance.resource);
      else effect.target.collections.forEach((collection) => resources.add(collection.node.resource));
    }
  }
  return resources;
}

/** Whether no action can create or remove an instance the arena is built on. */
function outlivesActions(arena: Arena): boolean {
  const moving = comingAndGoing(arena.model);
  return [...arena.instances.keys()].every((node) => !moving.has(node.resource));
}

/** The run's arena: the kept one, or one built from discovery now (and kept, where it outlives actions). */
export async function runArena(context: CheckEnvironment): Promise<{ arena: Arena; kept: boolean }> {
  const holder = context.scope.state(arenaOfRun);
  if (holder.arena) return { arena: holder.arena, kept: true };
  const arena = buildArena(context.model, await context.discovery(), { seed: context.settings.seed });
  if (outlivesActions(arena)) holder.arena = arena;
  return { arena, kept: false };
}

/** Forgets the kept arena: the next session builds one from discovery. */
export function forgetRunArena(context: CheckEnvironment): void {
  context.scope.state(arenaOfRun).arena = undefined;
}

/** Whether a look at the whole arena read every path of it: a kept arena whose instances are gone does not stand. */
export function arenaStands(arena: Arena, state: ArenaState): boolean {
  return arena.collections.every((collection) => state.collections.has(collection.path)) && arena.singletons.every((singleton) => state.singletons.has(singleton.path));
}
