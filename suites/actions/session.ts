/**
 * One check's work with actions: the arena, the latest known state of it, the actions sent, and the promise to
 * leave the target as found. {@link withActionSession} records the originals before the first action of the run
 * (in the run's {@link RestoreLedger}, shared by every check of the family) and restores them when the check
 * ends, whether it passed, failed, threw, or the run was interrupted; what it could not restore becomes a note
 * on the check's rule ("not restored: ...").
 */
import type { CheckContext } from '../check.js';
import { ScopedState, type RunScope } from '../run-scope.js';
import type { Exchange } from '../target-client.js';
import { wholeArena, type Arena, type ArenaCollection, type Scope } from './arena.js';
import { arenaStands, forgetRunArena, runArena } from './run-arena.js';
import { observe, overlaidStates, type ArenaState, type Observation } from './arena-state.js';
import { callsPlacedBy, callsPlacedInRun } from './call-budget.js';
import type { CreatedInstances } from './candidates.js';
import { resourceLookup, type ResourceLookup } from './state-comparison.js';
import { sendAction, type ActionInvocation } from './invocation.js';
import { actionReach, predict, scopeOf } from './prediction.js';
import { RestoreLedger, restoreState, type RestoreOutcome } from './restore-ledger.js';

// One ledger per run: the checks of a run share it, so the originals are those from before the run's first
// action, whichever check sent it.
const restoreLedger = new ScopedState('restore ledger', () => new RestoreLedger());

// The action sessions under way, which an interrupted test leaves running until they restored.
const sessionsUnderWay = new ScopedState('action sessions under way', () => new Set<Promise<void>>());

/** How old the previous check's last look at the arena may be for the next check to start from it, ms. */
const LAST_LOOK_FRESH_MS = 10_000;

/**
 * How old a look within a check may be to stand for the look before the next action, ms: the look after the
 * previous case's action (or after its undo), a round trip or two ago on a network, not a look from before a
 * pause in the run.
 */
const CASE_LOOK_FRESH_MS = 2_000;

/**
 * Whether an action may have changed which instances the target lists, so that the run's discovery is stale: one
 * whose effects create or remove, unless the target refused it (4xx). A refused action that changed something
 * anyway is a fault the case's own look shows (and its restore, a new action, makes discovery stale then).
 */
function mayHaveChangedMembership(invocation: ActionInvocation, exchange: Exchange): boolean {
  const refused = exchange.status >= 400 && exchange.status < 500;
  return !refused && invocation.action.effects.effects.some((effect) => effect.kind !== 'set');
}

/** Everything a check of the actions family works with. */
export class ActionSession {
  readonly context: CheckContext;
  readonly arena: Arena;
  readonly ledger: RestoreLedger;
  readonly lookup: ResourceLookup;
  /** The latest known state of the whole arena (refreshed by every look). */
  current: ArenaState;
  /** Instances the checker created through actions (the only ones an `onlyOnCreated` action is posted on). */
  readonly created: CreatedInstances = new Map();
  /** How many actions were sent, restoring ones included. */
  actionsSent = 0;
  /** The latest read of each path. */
  private readonly lastReads = new Map<string, Exchange>();
  /** When each path's latest read started, and how many actions had been sent by then. */
  private readonly readsStarted = new Map<string, { at: number; actionsSent: number }>();
  /** Per path, the count of actions sent by the latest one that may have changed it (see {@link act}'s `reach`). */
  private readonly changedAt = new Map<string, number>();
  /** The count of actions sent by the latest one whose reach is not known: it may have changed any path. */
  private anyChangeAt = 0;
  private readonly noted = new Set<string>();

  constructor(context: CheckContext, arena: Arena, ledger: RestoreLedger, initial: ArenaState) {
    this.context = context;
    this.arena = arena;
    this.ledger = ledger;
    this.lookup = resourceLookup(arena);
    this.current = initial;
  }

