import { buildPath, type ResourceModel, type ResourceType } from '../../contracts/resource-model.js';
import { joinScopes, type ArenaCollection, type Scope } from '../actions/arena.js';
import { listingsOf, type ArenaState } from '../actions/arena-state.js';
import { expectedAfter } from '../actions/expected-outcome.js';
import { predict, scopeOf, type Prediction } from '../actions/prediction.js';
import { describeInvocation, type ActionInvocation } from '../actions/invocation.js';
import { sendAgain } from '../actions/moved-on-its-own.js';
import { planCreate, planRemove } from '../actions/restore-planner.js';
import { withActionSession, type ActionSession } from '../actions/session.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { describeOutcome } from '../finding.js';
import { seededRandom } from '../seeded-random.js';

/** How many members are tried before giving up (a member gone since the look, or one the removal refuses). */
const MAX_ATTEMPTS = 6;

/**
 * The resources the contract lets the checker destroy and add again: some action's `remove` takes an instance of
 * it out of every collection (its UUID then answers 404), and some action's `create` makes one that is not
 * transient (not a call, which live telephony ends). Found from the effects alone, no action by name.
 */
export function recreatableResources(model: ResourceModel): Set<ResourceType> {
  const removed = new Set<ResourceType>();
  const created = new Set<ResourceType>();
  for (const action of model.actions) {
    for (const effect of action.effects.effects) {
      if (effect.kind === 'remove' && !effect.from) removed.add(effect.target.kind === 'self' ? action.ownerInstance.resource : effect.target.collections[0].node.resource);
      if (effect.kind === 'create' && !effect.transient) created.add(effect.resource);
    }
  }
  return new Set([...removed].filter((resource) => created.has(resource)));
}

/** One member to destroy and add again: its id, the collections that list it, and its instance path. */
interface Member {
  id: string;
  resource: ResourceType;
  listings: ArenaCollection[];
  path: string;
}

/** The members of the arena's collections of `resources` that have an instance path, in a seeded order. */
function memberCandidates(session: ActionSession, resources: Set<ResourceType>, seed: number): Member[] {
  const { arena, current } = session;
  const members = new Map<string, Member>();
  for (const collection of arena.collections.filter((c) => resources.has(c.node.resource) && c.node.item && !c.transient)) {
    for (const id of current.collections.get(collection.path)?.keys() ?? []) {
      if (members.has(id)) continue;
      const listings = listingsOf(current, id).flatMap((path) => arena.collections.filter((c) => c.path === path && !c.transient));
      members.set(id, { id, resource: collection.node.resource, listings, path: buildPath(collection.node.item!, [...collection.parentRefs, { id }]) });
    }
  }
  return shuffled([...members.values()], seed);
}

/** The candidates in a seeded order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

/** The look around a member: the collections listing it and what its removal and re-creation read. */
function memberScope(session: ActionSession, member: Member, removal: ActionInvocation): Scope {
  return joinScopes({ collections: member.listings, singletons: [] }, scopeOf(session.arena, session.current, removal));
}

/**
 * Destroys `member` with the action the contract's effects give for it and adds it again with the action that the
 * restore planner gives to put it back as it was (same values: a queue login with the old `paused` and `penalty`);
 * then judges the new member's UUID. `unremovable`: the model says no action destroys it (a static agent), nothing
 * was sent; `next`: it could not be destroyed (gone since the last look, or refused).
 */
