/**
 * Model-based sequences of actions (fast-check commands): the model is the arena's state as the contract's
 * effects predict it, starting from a look at the target; each command posts one action chosen on the model,
 * and the target must answer the predicted status and then read exactly as the model says: what the steps since
 * the last look may have changed (their reach), read after each step that creates or removes something or answers
 * otherwise than predicted, and the whole (small) arena after the last step. A step that answers as predicted and
 * only sets values is read with the next look. A failure is shrunk by fast-check to a shortest sequence, and
 * reported step by step.
 *
 * Commands choose what they act on among the instances the last steps touched, by preference: a fault that only
 * a sequence shows (a counted pause, a login that inherits the old agent's state) needs the same object twice.
 */
import fc from 'fast-check';
import type { ActionNode, InstanceRef } from '../../contracts/resource-model.js';
import type { Exchange } from '../target-client.js';
import { bodyDraft } from '../arbitraries/request-body.js';
import { joinScopes, type Arena, type Scope } from './arena.js';
import { changedPaths, mergeStates, type ArenaState, type Observation } from './arena-state.js';
import { chooseInvocation, type CaseDraft, type Candidate, type CreatedInstances } from './candidates.js';
import { unrangedValue } from './body-validation.js';
import { expectedAfter, type ExpectedOutcome } from './expected-outcome.js';
import { adoptLiveMembership, membersMovedBy, sendAgain, stateMovedOnItsOwn } from './moved-on-its-own.js';
import { actionReach, predict, scopeOf, type Prediction } from './prediction.js';
import { compareStates, describeDifference, type Difference, type ResourceLookup } from './state-comparison.js';
import { takeCall } from './call-budget.js';
import { describeInvocation, formsFromWishes, type ActionInvocation } from './invocation.js';
import { planUndo } from './restore-planner.js';
import type { ActionSession } from './session.js';

/** What the model knows: the predicted state, what the checker created, and what each step touched. */
export interface SequenceModel {
  state: ArenaState;
  created: CreatedInstances;
  /** Id or name → the step that last touched it (1-based). */
  touched: Map<string, number>;
  steps: number;
  /** The last step's invocation, for a step that repeats it. */
  last?: ActionInvocation;
  /** The state before the last step that changed anything, for a step that undoes it. */
  beforeLastChange?: ArenaState;
}

/**
 * How a command is chosen: afresh from its own draft, or as a follow-up of the steps before it: the same action on
 * the same instance again (is a repeat harmless?), or the action that undoes the last change (does it undo it?).
 * A probe is three steps: a fresh action that changes something, its repeat, and its undo. These are where
 * counting and state-keeping faults show.
 */
export type StepKind = 'fresh' | 'repeat' | 'undo' | 'probe';

/** One step as it ran on the target. */
export interface SequenceStep {
  invocation: ActionInvocation;
  expected: number;
  reason: string;
  /** The answer to the step (to its last send). */
  exchange: Exchange;
  /** How many times it was sent, when more than once (409s while no look showed a conflict: sendAgain). */
  sends?: number;
}

/** The target side: the session, the arena of the sequence, and the steps so far. */
export interface SequenceReal {
  session: ActionSession;
  arena: Arena;
  scope: Scope;
  lookup: ResourceLookup;
  steps: SequenceStep[];
}

/** Thrown by a step where the target leaves the model: carries what the finding needs. */
export class SequenceDivergence extends Error {
  readonly steps: SequenceStep[];
  readonly problem: string;
  readonly reads: Exchange[];
  constructor(steps: SequenceStep[], problem: string, reads: Exchange[]) {
    super(`after step ${steps.length}: ${problem}`);
    this.name = 'SequenceDivergence';
    this.steps = [...steps];
    this.problem = problem;
    this.reads = reads;
  }
}

