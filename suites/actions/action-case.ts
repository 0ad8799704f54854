/**
 * One action case, as ACT-EFFECT, ACT-ADDRESSING, ACT-IDENTITY and ACT-ISOLATION run it: choose an invocation
 * from a draft, look at what it may change, post it, look again, and work out what the contract's effect
 * predicts against what the target shows. The cases of a property are undone together when it ends
 * (`cases-to-undo.ts`); a provisioning case right away ({@link restoreCase}).
 */
import fc from 'fast-check';
import { buildPath, instanceSegments, type ActionNode, type AddressingForm, type InstanceRef, type PathNodeBase } from '../../contracts/resource-model.js';
import { canUseName } from '../arbitraries/addressing-forms.js';
import { bodyDraft, type BodyDraft } from '../arbitraries/request-body.js';
import { requireAnswer } from '../check.js';
import { inOrder } from '../in-order.js';
import type { Exchange } from '../target-client.js';
import { joinScopes, type ArenaCollection, type Scope } from './arena.js';
import { changedPaths, type Observation } from './arena-state.js';
import { takeCall } from './call-budget.js';
import { chooseInvocation, ownerCandidates, type Candidate, type CaseDraft, type ChoiceOptions } from './candidates.js';
import { expectedAfter, type ExpectedOutcome } from './expected-outcome.js';
import { claimedMemberLeft, membersMovedBy, sendAgain, stateMovedOnItsOwn } from './moved-on-its-own.js';
import { actionReach, predict, scopeOf, type OwnerRef, type Prediction } from './prediction.js';
import { compareStates, type Difference, type ResourceLookup } from './state-comparison.js';
import type { ActionInvocation } from './invocation.js';
import type { ActionSession } from './session.js';

/** The paths of every action, grouped by action name (e.g. pause under a queue's agent and under an extension's). */
export function actionsByName(actions: readonly ActionNode[]): Map<string, ActionNode[]> {
  const byName = new Map<string, ActionNode[]>();
  for (const action of actions) byName.set(action.definition.name, [...(byName.get(action.definition.name) ?? []), action]);
  return byName;
}

/** The action that creates the instances `action` is posted on (for an action that acts only on what the checker made). */
export function provisioningAction(actions: readonly ActionNode[], action: ActionNode): ActionNode | undefined {
  const node = action.ownerInstance.collection;
  return actions.find((candidate) =>
    candidate.effects.effects.some((effect) => effect.kind === 'create' && effect.in.some((ref) => ref.node === node)) && !candidate.effects.onlyOnCreated,
  );
}

/**
 * The paths of an action the checker can post it at, and a note for each it cannot: an action posted only on
 * what the checker made is never sent at a path where no action makes anything.
 */
export function exercisableVariants(actions: readonly ActionNode[], variants: readonly ActionNode[]): { variants: ActionNode[]; left: string[] } {
  const usable = variants.filter((action) => !action.effects.onlyOnCreated || provisioningAction(actions, action));
  const left = variants
    .filter((action) => !usable.includes(action))
    .map((action) => `not at ${action.template}: no action of the contract creates what it acts on there, and the checker acts only on what it created`);
  return { variants: usable, left };
}

/** A case draft: which path, which body, how each level is written, which candidate. */
export function caseDraft(variants: readonly ActionNode[], pick: fc.Arbitrary<number> = fc.nat(), distinctive = false): fc.Arbitrary<CaseDraft & { provision?: CaseDraft }> {
  return fc.nat({ max: variants.length - 1 }).chain((variant) => {
    const action = variants[variant];
    const levels = instanceSegments(action).length;
    const draft = fc.record({ variant: fc.constant(variant), body: bodyDraft(action, distinctive), byName: fc.array(fc.boolean(), { minLength: levels, maxLength: levels }), pick });
    return draft;
  });
}

/** A draft for the provisioning action of `action`, when it needs one. */
export function provisionDraft(provisioner: ActionNode | undefined): fc.Arbitrary<CaseDraft | undefined> {
  if (!provisioner) return fc.constant(undefined);
  return fc.record({ variant: fc.constant(0), body: bodyDraft(provisioner), byName: fc.constant([]), pick: fc.nat() });
}

