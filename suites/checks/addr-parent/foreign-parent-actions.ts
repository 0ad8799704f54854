/**
 * ADDR-PARENT's actions: an action on a real instance addressed under a parent that does not hold it answers 404
 * and changes nothing. The action and its body come from the effect model (`action-probe.ts`), the state around it
 * is read before and after through the actions family's session, and what a wrong success changed is put back by
 * the restore ledger, as after an ACT case.
 */
import fc from 'fast-check';
import { formsLabel, type AddressingForm, type ResourceModel } from '../../../contracts/resource-model.js';
import {
  alternativesTo, foreignParentActionCase, foreignParentPools, freshPairs, lists, nestedCollections, ownRef, pairRefs, parentParameter, readListing, sameCollectionSources,
  type ForeignParentCase, type ForeignParentPool, type FreshPair,
} from '../../arbitraries/foreign-parent.js';
import { bodyDraft, type BodyDraft } from '../../arbitraries/request-body.js';
import { joinScopes } from '../../actions/arena.js';
import { liveMembershipChanges } from '../../actions/moved-on-its-own.js';
import { scopeOf } from '../../actions/prediction.js';
import { compareStates, describeDifference } from '../../actions/state-comparison.js';
import { describeInvocation, formsFromWishes, type ActionInvocation } from '../../actions/invocation.js';
import { withActionSession, type ActionSession } from '../../actions/session.js';
import { requireAnswer, type CheckContext } from '../../check.js';
import { describeOutcome, type FindingInput } from '../../finding.js';
import type { Exchange } from '../../target-client.js';
import { describeEffect, probeActions, probeInvocations, viableProbes, type ActionProbe, type ProbeActions } from './action-probe.js';
import { expectationFor } from './expectation.js';
import { chainLabel, instanceLabel } from './labels.js';

/** One case: a foreign-parent pair, the addressing wishes, a body draft per action of the path, and which probe to post. */
type ActionCase = ForeignParentCase & { byName: boolean[]; target: ProbeActions; drafts: (BodyDraft | undefined)[]; pick: number };

function actionCases(pools: readonly ForeignParentPool[], target: ProbeActions): fc.Arbitrary<ActionCase> {
  const drafts = fc.tuple(...target.actions.map((action) => bodyDraft(action, true)));
  return fc
    .tuple(foreignParentActionCase(pools), drafts, fc.nat({ max: 63 }))
    .map(([fpCase, drawn, pick]): ActionCase => ({ ...fpCase, target, drafts: drawn, pick }));
}

/** Counts of what was posted, for the report's notes. */
class ActionTally {
  readonly tried = new Map<string, number>();
  readonly forms = new Set<string>();
  /** Instances on which no action of the path would have shown (every effect already in place, or none undoable). */
  unchangeable = 0;

  add(label: string, forms: AddressingForm[]): void {
    this.tried.set(label, (this.tried.get(label) ?? 0) + 1);
    this.forms.add(formsLabel(forms));
  }

  line(): string {
    const counts = [...this.tried.entries()].sort().map(([label, count]) => `${label} ×${count}`).join(', ');
    return `actions posted under a foreign parent, each answering 404 and changing nothing: ${counts || 'none'} (${this.forms.size} mixes of forms)`;
  }
}

/**
 * Actions: an action of the contract on a real instance addressed under a foreign parent answers 404 and changes
 * nothing; the state its effect would touch is read at the real paths before and after. A wrong success is undone.
 */
export async function checkForeignParentActions(context: CheckContext, model: ResourceModel): Promise<void> {
  if (context.settings.actionsAllowed === false) {
    context.note('actions under a foreign parent not tried: the run is read-only (the ACT rules are skipped)');
    return;
  }
  const discovery = await context.discovery();
  // Instances from the same collection under other parents: their real path takes the action and its undo.
  const pools = foreignParentPools(model, discovery, sameCollectionSources(discovery));
  const targets = nestedCollections(model).map((collection) => probeActions(model, collection));
  const leftOut = [...new Set(targets.flatMap((target) => target.leftOut))];
  if (leftOut.length > 0) context.note(`not posted under a foreign parent: ${leftOut.join(', ')}`);
  const cases = targets.flatMap((target) => {
    const targetPools = pools.filter((pool) => pool.collection === target.collection);
    return target.actions.length > 0 && targetPools.length > 0 ? [actionCases(targetPools, target)] : [];
  });
  if (cases.length === 0) {
    context.note('no action of the contract could be tried under a foreign parent (no instance of an action\'s path was discovered)');
    return;
  }
  const tally = new ActionTally();
  // Each kind of nested collection with actions is tried every run (one seeded case each); the drawn cases, each
  // four round trips one after another in the turn every rule that acts waits for, take a twentieth of --runs: the
  // reads already judge every mix of forms, and a server that acts under a foreign parent does so for every kind.
  const examples = cases.map((arbitrary) => fc.sample(arbitrary, { seed: context.settings.seed, numRuns: 1 })[0]);
  const drawn = Math.max(3, Math.round(context.settings.numRuns * 0.05));
  await withActionSession(context, async (session) => {
    await context.property('foreign-parent-action-answers-404', fc.oneof(...cases), async (actionCase) => {
      const [pair] = await freshPairs(context.client, actionCase, alternativesTo(pools, actionCase));
      return pair ? tryActionUnderForeignParent(session, tally, actionCase, pair) : undefined;
    }, { examples, maxRuns: drawn });
    context.note(`${examples.length} foreign-parent action cases tried every run (one for each kind of nested collection with actions), then ${drawn} drawn`);
    context.note(tally.line());
    if (tally.unchangeable > 0) context.note(`instances on which no action of their path would have shown a change that could be put back (not tried): ${tally.unchangeable}`);
  });
}

