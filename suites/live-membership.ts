/**
 * Which collections live telephony fills and empties on its own, so that two reads of them may list different
 * members on a correct server.
 */
import type { ResourceModel, ResourceType } from '../contracts/resource-model.js';

/**
 * Whether instances of `resource` come and go on their own: the contract says so with `x-live-membership`
 * (LIVE-API.md §5: call segments, agents, logins), or by an action that creates it `transient` (a call).
 */
export function membershipIsLive(resource: ResourceType, model: ResourceModel): boolean {
  if (resource.liveMembership) return true;
  return model.actions.some((action) => action.effects.effects.some((effect) => effect.kind === 'create' && effect.transient && effect.resource === resource));
}