/** A case that ran: the invocation, what was seen around it, and what the model says of it. */
export interface CaseRun {
  invocation: ActionInvocation;
  prediction: Prediction;
  /** The target's answer to the action (to its last send). */
  exchange: Exchange;
  /**
   * Earlier sends of the same action, answered 409 while no look showed a conflict (a member that came and went
   * on its own may have stood in the way: {@link sendAgain}); usually none.
   */
  refusedSends: Exchange[];
  scope: Scope;
  before: Observation;
  after: Observation;
  outcome: ExpectedOutcome;
  differences: Difference[];
  /** The target answered otherwise than predicted because live telephony moved the state meanwhile (not a fault). */
  movedOnItsOwn: boolean;
  /**
   * With {@link CaseOptions.readTargets}: the reads of the owner and of what was removed, made together with the
   * look after the action (their paths are known before it); {@link readTargets} adds the created ones.
   */
  earlyTargetReads?: TargetRead[];
  /**
   * The reads of the effect's targets that {@link readTargets} made for the judge, kept with the case: one that
   * answered 404 where members come and go on their own may be live telephony ({@link mayHaveLeftOnItsOwn}).
   */
  targetReads?: TargetRead[];
}

/** Why a case did not run. */
export interface CaseSkipped {
  skipped: string;
}

/** Options of {@link runCase}. */
export interface CaseOptions extends Omit<ChoiceOptions, 'created'> {
  /**
   * More to compare, e.g. the whole arena (isolation). It is read after the action; before it, what the previous
   * case read after its action stands for it (every case ends with a fresh look at all it read), and what it did
   * not read is read with the case's own scope.
   */
  extraScope?: (invocation: ActionInvocation) => Scope;
  /** The action a call placed by this case is for, when not the case's own (a call placed for a transfer). */
  callFor?: string;
  /**
   * The judge reads the targets of the effect ({@link readTargets}): those whose paths are known before the action
   * are read together with the look after it, saving a round trip per case on a network. Default false.
   */
  readTargets?: boolean;
}

/**
 * Creates an owner for an action posted only on what the checker made (a call, by originate): runs the
 * provisioning action and remembers what it created. Says why when it cannot.
 */
export async function provisionOwner(session: ActionSession, action: ActionNode, draft: CaseDraft | undefined): Promise<string | undefined> {
  // What the checker made earlier and is still listed serves again: each call placed rings a real phone (--max-calls).
  if (ownerCandidates(session.arena, session.current, action, session.created).length > 0) return undefined;
  const provisioner = provisioningAction(session.context.model.actions, action);
  if (!provisioner || !draft) return `no action of the contract creates what ${action.template} acts on, and the checker acts on no instance it did not create`;
  const run = await runCase(session, [provisioner], draft, { addressing: 'uuid', callFor: action.definition.name });
  if ('skipped' in run) return `its instance could not be created: ${run.skipped}`;
  await restoreCase(session, run);
  if (run.exchange.status !== 204 || run.outcome.createdIds.every((id) => id === undefined)) return `${provisioner.definition.name} did not create an instance to act on (it answered ${run.exchange.status})`;
  return undefined;
}

/** Runs one case: choose, look, post, look, predict. */
export async function runCase(session: ActionSession, variants: readonly ActionNode[], draft: CaseDraft, options: CaseOptions): Promise<CaseRun | CaseSkipped> {
  const { arena } = session;
  const action = variants[draft.variant % variants.length];
  const chosen: Candidate | undefined = chooseInvocation(arena, session.current, action, draft, { ...options, created: session.created });
  if (!chosen) return { skipped: `no instance of the arena fits ${action.definition.name} at ${action.template}` };
  const invocation = chosen.invocation;
  const own = scopeOf(arena, session.current, invocation);
  const scope = joinScopes(own, options.extraScope?.(invocation) ?? { collections: [], singletons: [] });
  const before = await session.lookBefore(scope);
  const prediction = predict(arena, before.state, invocation);
  if (!(options.statuses ?? [204]).includes(prediction.status)) return { skipped: `the state moved before the action: now ${prediction.reason}` };
  const overBudget = takeCall(session.context, invocation.action, prediction.status, options.callFor);
  if (overBudget) return { skipped: overBudget };
  const reach = actionReach(session.current, invocation, prediction, own);
  let exchange = requireAnswer(await session.act(invocation, reach));
  // Only an action that succeeded has targets to read (the judges read them only then).
  const early = (status: number) => (options.readTargets && status === 204 ? plannedTargetReads({ invocation, prediction, scope, before }) : []);
  let [after, earlyTargetReads] = await Promise.all([session.observe(scope), readPlanned(session, early(exchange.status))]);
  const refusedSends: Exchange[] = [];
  while (sendAgain(refusedSends.length + 1, arena, { before: before.state, after: after.state }, invocation, prediction, exchange.status, session.lookup)) {
    refusedSends.push(exchange);
    exchange = requireAnswer(await session.act(invocation, reach));
    [after, earlyTargetReads] = await Promise.all([session.observe(scope), readPlanned(session, early(exchange.status))]);
  }
  const outcome = expectedAfter(before.state, prediction, after.state);
  session.claimMembers(membersMovedBy(arena, before.state, after.state, invocation, prediction, exchange.status));
  prediction.creates.forEach((create, index) => {
    const id = outcome.createdIds[index];
    if (id !== undefined && create.transient) session.noteCreated(id, create.collections);
  });
  const differences = compareStates(arena, outcome.state, after.state, outcome, session.lookup);
  const movedOnItsOwn = stateMovedOnItsOwn(arena, before.state, after.state, invocation, prediction, exchange.status, session.lookup);
  return { invocation, prediction, exchange, refusedSends, scope, before, after, outcome, differences, movedOnItsOwn, ...(options.readTargets && exchange.status === 204 ? { earlyTargetReads } : {}) };
}

