/**
 * Which collections live telephony fills and empties on its own, so that two reads of them may list different
 * members on a correct server.
 */
import type { ResourceModel, ResourceType } from '../contracts/resource-model.js';

/**
 * Whether instances of `resource` come and go on their own. The contract says so of a resource that an action
 * creates as `transient` (live telephony may end it at any time: a call). Beyond that, a configured object (one
 * with a symbolic name or an identity beyond its UUID, such as a configurationId: extensions, queues, users,
 * conference rooms, core servers) does not; of the others, those that the API acts on (agents are paused and
 * logged out, calls transferred) are live telephony objects that a PBX also makes and ends without the API (an
 * agent logs in from a phone); one that no action touches (a user's logins) is taken to keep its members while
 * the checker reads.
 */
export function membershipIsLive(resource: ResourceType, model: ResourceModel): boolean {
  const createdTransient = model.actions.some((action) =>
    action.effects.effects.some((effect) => effect.kind === 'create' && effect.transient && effect.resource === resource),
  );
  if (createdTransient) return true;
  const configured = resource.nameProperty !== undefined || resource.identityProperties.some((key) => key !== 'id');
  if (configured) return false;
  return model.actions.some((action) => action.ownerInstance.resource === resource);
}