/** Orders candidates so that those touching what recent steps touched come first. */
function byRecency(model: SequenceModel) {
  const recency = (key: string | undefined) => (key === undefined ? 0 : model.touched.get(key) ?? 0);
  return (candidates: Candidate[]): Candidate[] =>
    candidates
      .map((candidate, index) => {
        const refs = candidate.invocation.refs;
        const body = candidate.invocation.body?.kind === 'json' ? (candidate.invocation.body.value as Record<string, unknown>) : {};
        const names = Object.values(body).filter((value): value is string => typeof value === 'string');
        // Everything it touches counts, the deeper levels (the instance itself) more than their parents.
        const score =
          refs.reduce((total, ref, level) => total + Math.max(recency(ref.id), recency(ref.name)) * (level + 1), 0) +
          names.reduce((total, name) => total + recency(name) * refs.length, 0);
        return { candidate, index, score };
      })
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .map((entry) => entry.candidate);
}

function touch(model: SequenceModel, ...refs: (InstanceRef | string | undefined)[]): void {
  for (const ref of refs) {
    if (ref === undefined) continue;
    if (typeof ref === 'string') model.touched.set(ref, model.steps);
    else {
      model.touched.set(ref.id, model.steps);
      if (ref.name !== undefined) model.touched.set(ref.name, model.steps);
    }
  }
}

/** The model forgets an instance that left on its own (it is not listed in the look `after`). */
function forgetInstance(model: SequenceModel, id: string, after: ArenaState): void {
  if ([...after.collections.values()].some((members) => members.has(id))) return;
  model.created.delete(id);
  for (const members of model.state.collections.values()) members.delete(id);
}

/**
 * The model's state with the branch as `after` reads it, for a step left unjudged: live telephony moved the state
 * around it, so what the target shows is where the model goes on from. Calls stay the model's own: it knows only
 * those the checker made, and live telephony fills those collections with more.
 */
function adoptedLook(state: ArenaState, after: ArenaState, lookup: ResourceLookup): ArenaState {
  const read: ArenaState = { collections: new Map([...after.collections].filter(([path]) => !lookup.collection(path)?.transient)), singletons: after.singletons };
  return mergeStates(state, read);
}

/** Throws the divergence when the arena read after a step is not the one the model expects: a creation unlisted, a read failed, a difference. */
function requireArenaAsPredicted(real: SequenceReal, prediction: Prediction, outcome: ExpectedOutcome, after: Observation): void {
  const missing = prediction.creates.findIndex((_, index) => outcome.createdIds[index] === undefined);
  if (missing >= 0) {
    const create = prediction.creates[missing];
    const paths = create.collections.map((c) => c.path);
    throw new SequenceDivergence(real.steps, `no new ${create.resource.name} is listed in ${paths.join(' and ')}`, paths.map((p) => after.exchanges.get(p)!).filter(Boolean));
  }
  if (after.unreadable.length > 0) throw new SequenceDivergence(real.steps, `a read of the arena failed (${after.unreadable[0].path} answered ${after.unreadable[0].status})`, after.unreadable);
  const differences: Difference[] = compareStates(real.arena, outcome.state, after.state, outcome, real.lookup);
  if (differences.length > 0) {
    const paths = [...new Set(differences.map((d) => d.path))];
    throw new SequenceDivergence(real.steps, differences.slice(0, 6).map(describeDifference).join('; '), paths.map((p) => after.exchanges.get(p)!).filter(Boolean));
  }
}

/** No effect's claims: what the model holds is compared as it is. */
const NOTHING_CLAIMED: Pick<ExpectedOutcome, 'focus' | 'focusPaths' | 'claims' | 'open'> = { focus: new Set(), focusPaths: new Set(), claims: new Map(), open: new Set() };

/**
 * The end of a sequence: the whole branch is read again (each path not read since the last action) and must read
 * as the model says. Each step read again only what it may change; a change beyond that shows here.
 */