  /** Reads `scope`, records what it had not seen before as originals, and keeps the latest state. */
  async observe(scope: Scope): Promise<Observation> {
    this.context.scope.interruption.throwIfInterrupted();
    const started = { at: Date.now(), actionsSent: this.actionsSent };
    const observation = await observe(this.context.client, scope);
    this.lookup.add(scope);
    this.ledger.record(scope, observation.state);
    // Shared, not copied: the paths just read with the observation, the rest with the previous state. Nothing
    // changes a look or a state of the session in place (`known` hands out its maps already; the model, the effects
    // and the probes copy a state before they write it: cloneState), and a deep copy of all that is known, on every
    // look, was most of a look's cost on a large target.
    this.current = overlaidStates(this.current, observation.state);
    for (const [path, exchange] of observation.exchanges) {
      this.lastReads.set(path, exchange);
      this.readsStarted.set(path, started);
    }
    return observation;
  }

  /**
   * The latest look at `scope` when it stands for a fresh one: every path of it was read after the last action that
   * may have changed it, a moment ago, and answered (the previous case ended with that look, after its action or
   * its undo: reading again would show the same, a round trip later). Else undefined.
   */
  freshLook(scope: Scope): Observation | undefined {
    return this.unread(scope).length === 0 ? this.known(scope) : undefined;
  }

  /**
   * The look before an action, fresh for all of `scope`: the paths read since the last action that may have
   * changed them (a moment ago: an earlier case ended with that look) are taken as read, the others are read now.
   * A path an action may have changed without the checker reading it since is always read again: the cases of a
   * property are not undone one by one, so what an action did outside what its case read stays (a pause through
   * an extension shows in the agent's queues too).
   */
  async lookBefore(scope: Scope): Promise<Observation> {
    return this.lookAt(scope, new Set(this.unread(scope)));
  }

  /**
   * A look at all of `scope` after every action sent so far, whatever each may have changed: the paths read (with an
   * answer) since the last action, a moment ago, are taken as read, the others are read now. Where the reach of the
   * actions was trusted look by look, this is the look that shows what one of them changed beyond it.
   */
  async lookAfterAll(scope: Scope): Promise<Observation> {
    return this.lookAt(scope, new Set(this.unread(scope, this.actionsSent)));
  }

  /** `scope` with the paths of `unread` read now and the others as the session last read them. */
  private async lookAt(scope: Scope, unread: Set<string>): Promise<Observation> {
    if (unread.size === 0) return this.known(scope);
    const part = (wanted: boolean): Scope => ({ collections: scope.collections.filter((c) => unread.has(c.path) === wanted), singletons: scope.singletons.filter((s) => unread.has(s.path) === wanted) });
    const fresh = this.known(part(false));
    const read = await this.observe(part(true));
    return { state: overlaidStates(fresh.state, read.state), exchanges: new Map([...fresh.exchanges, ...read.exchanges]), unreadable: read.unreadable };
  }

  /**
   * The paths of `scope` not read (with an answer) after the last action that may have changed them, a moment ago;
   * with `changedBy`, after the last action whatever it may have changed.
   */
  private unread(scope: Scope, changedBy?: number): string[] {
    const now = Date.now();
    return [...scope.collections, ...scope.singletons]
      .map((read) => read.path)
      .filter((path) => {
        const started = this.readsStarted.get(path);
        const changed = changedBy ?? Math.max(this.anyChangeAt, this.changedAt.get(path) ?? 0);
        const fresh = started !== undefined && started.actionsSent >= changed && now - started.at <= CASE_LOOK_FRESH_MS;
        return !fresh || this.lastReads.get(path)?.status !== 200;
      });
  }

