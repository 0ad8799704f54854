/**
 * Live telephony moving the state on its own (LIVE-API.md §5: agents, calls and logins come and go): when an
 * answer other than the predicted one is not a fault, and how a modelled state adopts what live telephony did.
 */
import type { Arena } from './arena.js';
import { mergeStates, type ArenaState } from './arena-state.js';
import { expectedAfter } from './expected-outcome.js';
import type { ActionInvocation } from './invocation.js';
import { predict, type Prediction } from './prediction.js';
import { compareStates, type Difference, type ResourceLookup } from './state-comparison.js';

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
 * How many times, at most, an action is sent while it answers 409 over members that come and go on their own and
 * no look shows one ({@link sendAgain}); and how many runs in a row a case whose target may have left on its own
 * must show a finding for it to stand (`runActionProperties`). Where such members churn fast and the look after an
 * action comes late (a loaded target, a slow network), a member met at one send is often gone by the look; one resend
 * was not enough (the liberal churning server, on a loaded CI machine, refused a login twice with no agent in
 * sight). Each send divides the chance again, while a target that refuses for no conflict is still refused on
 * every send, and caught.
 */
export const FLICKER_SENDS = 4;

/**
 * Whether to send an action again after `sends` sends, the last answered `status`: a 409 where the look predicted
 * 204, over members that come and go on their own, while the look after it shows none that explains it, may be a
 * member that came and went around the action (an agent that logged in at its phone and out again before the look:
 * LIVE-API.md §5). The action then changed nothing, and the checker sends it again rather than judge a state it
 * could not see, up to {@link FLICKER_SENDS} sends in all.
 */
export function sendAgain(sends: number, arena: Arena, looks: { before: ArenaState; after: ArenaState }, invocation: ActionInvocation, prediction: Prediction, status: number, lookup: ResourceLookup): boolean {
  return (
    sends < FLICKER_SENDS &&
    status === 409 &&
    prediction.status === 204 &&
    conflictOnLiveMembership(invocation) &&
    !stateMovedOnItsOwn(arena, looks.before, looks.after, invocation, prediction, status, lookup)
  );
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
 * Whether an attempt that must be refused with `required` and answered `status` instead can be live telephony
 * rather than a fault (LIVE-API.md §5), judged from the looks `before` and `after` the attempt: a conflict lifted
 * before the look (the look no longer predicts it); the instance acted on (a call) ended before the look, so that
 * a 404 says nothing of the body; or the state moved between the look and the action ({@link stateMovedOnItsOwn}).
 */
export function refusalMovedOnItsOwn(
  arena: Arena,
  looks: { before: ArenaState; after: ArenaState },
  invocation: ActionInvocation,
  required: number,
  status: number,
  lookup: ResourceLookup,
): boolean {
  if (status === required) return false;
  const prediction = predict(arena, looks.before, invocation);
  if (required === 409 && prediction.status !== 409) return true;
  if (required !== 404 && endedOnItsOwn(prediction, status, looks.before)) return true;
  return stateMovedOnItsOwn(arena, looks.before, looks.after, invocation, prediction, status, lookup);
}

/**
 * Whether, among the differences a look after an action shows, a member that the effect makes a claim about (the
 * instance acted on, one it created) is not listed in a collection whose members come and go on their own (an agent
 * that logged out at its phone, a call that ended: LIVE-API.md §5).
 */
export function claimedMemberLeft(differences: readonly Difference[], lookup: ResourceLookup): boolean {
  return differences.some((d) => {
    const meta = lookup.collection(d.path);
    return d.kind === 'missing' && (meta?.resource.liveMembership === true || meta?.transient === true);
  });
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

/**
 * The members that an action answered `status` created or removed, by the contract's effects, as the looks around
 * it show them: none when it was refused; when the look predicted a conflict that was lifted meanwhile and it
 * answered 204 all the same, what it does when allowed. A create that no new member matches (a faulty target: in
 * one of its collections only, or with other values) counts every member new in its collections.
 */
export function membersMovedBy(arena: Arena, before: ArenaState, after: ArenaState, invocation: ActionInvocation, prediction: Prediction, status: number): string[] {
  if (status < 200 || status >= 300) return [];
  const done = prediction.status === 409 ? predict(arena, before, invocation, { ignoreConflicts: true }) : prediction;
  if (done.creates.length === 0 && done.removes.length === 0) return [];
  const { createdIds } = expectedAfter(before, done, after);
  const created = done.creates.flatMap((create, index) => {
    const id = createdIds[index];
    if (id !== undefined) return [id];
    return create.collections.flatMap((collection) => {
      const was = before.collections.get(collection.path);
      return [...(after.collections.get(collection.path)?.keys() ?? [])].filter((member) => was !== undefined && !was.has(member));
    });
  });
  return [...created, ...done.removes.map((remove) => remove.id)];
}

/**
 * The members that joined or left collections whose members come and go on their own between two looks: what an
 * action that must change nothing did when it was accepted anyway, or live telephony (one cannot tell them apart).
 */
export function liveMembershipChanges(before: ArenaState, after: ArenaState, lookup: ResourceLookup): string[] {
  const changed = new Set<string>();
  for (const [path, members] of after.collections) {
    const was = before.collections.get(path);
    if (!was || !lookup.collection(path)?.resource.liveMembership) continue;
    for (const id of members.keys()) if (!was.has(id)) changed.add(id);
    for (const id of was.keys()) if (!members.has(id)) changed.add(id);
  }
  return [...changed];
}