export async function requireBranchAsModelled(real: SequenceReal, model: SequenceModel): Promise<void> {
  if (real.steps.length === 0) return;
  const end = await real.session.lookAfterAll(real.scope);
  if (end.unreadable.length > 0) {
    throw new SequenceDivergence(real.steps, `a read of the whole branch after the last step failed (${end.unreadable[0].path} answered ${end.unreadable[0].status})`, end.unreadable);
  }
  const differences = compareStates(real.arena, model.state, end.state, NOTHING_CLAIMED, real.lookup);
  if (differences.length > 0) {
    const paths = [...new Set(differences.map((d) => d.path))];
    const problem = `the whole branch, read again after the last step: ${differences.slice(0, 6).map(describeDifference).join('; ')}`;
    throw new SequenceDivergence(real.steps, problem, paths.map((p) => end.exchanges.get(p)!).filter(Boolean));
  }
}

/** A step the target answered and read as predicted: what the model moves on from. */
interface StepAsPredicted {
  invocation: ActionInvocation;
  prediction: Prediction;
  outcome: ExpectedOutcome;
  /** The state the prediction was made from, and the state read after the step (none for a step not read). */
  before: ArenaState;
  after?: ArenaState;
  /** What was read after the step, or would have been. */
  look: Scope;
}

/**
 * The model moves on by its own prediction (with the ids of what was created); of the collections that live
 * telephony fills it keeps only what the checker created. What the step named or created is touched.
 */
function moveModelOn(model: SequenceModel, step: StepAsPredicted, lookup: ResourceLookup): void {
  const { invocation, prediction, outcome, before, after, look } = step;
  prediction.creates.forEach((create, index) => {
    const id = outcome.createdIds[index];
    if (id !== undefined && create.transient) model.created.set(id, create.collections);
  });
  for (const collection of look.collections.filter((c) => c.transient)) {
    const members = outcome.state.collections.get(collection.path);
    if (members) for (const id of [...members.keys()]) if (!model.created.has(id)) members.delete(id);
  }
  if (changedPaths(model.state, outcome.state).length > 0) model.beforeLastChange = model.state;
  if (after) adoptLiveMembership(outcome.state, after, lookup, outcome.claims);
  model.last = invocation;
  model.state = outcome.state;
  const body = invocation.body?.kind === 'json' ? (invocation.body.value as Record<string, unknown>) : {};
  touch(model, ...invocation.refs, ...Object.values(body).filter((v): v is string => typeof v === 'string'));
  for (const [index, create] of prediction.creates.entries()) touch(model, outcome.createdIds[index], ...create.collections.flatMap((c) => c.parentRefs));
  // A removed instance's parents are touched too: what re-creates it names them (a login names the extension).
  for (const remove of prediction.removes) {
    touch(model, remove.id, ...look.collections.filter((c) => before.collections.get(c.path)?.has(remove.id)).flatMap((c) => c.parentRefs));
  }
}

/** One step of a sequence: an action of one name, drawn as a case draft, chosen on the model when it runs. */
export class ActionCommand implements fc.AsyncCommand<SequenceModel, SequenceReal> {
  constructor(
    readonly name: string,
    readonly variants: ActionNode[],
    readonly draft: CaseDraft & { mode?: 'change' | 'success' | 'any'; kind?: StepKind },
  ) {}

  check(): boolean {
    return true;
  }

  /** The invocation of a step of this command on the model, or undefined when there is nothing to act on. */
  private choose(model: SequenceModel, real: SequenceReal, kind: StepKind): ActionInvocation | undefined {
    if (kind === 'repeat' && model.last) return model.last;
    if (kind === 'undo' && model.beforeLastChange) {
      const undo = planUndo(real.arena, real.scope, model.beforeLastChange, model.state);
      if (undo) return { ...undo, forms: formsFromWishes(undo.action, undo.refs, this.draft.byName) };
    }
    const action = this.variants[this.draft.variant % this.variants.length];
    // Mostly an action that succeeds (by preference one that changes something), now and then any, a conflict too.
    const mode = kind === 'probe' ? 'change' : this.draft.mode ?? 'change';
    return chooseInvocation(real.arena, model.state, action, this.draft, {
      statuses: mode === 'any' ? [204, 409] : [204],
      preferChange: mode === 'change',
      addressing: 'draft',
      created: model.created,
      order: byRecency(model),
    })?.invocation;
  }

