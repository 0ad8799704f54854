/**
 * Which collections live telephony fills and empties on its own, so that two reads of them may list different
 * members on a correct server. The contract has no marker for it (yet); it is inferred from the resource model.
 */
import type { ResourceModel, ResourceType } from '../contracts/resource-model.js';

/**
 * Whether instances of `resource` come and go on their own. A configured object (one with a symbolic name or an
 * identity beyond its UUID, such as a configurationId: extensions, queues, users, conference rooms, core servers)
 * does not. Of the others, those that the API acts on (agents are paused and logged out, calls transferred) are
 * the live telephony objects that the PBX makes and ends; one that no action touches (a user's logins) is taken
 * to keep its members while the checker reads.
 */
export function membershipIsLive(resource: ResourceType, model: ResourceModel): boolean {
  const configured = resource.nameProperty !== undefined || resource.identityProperties.some((key) => key !== 'id');
  if (configured) return false;
  return model.actions.some((action) => action.ownerInstance.resource === resource);
}