/** Reads the state around the instance and chooses the probe; undefined when no action would show on it. */
async function chooseProbe(session: ActionSession, actionCase: ActionCase, pair: FreshPair) {
  const { arena } = session;
  const invocations = probeInvocations(arena, session.current, actionCase.target.actions, pair.instance.refs, actionCase.drafts);
  if (invocations.length === 0) return undefined;
  const scope = joinScopes(...invocations.map((invocation) => scopeOf(arena, session.current, invocation)));
  const before = await session.observe(scope);
  const probes = viableProbes(arena, before.state, session.current, scope, invocations);
  return probes.length === 0 ? undefined : { probe: probes[actionCase.pick % probes.length], before };
}

/** Tries one action under the foreign parent: a finding when the target does not conform, else undefined. */
async function tryActionUnderForeignParent(session: ActionSession, tally: ActionTally, actionCase: ActionCase, pair: FreshPair): Promise<FindingInput | undefined> {
  const chosen = await chooseProbe(session, actionCase, pair);
  if (!chosen) {
    tally.unchangeable += 1;
    return undefined;
  }
  const { probe, before } = chosen;
  const forms = formsFromWishes(probe.invocation.action, pairRefs(pair), actionCase.byName);
  // Never post where the foreign parent has its own instance of that name: the action would rightly act on it.
  if (expectationFor(pair.listing, ownRef(pair.instance), forms[forms.length - 1]).kind !== 'absent') return undefined;
  const posted: ActionInvocation = { ...probe.invocation, refs: pairRefs(pair), forms };
  const answer = requireAnswer(await session.act(posted));
  const scope = scopeOf(session.arena, session.current, probe.invocation);
  const after = await session.observe(scope);
  // Expected: nothing changed. An action that must have no effect claims no member, so where members come and go on
  // their own (an agent that logged in at its phone meanwhile) membership is not compared, as for a refused action;
  // values are, wherever both looks list an instance.
  const nothing = { focus: new Set<string>(), focusPaths: new Set<string>(), claims: new Map<string, Set<string>>(), open: new Set<string>() };
  const changes = compareStates(session.arena, before.state, after.state, nothing, session.lookup);
  const label = `${probe.invocation.action.definition.name} on ${actionCase.collection.resource.name} under {${parentParameter(actionCase.collection)}}`;
  if (answer.status === 404 && changes.length === 0) {
    tally.add(label, forms);
    return undefined;
  }
  // Accepted under a parent that does not hold it, the action may have logged agents in or out: the restore puts
  // those back, together with what live telephony changed in the same lists meanwhile (the two cannot be told apart).
  if (answer.status >= 200 && answer.status < 300) session.claimMembers(liveMembershipChanges(before.state, after.state, session.lookup));
  const undone = await session.restore(scope, before.state, after.state);
  for (const line of undone.notRestored) session.noteOnce(`not restored after a case: ${line}`);
  const relisted = answer.status === 404 ? undefined : await readListing(session.context.client, actionCase.collection, actionCase.parent.refs);
  if (relisted && lists(relisted, ownRef(pair.instance).id)) return undefined; // the parent gained it meanwhile: churn
  const reads = (exchanges: Map<string, Exchange>) => [...exchanges.values()];
  return {
    ...foreignActionFinding(pair, posted, probe, answer, changes.slice(0, 8).map(describeDifference), undone.exchanges),
    exchanges: [pair.listing.exchange, ...reads(before.exchanges), answer, ...reads(after.exchanges), ...undone.exchanges, ...(relisted ? [relisted.exchange] : [])],
  };
}

function foreignActionFinding(pair: FreshPair, posted: ActionInvocation, probe: ActionProbe, answer: Exchange, changes: string[], undo: Exchange[]): Omit<FindingInput, 'exchanges'> {
  const name = posted.action.definition.name;
  const where = `${name} on ${instanceLabel(pair.instance)} addressed under ${chainLabel(pair.fpCase.parent.node, pair.fpCase.parent.refs)}, which does not hold it`;
  const undone = undo.length > 0 ? `; the checker put it back with ${undo.length} action(s) at the real paths` : '';
  if (answer.status === 404) {
    return {
      message: `${where}, answered 404 but changed the state (path written ${formsLabel(posted.forms)})${undone}.`,
      expected: '404 and no change',
      actual: `404, and ${changes.join('; ')}`,
      provenance: 'inferred',
    };
  }
  return {
    message: `${where}, answered ${answer.status} (${describeInvocation(posted)})${undone}.`,
    expected: `404, and no change (had it acted, ${describeEffect(probe.prediction)})`,
    actual: describeOutcome(answer),
    provenance: 'inferred',
  };
}