  async run(model: SequenceModel, real: SequenceReal): Promise<void> {
    const kind = this.draft.kind ?? 'fresh';
    if (kind !== 'probe') return this.step(model, real, kind);
    const steps = model.steps;
    await this.step(model, real, 'probe');
    if (model.steps === steps) return; // nothing to probe
    await this.step(model, real, 'repeat');
    await this.step(model, real, 'undo');
  }

  /** One step: choose on the model, post, and compare the target with the model. */
  private async step(model: SequenceModel, real: SequenceReal, kind: StepKind): Promise<void> {
    const invocation = this.choose(model, real, kind);
    if (!invocation) return; // nothing to act on in the model's state: the step does nothing
    // What live telephony fills (calls) the model cannot know: it is read just before the action.
    const own = scopeOf(real.arena, model.state, invocation);
    const live: Scope = { collections: own.collections.filter((c) => c.transient), singletons: [] };
    const pre = live.collections.length > 0 ? (await real.session.observe(live)).state : undefined;
    const before = pre ? mergeStates(model.state, pre) : model.state;
    let prediction = predict(real.arena, before, invocation);
    // A step that would place a call beyond the rule's part of the budget does nothing, as a step with nothing to act on.
    if (takeCall(real.session.context, invocation.action, prediction.status)) return;
    // After the step, what it may change is read again and the rest of the branch is taken as the last look saw
    // it (a moment ago); the sequence ends with a look at the whole branch, which shows a change beyond the reach.
    const reach = actionReach(real.session.current, invocation, prediction, own);
    let exchange = await real.session.act(invocation, reach);
    real.steps.push({ invocation, expected: prediction.status, reason: prediction.reason, exchange });
    model.steps += 1;

    const look = joinScopes(real.scope, live);
    real.lookup.add(look);
    if (exchange.status === prediction.status && prediction.creates.length === 0 && prediction.removes.length === 0) {
      // Answered as predicted, and creating or removing nothing: what the step did is values the model now holds,
      // and the next look (a later step's, or the whole branch's after the last step) reads them, a round trip
      // saved per step. A step that creates or removes is read at once: the model needs the ids it created, and
      // where members come and go on their own, a later look could not tell its effect from live telephony's.
      moveModelOn(model, { invocation, prediction, outcome: expectedAfter(before, prediction, before), before, look }, real.lookup);
      return;
    }
    let after = await real.session.lookBefore(look);
    for (let sends = 1; sendAgain(sends, real.arena, { before, after: after.state }, invocation, prediction, exchange.status, real.lookup); sends += 1) {
      exchange = await real.session.act(invocation, reach);
      real.steps[real.steps.length - 1] = { invocation, expected: prediction.status, reason: prediction.reason, exchange, sends: sends + 1 };
      after = await real.session.lookBefore(look);
    }
    real.session.claimMembers(membersMovedBy(real.arena, before, after.state, invocation, prediction, exchange.status));
    if (stateMovedOnItsOwn(real.arena, before, after.state, invocation, prediction, exchange.status, real.lookup)) {
      // Live telephony moved the state between the look and the action (a call ended, an agent logged in or out
      // at its phone: LIVE-API.md §5). Not a divergence: the step is not judged, and the model takes the branch
      // as the look after it shows it (the action may have had its effect: a conflict lifted meanwhile).
      if (prediction.owner.kind === 'instance') forgetInstance(model, prediction.owner.id, after.state);
      adoptLiveMembership(model.state, after.state, real.lookup);
      model.state = adoptedLook(model.state, after.state, real.lookup);
      return;
    }
    if (exchange.status === 412 && prediction.status === 204 && unrangedValue(invocation)) {
      // A value with no written range (an undo putting back an empty note): the target may refuse it (§5), and
      // then it must have changed nothing.
      prediction = { ...prediction, status: 412, reason: `a value with no written range, refused (${unrangedValue(invocation)})`, sets: [], creates: [], removes: [] };
    }
    if (exchange.status !== prediction.status) {
      throw new SequenceDivergence(real.steps, `the last action answered ${exchange.status || 'nothing'}, the model says ${prediction.status} (${prediction.reason})`, []);
    }
    const outcome = expectedAfter(before, prediction, after.state);
    requireArenaAsPredicted(real, prediction, outcome, after);
    moveModelOn(model, { invocation, prediction, outcome, before, after: after.state, look }, real.lookup);
  }