  /** The latest look at `scope` (without reading): the state the session knows, and the reads it came from. */
  known(scope: Scope): Observation {
    const state: ArenaState = { collections: new Map(), singletons: new Map() };
    const exchanges = new Map<string, Exchange>();
    for (const read of [...scope.collections, ...scope.singletons]) {
      const exchange = this.lastReads.get(read.path);
      if (exchange) exchanges.set(read.path, exchange);
      const members = this.current.collections.get(read.path);
      if (members) state.collections.set(read.path, members);
      const value = this.current.singletons.get(read.path);
      if (value) state.singletons.set(read.path, value);
    }
    return { state, exchanges, unreadable: [] };
  }

  /**
   * Posts an action. After one that can change membership, the run's cached discovery is stale. `reach`: the paths
   * it may change (see `actionReach`); the session's reads of every other path stay fresh. Without it, every read
   * is stale after the action. An action that got no answer may have been carried out: it counts all the same.
   */
  async act(invocation: ActionInvocation, reach?: readonly string[]): Promise<Exchange> {
    this.context.scope.interruption.throwIfInterrupted();
    let exchange: Exchange | undefined;
    try {
      exchange = await sendAction(this.context.client, invocation);
      return exchange;
    } finally {
      this.actionsSent += 1;
      if (reach) for (const path of reach) this.changedAt.set(path, this.actionsSent);
      else this.anyChangeAt = this.actionsSent;
      // One that got no answer may have been carried out too.
      if (!exchange || mayHaveChangedMembership(invocation, exchange)) this.context.invalidateDiscovery();
    }
  }

  /** Keeps the reads of an observation made outside the session. */
  remember(observation: Observation): void {
    for (const [path, exchange] of observation.exchanges) this.lastReads.set(path, exchange);
  }

  /** Notes a line on the check's rule, once however often it comes (a fault that defeats every restore says so once). */
  noteOnce(line: string): void {
    if (this.noted.has(line)) return;
    this.noted.add(line);
    this.context.note(line);
  }

  /**
   * Claims the ids an action of the checker created or removed, for the whole run (the ledger's): where members come
   * and go on their own (agents log in and out at their phones: LIVE-API.md §5), a restore puts back only those.
   */
  claimMembers(ids: Iterable<string | undefined>): void {
    for (const id of ids) if (id !== undefined) this.ledger.claimed.add(id);
  }

  /** Remembers instances the checker created (transient ones are left to end on their own, and counted). */
  noteCreated(id: string, collections: ArenaCollection[]): void {
    this.created.set(id, collections);
  }

  /**
   * Puts `scope` back as `original` shows it (the undo of a property's cases, or of one case); `now` is a fresh
   * look at the scope, if there is one.
   */
  async restore(scope: Scope, original: ArenaState, now?: ArenaState): Promise<RestoreOutcome> {
    // A restoring action makes stale only what it may change, like a case's: the look after a round reads that
    // again and takes the rest as read a moment ago, and the next case reuses it. (The session's last restore,
    // {@link restoreAll}, reads everything it puts back.)
    const reach = (i: ActionInvocation) => actionReach(this.current, i, predict(this.arena, this.current, i), scopeOf(this.arena, this.current, i));
    const driver = { arena: this.arena, observe: async (s: Scope) => (await this.lookBefore(s)).state, act: (i: ActionInvocation) => this.act(i, reach(i)) };
    return restoreState(driver, scope, original, { known: this.current, now, claimed: this.ledger.claimed });
  }

  /** Puts back everything the run's ledger recorded (interrupted or not: this does not stop for an interrupt). */
  async restoreAll(): Promise<RestoreOutcome> {
    const driver = {
      arena: this.arena,
      observe: async (s: Scope) => (await observe(this.context.client, s)).state,
      act: async (i: ActionInvocation) => {
        this.actionsSent += 1;
        this.anyChangeAt = this.actionsSent;
        const exchange = await sendAction(this.context.client, i);
        if (mayHaveChangedMembership(i, exchange)) this.context.invalidateDiscovery();
        return exchange;
      },
    };
    return this.ledger.restoreAll(driver, this.current);
  }
}

