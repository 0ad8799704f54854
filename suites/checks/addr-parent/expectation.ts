/**
 * What a path to an instance under a parent that does not hold it must answer, judged against that parent's
 * listing read fresh, and what explains an answer that breaks it (the parent gained the instance meanwhile).
 */
import type { AddressingForm, InstanceRef } from '../../../contracts/resource-model.js';
import { lists, type FreshListing } from '../../arbitraries/foreign-parent.js';
import { bodyId } from '../../compare.js';
import type { Exchange } from '../../target-client.js';

/**
 * What a path to an instance under a parent that does not hold it must answer, given that parent's listing: 404,
 * except that the name form reaches the parent's own instance of that name when it has one (extension 101 of core
 * server B is B's own 101, a different instance: correct, not a leak).
 */
export type Expectation = { kind: 'absent' } | { kind: 'namesake'; id: string };

export function expectationFor(listing: Required<FreshListing>, instance: InstanceRef, form: AddressingForm): Expectation {
  const namesake = form === 'name' ? listing.items.find(({ ref }) => ref.name === instance.name) : undefined;
  return namesake ? { kind: 'namesake', id: namesake.ref.id } : { kind: 'absent' };
}

/** Whether the answer breaks the expectation. A namesake that does not answer is ADDR-NAME's to judge, not ours. */
export function breaksExpectation(expectation: Expectation, answer: Exchange): boolean {
  if (expectation.kind === 'absent') return answer.status !== 404;
  return answer.status === 200 && bodyId(answer.json) !== expectation.id;
}

/** Whether a listing read after the answer explains it: the parent gained the instance, or a namesake that answered. */
export function explainedByNewMembership(listing: FreshListing, instance: InstanceRef, form: AddressingForm, answer: Exchange): boolean {
  if (!listing.items || lists(listing, instance.id)) return true;
  if (form !== 'name' || answer.status !== 200) return false;
  return listing.items.some(({ ref }) => ref.name === instance.name && ref.id === bodyId(answer.json));
}