/**
 * Undoes a case: brings back what the action may have changed (its own scope, and wherever the comparison found
 * a change) to what it was before. Lines that could not be restored.
 */
export async function restoreCase(session: ActionSession, run: CaseRun): Promise<string[]> {
  const scope = caseRestoreScope(session, run);
  if (!scope) return [];
  return (await session.restore(scope, run.before.state, run.after.state)).notRestored;
}

/**
 * What undoing a case brings back: the action's own scope, and wherever the comparison found a change. Undefined
 * when the case changed nothing (the action was refused and nothing differs).
 */
export function caseRestoreScope(session: ActionSession, run: CaseRun): Scope | undefined {
  if (run.exchange.status !== 204 && run.differences.length === 0) return undefined;
  // Every path the action changed is read again after restoring, so the session's latest look stays true.
  const changed = new Set([...run.differences.map((d) => d.path), ...changedPaths(run.before.state, run.after.state)]);
  const own = scopeOf(session.arena, run.before.state, run.invocation);
  return joinScopes(own, { collections: run.scope.collections.filter((c) => changed.has(c.path)), singletons: run.scope.singletons.filter((s) => changed.has(s.path)) });
}

/** The all-UUID forms and, where the path allows names, the all-name forms of `refs` on `node`. */
export function bothForms(node: PathNodeBase, refs: InstanceRef[]): AddressingForm[][] {
  const uuid = instanceSegments(node).map((): AddressingForm => 'uuid');
  const named = instanceSegments(node).map((_, index): AddressingForm => (canUseName(node, refs, index) ? 'name' : 'uuid'));
  return named.includes('name') ? [uuid, named] : [uuid];
}

/** A read of the instance or sub-resource an effect is about, with how it was written. */
export interface TargetRead {
  what: 'owner' | 'created' | 'removed';
  exchange: Exchange;
  forms: AddressingForm[];
  /** Values it must show (a created or written instance), or undefined for one that must answer 404. */
  values?: Record<string, { value: unknown; ifPresent: boolean }>;
  id?: string;
  /** A created call: it may have ended on its own by the time it is read (LIVE-API.md §5). */
  transient?: boolean;
  /** A member of a collection whose members come and go on their own (an agent: LIVE-API.md §5). */
  live?: boolean;
}

/** A target read to make: where, and what it must show. */
type PlannedRead = Omit<TargetRead, 'exchange'> & { path: string };

