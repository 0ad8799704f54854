/**
 * The restore ledger: what the actions family found before it changed anything, and how it puts it back. The
 * ledger keeps the first state it saw of every collection and sub-resource an action could change; restoring
 * compares that with the target now and sends what the restore planner (`restore-planner.ts`) plans from the
 * contract's own effects, looking again after each round. The steps of a round that touch nothing in common are
 * sent at once (the client bounds what is in flight): a restore of several undone cases is one round trip.
 */
import type { Exchange } from '../target-client.js';
import { joinScopes, type Arena, type ArenaCollection, type ArenaSingleton, type Scope } from './arena.js';
import { overlaidStates, type ArenaState, type Item } from './arena-state.js';
import type { ActionInvocation } from './invocation.js';
import { membersMovedBy } from './moved-on-its-own.js';
import { predict } from './prediction.js';
import { describeStep, independentLanes, planRound, remainingDifferences } from './restore-planner.js';

// The sequences plan one undo step at a time; they take it from here, with the ledger.

/** One recorded original: a collection's members or a sub-resource's value, as first seen. */
type Original = { read: ArenaCollection; members: Map<string, Item> } | { read: ArenaSingleton; value: Item };

/** What restoring needs from the session: a way to look and a way to act. */
export interface RestoreDriver {
  arena: Arena;
  observe(scope: Scope): Promise<ArenaState>;
  act(invocation: ActionInvocation): Promise<Exchange>;
}

/** What a restore did and could not do. */
export interface RestoreOutcome {
  /** The actions sent to restore. */
  exchanges: Exchange[];
  /** One line per thing that still differs from the original afterwards. */
  notRestored: string[];
  /** The last look at the scope. */
  look: ArenaState;
}

/** The originals of everything the actions family may change on one target. */
export class RestoreLedger {
  private readonly originals = new Map<string, Original>();
  /**
   * The ids the checker's own actions (and restores) created or removed in this run. Where members come and go on
   * their own (agents log in and out at their phones: LIVE-API.md §5), a restore puts back only these: the checker
   * must not log out an agent who logged in meanwhile, nor log back in one who logged out.
   */
  readonly claimed = new Set<string>();
  /** The last whole look at the target (after a restore), with when it was taken: the next check may start from it. */
  lastLook?: { state: ArenaState; paths: Set<string>; at: number };

  /** Records what `state` shows of `scope`, for each path not recorded yet (the first look is the original). */
  record(scope: Scope, state: ArenaState): void {
    for (const read of scope.collections) {
      if (read.transient || this.originals.has(read.path)) continue;
      const members = state.collections.get(read.path);
      if (members) this.originals.set(read.path, { read, members: new Map([...members].map(([id, item]) => [id, structuredClone(item)])) });
    }
    for (const read of scope.singletons) {
      const value = state.singletons.get(read.path);
      if (value && !this.originals.has(read.path)) this.originals.set(read.path, { read, value: structuredClone(value) });
    }
  }

  /** Everything recorded. */
  scope(): Scope {
    const collections: ArenaCollection[] = [];
    const singletons: ArenaSingleton[] = [];
    for (const original of this.originals.values()) {
      if (original.read.kind === 'collection') collections.push(original.read);
      else singletons.push(original.read);
    }
    return { collections, singletons };
  }

  /** The recorded originals of `scope`'s paths, as a state. */
  originalState(scope: Scope = this.scope()): ArenaState {
    const state: ArenaState = { collections: new Map(), singletons: new Map() };
    for (const read of [...scope.collections, ...scope.singletons]) {
      const original = this.originals.get(read.path);
      if (!original) continue;
      if ('members' in original) state.collections.set(read.path, original.members);
      else state.singletons.set(read.path, original.value);
    }
    return state;
  }

  /** Puts back everything recorded (see {@link restoreState}, with the {@link claimed} members); `known` as there. */
  async restoreAll(driver: RestoreDriver, known?: ArenaState): Promise<RestoreOutcome> {
    const scope = this.scope();
    const outcome = await restoreState(driver, scope, this.originalState(scope), { known, claimed: this.claimed });
    this.lastLook = { state: outcome.look, paths: new Set([...scope.collections, ...scope.singletons].map((read) => read.path)), at: Date.now() };
    return outcome;
  }
}

/**
 * Brings `scope` back to `original`: plans a round of actions from the contract's effects, sends them, and looks
 * again, for at most `rounds` rounds. `known` is what is known of the target around the scope (the names body
 * references resolve against); `now`, when given, is a fresh look at the scope (else it is read first); `claimed`,
 * the members that come and go on their own which the checker's actions moved (only those are put back: see
 * {@link planRound}); what the restore's own steps add or remove joins it. Says what it sent and what still differs.
 */
export async function restoreState(
  driver: RestoreDriver,
  scope: Scope,
  original: ArenaState,
  options: { known?: ArenaState; now?: ArenaState; rounds?: number; claimed?: Set<string> } = {},
): Promise<RestoreOutcome> {
  const exchanges: Exchange[] = [];
  const full = joinScopes(scope);
  // Planning only reads the state, so what is known is overlaid, not copied.
  const around = (state: ArenaState) => (options.known ? overlaidStates(options.known, state) : state);
  let look = options.now ?? (await driver.observe(full));
  let current = around(look);
  // The round planned on the last look: when it plans nothing the restore is over, and it says what still differs.
  let lastRound = planRound(driver.arena, full, original, current, options.claimed);
  const answers = new Map<string, number>();
  for (let round = 0; round < (options.rounds ?? 3) && lastRound.plan.length > 0; round += 1) {
    const sent = await sendRound(driver, current, lastRound.plan);
    lastRound.plan.forEach((step, index) => answers.set(describeStep(step), sent[index].status));
    exchanges.push(...sent);
    const plannedOn = current;
    look = await driver.observe(full);
    current = around(look);
    // A member a step logged in is the checker's, also where the target listed it otherwise than the effect says
    // (the next round may have to take it away again).
    lastRound.plan.forEach((step, index) => {
      for (const id of membersMovedBy(driver.arena, plannedOn, current, step, predict(driver.arena, plannedOn, step), sent[index].status)) options.claimed?.add(id);
    });
    lastRound = planRound(driver.arena, full, original, current, options.claimed);
  }
  return { exchanges, notRestored: remainingDifferences(lastRound, answers), look };
}

/**
 * Sends the steps of one round (planned on `current`): each lane of {@link independentLanes} one step after another
 * in its planned order, the lanes at once. The exchanges come in the planned order. After a step that threw, no lane
 * starts another step; the first error is thrown once every lane has stopped (none is left sending unawaited).
 */
async function sendRound(driver: RestoreDriver, current: ArenaState, plan: ActionInvocation[]): Promise<Exchange[]> {
  const sent = new Map<ActionInvocation, Exchange>();
  let stopped = false;
  const lanes = independentLanes(driver.arena, current, plan).map(async (lane) => {
    for (const step of lane) {
      if (stopped) return;
      try {
        sent.set(step, await driver.act(step));
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  });
  const failure = (await Promise.allSettled(lanes)).find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return plan.map((step) => sent.get(step)!);
}