  toString(): string {
    if (this.draft.kind === 'repeat' || this.draft.kind === 'undo') return `${this.draft.kind} the last ${this.draft.kind === 'repeat' ? 'step' : 'change'} (else ${this.name}, pick ${this.draft.pick})`;
    if (this.draft.kind === 'probe') return `probe ${this.name} (variant ${this.draft.variant}, pick ${this.draft.pick}): it, again, undone`;
    return `${this.name}(variant ${this.draft.variant}, ${this.draft.mode ?? 'change'}, pick ${this.draft.pick}${this.draft.body ? `, body ${JSON.stringify(this.draft.body)}` : ''})`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/**
 * How often each action is drawn: as many times as there are actions touching the resources it touches (its
 * owner's, and those it creates or removes), so that the actions that interact weigh most.
 */
export function actionWeights(byName: Map<string, ActionNode[]>): Map<string, number> {
  const touches = new Map<string, Set<string>>();
  for (const [name, variants] of byName) {
    const resources = new Set<string>();
    for (const action of variants) {
      resources.add(action.ownerInstance.resource.name);
      if (action.owner.kind === 'singleton' && action.owner.resource) resources.add(action.owner.resource.name);
      for (const effect of action.effects.effects) {
        if (effect.kind === 'create') resources.add(effect.resource.name);
        if (effect.kind === 'remove') resources.add(effect.target.kind === 'self' ? action.ownerInstance.resource.name : effect.target.collections[0].node.resource.name);
      }
    }
    touches.set(name, resources);
  }
  const weights = new Map<string, number>();
  for (const [name, resources] of touches) {
    const sharing = (resource: string) => [...touches.values()].filter((other) => other.has(resource)).length;
    weights.set(name, Math.max(1, ...[...resources].map(sharing)));
  }
  return weights;
}

/** The commands of a sequence: weighted action names, each with a draft that prefers what recent steps touched. */
export function actionCommands(byName: Map<string, ActionNode[]>): fc.Arbitrary<ActionCommand> {
  const weights = actionWeights(byName);
  const pick = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat({ max: 3 }) }, { weight: 1, arbitrary: fc.nat() });
  return fc.oneof(
    ...[...byName].map(([name, variants]) => ({
      weight: weights.get(name) ?? 1,
      arbitrary: fc.nat({ max: variants.length - 1 }).chain((variant) =>
        fc
          .record({
            variant: fc.constant(variant),
            body: bodyDraft(variants[variant]),
            byName: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
            pick,
            mode: fc.constantFrom<'change' | 'success' | 'any'>('change', 'change', 'success', 'success', 'any'),
            kind: fc.constantFrom<StepKind>('fresh', 'fresh', 'repeat', 'undo', 'probe'),
          })
          .map((draft) => new ActionCommand(name, variants, draft)),
      ),
    })),
  );
}

/** The steps as lines: `1. pause POST … → 204 (the model: 204)`. */
export function describeSteps(steps: SequenceStep[]): string {
  return steps
    .map((step, index) => `${index + 1}. ${describeInvocation(step.invocation)} → ${step.exchange.status}${step.sends ? ` (at send ${step.sends}; 409 before)` : ''} (the model: ${step.expected})`)
    .join('\n');
}