/** The owner's reads (where the effect writes values on it) and the reads of what is removed from everywhere. */
function plannedTargetReads(run: Pick<CaseRun, 'invocation' | 'prediction' | 'scope' | 'before'>): PlannedRead[] {
  const planned: PlannedRead[] = [];
  const owner = run.prediction.owner;
  const isOwner = (target: OwnerRef) =>
    target.kind === 'instance' ? owner.kind === 'instance' && target.id === owner.id : owner.kind === 'singleton' && target.singleton.path === owner.singleton.path;
  const ownerValues = Object.assign({}, ...run.prediction.sets.filter((set) => isOwner(set.target)).map((set) => set.values));
  if (Object.keys(ownerValues).length > 0) {
    if (owner.kind === 'singleton') {
      for (const forms of bothForms(owner.singleton.node, owner.singleton.ownerRefs)) {
        planned.push({ what: 'owner', forms, values: ownerValues, path: buildPath(owner.singleton.node, owner.singleton.ownerRefs, forms) });
      }
    } else if (!run.prediction.removes.some((r) => r.id === owner.id)) {
      const item = run.invocation.action.ownerInstance;
      const refs = run.invocation.refs.slice(0, instanceSegments(item).length);
      const live = owner.collection.transient || owner.resource.liveMembership;
      for (const forms of bothForms(item, refs)) planned.push({ what: 'owner', forms, values: ownerValues, id: owner.id, live, path: buildPath(item, refs, forms) });
    }
  }
  const removedEverywhere = new Set(run.prediction.removes.filter((r) => !r.from).map((r) => r.id));
  for (const id of removedEverywhere) {
    const listings: ArenaCollection[] = run.scope.collections.filter((c) => run.before.state.collections.get(c.path)?.has(id));
    for (const collection of listings) {
      const item = collection.node.item;
      if (!item) continue;
      const refs = [...collection.parentRefs, { id }];
      for (const forms of bothForms(item, refs)) planned.push({ what: 'removed', forms, id, path: buildPath(item, refs, forms) });
    }
  }
  return planned;
}

/** The reads of each instance the action created, at each of its instance paths. */
function plannedCreatedReads(run: CaseRun): PlannedRead[] {
  const planned: PlannedRead[] = [];
  for (const [index, create] of run.prediction.creates.entries()) {
    const id = run.outcome.createdIds[index];
    if (id === undefined) continue;
    for (const collection of create.collections) {
      const item = collection.node.item;
      if (!item) continue;
      const refs = [...collection.parentRefs, { id }];
      const live = collection.transient || collection.node.resource.liveMembership;
      for (const forms of bothForms(item, refs)) planned.push({ what: 'created', forms, values: create.values, id, transient: create.transient, live, path: buildPath(item, refs, forms) });
    }
  }
  return planned;
}

/** Makes the planned reads, all at once (the client bounds what is in flight), in their order. */
async function readPlanned(session: ActionSession, planned: PlannedRead[]): Promise<TargetRead[]> {
  const { client } = session.context;
  const exchanges = await inOrder(planned, client.maxConcurrentRequests, async (read) => requireAnswer(await client.get(read.path)));
  return planned.map(({ path: _path, ...read }, index) => ({ ...read, exchange: exchanges[index] }));
}

/**
 * Reads what the effect is about through both addressing forms: the owner where the effect writes values on it,
 * each created instance at each of its instance paths, and each instance removed from everywhere at the paths it
 * had. What the case already read with its look after the action ({@link CaseRun.earlyTargetReads}) is not read again.
 */
export async function readTargets(session: ActionSession, run: CaseRun): Promise<TargetRead[]> {
  const [known, created] = await Promise.all([run.earlyTargetReads ?? readPlanned(session, plannedTargetReads(run)), readPlanned(session, plannedCreatedReads(run))]);
  // In a fixed order: the owner, what was created, what was removed.
  run.targetReads = [...known.filter((read) => read.what === 'owner'), ...created, ...known.filter((read) => read.what === 'removed')];
  return run.targetReads;
}

/**
 * Whether what the case is about may have left on its own after the action (LIVE-API.md §5: an agent that logged
 * out at its phone, perhaps in again under a new UUID; a call that ended): a member the effect makes a claim about
 * is not listed in such a collection by the look after it, or a read of one at its own path answered 404. A finding
 * on such a case may be that, once; a fault shows run after run.
 */
export function mayHaveLeftOnItsOwn(run: CaseRun, lookup: ResourceLookup): boolean {
  return claimedMemberLeft(run.differences, lookup) || (run.targetReads ?? []).some((read) => read.live === true && read.exchange.status === 404);
}

/**
 * The draft of a case that runs every run (a property's example): path `variant` of the action, the given body
 * draft, every level by name or none, the first candidate; with a provisioning draft drawn from `seed` where the
 * action acts only on what the checker created.
 */
export function everyRunDraft(
  actions: readonly ActionNode[],
  action: ActionNode,
  variant: number,
  body: BodyDraft | undefined,
  seed: number,
  byName = false,
): CaseDraft & { provision?: CaseDraft } {
  const provisioner = provisioningAction(actions, action);
  const draft: CaseDraft & { provision?: CaseDraft } = { variant, body, byName: instanceSegments(action).map(() => byName), pick: 0 };
  if (provisioner) draft.provision = fc.sample(provisionDraft(provisioner), { seed, numRuns: 1 })[0];
  return draft;
}