async function recreateOne(session: ActionSession, member: Member): Promise<'unremovable' | 'next' | 'done'> {
  const { arena, context } = session;
  const removal = planRemove(arena, session.current, member.id, member.resource, member.listings, true);
  if (!removal) return 'unremovable';
  const scope = memberScope(session, member, removal);
  const before = await session.observe(scope);
  // All that is known of the target (the session's state, fresh around the member after that look) also holds what
  // the re-creation's body names (the extension an agent is logged in from): the removal is predicted on it once.
  const known = session.current;
  const removing = predict(arena, known, removal);
  const item = member.listings.map((c) => before.state.collections.get(c.path)?.get(member.id)).find((found) => found !== undefined);
  if (removing.status !== 204 || !item) return 'next'; // gone, or refused, since the last look
  // The re-creation is planned before anything is sent, on the state the removal leaves as the model says: a member
  // that no action adds again is never removed, and what live telephony changes meanwhile (an agent logging in at
  // its phone, LIVE-API.md §5) does not enter the plan.
  const recreation = planCreate(arena, expectedAfter(known, removing, known).state, item, member.resource, member.listings);
  if (!recreation) return 'unremovable';
  const removed = requireAnswer(await session.act(removal));
  if (removed.status !== 204) {
    context.note(`${describeInvocation(removal)} answered ${describeOutcome(removed)}: tried another member`);
    return 'next';
  }
  // The member removed, and the one added again, are the checker's: a restore puts them back (agents that come and
  // go on their own are left alone).
  session.claimMembers([member.id]);
  const gone = await session.observe(scope);
  const beforeRecreation = session.current;
  const predicted = predict(arena, beforeRecreation, recreation);
  let created = requireAnswer(await session.act(recreation));
  let after = await session.observe(scope);
  // A 409 with no conflict in sight may be an agent of the extension that logged in at its phone and out again
  // around the login, unseen by either look (LIVE-API.md §5): sent again, as an action case does.
  for (let sends = 1; sendAgain(sends, arena, { before: gone.state, after: after.state }, recreation, predicted, created.status, session.lookup); sends += 1) {
    created = requireAnswer(await session.act(recreation));
    after = await session.observe(scope);
  }
  if (created.status !== 204 && (predicted.status !== 204 || predict(arena, session.current, recreation).status !== 204)) {
    // Live telephony moved the state between the removal and the re-creation (the extension logged in at its
    // phone meanwhile, seen by the look before the login or by the one after it): not the target's fault. The
    // restore ledger puts the member back at the end.
    context.note(`${describeInvocation(recreation)} answered ${describeOutcome(created)} after the state moved on its own: tried another member`);
    return 'next';
  }
  const newId = created.status === 204 ? recreatedId(session, predicted, beforeRecreation, gone.state, after.state, recreation) : undefined;
  session.claimMembers([newId]);
  if (newId === undefined) {
    return context.undecided(`${describeInvocation(recreation)}, sent to add ${member.id} again, answered ${describeOutcome(created)} and no new member is listed: the re-creation could not be observed`);
  }
  context.note(`${describeInvocation(removal)}, then ${describeInvocation(recreation)}: member ${member.id} → ${newId}`);
  const stale = requireAnswer(await context.client.get(member.path));
  const exchanges = [...before.exchanges.values(), removed, created, ...after.exchanges.values()];
  if (newId === member.id) {
    context.report({
      message: `The ${member.resource.name} re-created by ${removal.action.definition.name} and ${recreation.action.definition.name} has the UUID of the one it replaced.`,
      expected: `a new UUID (not ${member.id})`,
      actual: member.id,
      exchanges,
      provenance: 'doc',
    });
  } else if (stale.status !== 404) {
    context.report({
      message: `The UUID of a ${member.resource.name} destroyed by ${removal.action.definition.name} still answers after ${recreation.action.definition.name} added it again.`,
      expected: '404',
      actual: describeOutcome(stale),
      exchanges: [...exchanges, stale],
      provenance: 'doc',
    });
  }
  return 'done';
}

/**
 * The member that `recreation` created: listed in `after` and not in `gone`, with the effect's values by preference.
 * `known` is all that was known of the target when it was sent (the names its body refers to), and `prediction`
 * what was predicted on it.
 */
function recreatedId(session: ActionSession, prediction: Prediction, known: ArenaState, gone: ArenaState, after: ArenaState, recreation: ActionInvocation): string | undefined {
  // It answered 204 where the look saw a conflict: one over members that come and go on their own (an agent of the
  // extension that logged in at its phone after the removal) was lifted before it came, and it did what it does
  // when allowed.
  const done = prediction.status === 409 ? predict(session.arena, known, recreation, { ignoreConflicts: true }) : prediction;
  return expectedAfter(gone, done, after).createdIds[0];
}

/**
 * RECREATE-NEW-UUID: an object destroyed and re-added gets a new UUID. A member of a collection is destroyed by an
 * action whose effect removes it from everywhere and added again by the action the restore planner gives to put it
 * back (an agent: logged out, and logged in again with its old `paused` and `penalty`); the new member must have a
 * new UUID and the old UUID must answer 404. The restore ledger puts back whatever still differs at the end.
 */
export const recreateNewUuidCheck: ConformanceCheck = {
  ruleId: 'RECREATE-NEW-UUID',
  async run(context) {
    if (context.settings.actionsAllowed === false) {
      return context.notApplicable('the run is read-only (the ACT rules are skipped): re-creating a member takes an action that removes it and one that adds it');
    }
    const resources = recreatableResources(context.model);
    if (resources.size === 0) return context.notApplicable('no action of the contract removes an instance everywhere that another action creates again');
    await withActionSession(context, async (session) => {
      const candidates = memberCandidates(session, resources, context.settings.seed);
      if (candidates.length === 0) context.notApplicable(`no ${[...resources].map((r) => r.name).join(' or ')} is listed where an action removes it`);
      let attempts = 0;
      for (const member of candidates) {
        if (attempts >= MAX_ATTEMPTS) break;
        const attempt = await recreateOne(session, member);
        if (attempt === 'done') return;
        if (attempt === 'next') attempts += 1;
      }
      context.notApplicable(`none of ${attempts} member(s) tried could be removed and added again (static members, or gone)`);
    });
  },
};