/**
 * Runs `work` with a session over the target's arena, and restores the run's ledger afterwards, always. Notes on
 * the rule: the arena's size, the actions sent, the calls left to end on their own, and what could not be restored.
 */
export function withActionSession(context: CheckContext, work: (session: ActionSession) => Promise<void>): Promise<void> {
  // An interrupted test is abandoned by its runner at once; the suite waits for this to settle (restored) before
  // the worker may end (settleActionSessions).
  const running = runActionSession(context, work);
  const settled = running.then(
    () => undefined,
    () => undefined,
  );
  const underWay = context.scope.state(sessionsUnderWay);
  underWay.add(settled);
  void settled.then(() => underWay.delete(settled));
  return running;
}

/** Resolves once every action session of the run under way has ended and restored what it changed. */
export async function settleActionSessions(scope: RunScope): Promise<void> {
  await Promise.all([...scope.state(sessionsUnderWay)]);
}

/** The first look of a session at the whole arena: the previous check's last look when it is fresh, else a new one. */
async function firstLook(context: CheckContext, ledger: RestoreLedger, arena: Arena): Promise<Observation | { state: ArenaState }> {
  const whole = wholeArena(arena);
  // The previous check of the family ended with a look at everything after restoring it: a fresh one is reused.
  const last = ledger.lastLook;
  const reusable = last && Date.now() - last.at < LAST_LOOK_FRESH_MS && [...whole.collections, ...whole.singletons].every((read) => last.paths.has(read.path));
  return reusable ? { state: last.state } : observe(context.client, whole);
}

async function runActionSession(context: CheckContext, work: (session: ActionSession) => Promise<void>): Promise<void> {
  const ledger = context.scope.state(restoreLedger);
  let { arena, kept } = await runArena(context);
  let initial = await firstLook(context, ledger, arena);
  if (kept && !arenaStands(arena, initial.state)) {
    forgetRunArena(context);
    ({ arena } = await runArena(context));
    initial = await firstLook(context, ledger, arena);
  }
  if (arena.collections.length === 0 && arena.singletons.length === 0) context.notApplicable('discovery found nothing that an action of the contract acts on');
  const whole = wholeArena(arena);
  ledger.record(whole, initial.state);
  const session = new ActionSession(context, arena, ledger, initial.state);
  if ('exchanges' in initial) session.remember(initial);
  const interruption = context.scope.interruption;
  const release = interruption.keepAliveOnSigint();
  try {
    await work(session);
  } finally {
    try {
      const outcome = await session.restoreAll();
      if (outcome.exchanges.length > 0) context.note(`restored at the end: ${outcome.exchanges.length} action(s) sent to put the target back as found`);
      for (const line of outcome.notRestored) session.noteOnce(`not restored: ${line}`);
      if (interruption.interrupted && outcome.notRestored.length > 0) {
        process.stderr.write(`isym-conform: interrupted; could not restore:\n${outcome.notRestored.map((line) => `  ${line}`).join('\n')}\n`);
      }
    } catch (error) {
      const message = `not restored: the restore could not finish (${(error as Error).message}); the target may keep changes of this check`;
      context.note(message);
      if (interruption.interrupted) process.stderr.write(`isym-conform: ${message}\n`);
    } finally {
      release();
    }
    const calls = callsPlacedBy(context);
    context.note(`${session.actionsSent} action(s) sent on an arena of ${arena.collections.length} collections and ${arena.singletons.length} sub-resources`);
    if (calls > 0 || context.settings.calls) {
      const budget = context.settings.calls ? ` (--max-calls ${context.settings.calls.max}: ${callsPlacedInRun(context)} placed in the run so far)` : '';
      context.note(calls === 0 ? `no phone call placed${budget}` : `${calls} phone call(s) placed${budget}; each is left to end on its own: the contract has no action that hangs up a call`);
    }
  }
}
