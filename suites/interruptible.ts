/**
 * How a rule is stopped before it ends by itself: the run is interrupted (Ctrl-C, --max-time: vitest aborts the
 * running test's signal), or the rule ran out of its time (--rule-timeout). Either way the rule gets a short grace
 * to end by itself (a check that changed state undoes it on its way out), after which its target client refuses
 * every further request so that the check ends at once. A rule an interrupt cut short is reported as `error` with
 * the reason {@link interruptedReason}, as is every rule the run never reached.
 */
import { unjudgedResult, type RuleResult } from '../reporters/vocabulary/rule-result.js';
import type { TargetClient } from './target-client.js';

/** The reason of a rule the run did not decide because it was interrupted. */
export const interruptedReason = 'interrupted';

/** How long the rule running at an interrupt may go on before its requests are refused, ms. */
export const interruptGraceMs = 3000;

/** How long a rule that ran out of time may still send requests (to undo what it changed) before they are stopped, ms. */
export const ruleTimeoutGraceMs = 3000;

/** The result of a rule that an interrupt left undecided. */
export function interruptedResult(ruleId: string): RuleResult {
  return unjudgedResult(ruleId, 'error', interruptedReason);
}

/** Thrown where an action or a look would start after the run was interrupted: the check ends and restores. */
export class InterruptedError extends Error {
  constructor() {
    super('the run was interrupted: no more actions are sent, the target is being restored');
    this.name = 'InterruptedError';
  }
}

/**
 * Whether the run is interrupted, as the checks of one run see it (`RunScope.interruption`): the signal of a
 * running rule's test aborted, or a Ctrl-C reached this worker while actions had changed the target.
 */
export class RunInterruption {
  private readonly watched = new Set<AbortSignal>();
  private sigintSeen = false;

  get interrupted(): boolean {
    return this.sigintSeen || [...this.watched].some((signal) => signal.aborted);
  }

  throwIfInterrupted(): void {
    if (this.interrupted) throw new InterruptedError();
  }

  /** Watches the signal of a rule's test while the rule runs; the returned function ends the watch. */
  watch(signal: AbortSignal): () => void {
    this.watched.add(signal);
    return () => {
      this.watched.delete(signal);
    };
  }

  /**
   * While actions may have changed the target, a Ctrl-C that reaches this worker process must not kill it before
   * it restored: this takes SIGINT over (the run's main process handles the interrupt) and gives it back after.
   */
  keepAliveOnSigint(): () => void {
    const onSigint = () => {
      this.sigintSeen = true;
    };
    process.on('SIGINT', onSigint);
    return () => {
      process.removeListener('SIGINT', onSigint);
    };
  }
}

/**
 * Runs `work` (one rule); when `signal` aborts, halts `client` after the grace. Says whether the client was
 * halted before the work ended, i.e. whether its result is cut short and must not be taken as a verdict.
 */
export async function runInterruptibly<T>(
  work: () => Promise<T>,
  signal: AbortSignal,
  client: TargetClient,
  graceMs: number = interruptGraceMs,
): Promise<{ value: T; cutShort: boolean }> {
  let cutShort = false;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    timer = setTimeout(() => {
      cutShort = true;
      client.halt('not sent: the run was interrupted');
    }, graceMs);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    const value = await work();
    return { value, cutShort };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs `work` with a time limit: past `limitMs` it waits the grace, halts `client` (the work's requests then end at
 * once) and waits one second more; then it gives up on the work. `outOfTime` says the limit was passed.
 */
export async function withinTimeLimit(work: Promise<void>, limitMs: number | undefined, client: TargetClient): Promise<{ outOfTime: boolean; ended: boolean }> {
  if (limitMs === undefined) {
    await work;
    return { outOfTime: false, ended: true };
  }
  const timers: NodeJS.Timeout[] = [];
  const after = (ms: number) => new Promise<'late'>((resolve) => timers.push(setTimeout(() => resolve('late'), ms)));
  const done = work.then(() => 'done' as const);
  try {
    if ((await Promise.race([done, after(limitMs)])) === 'done') return { outOfTime: false, ended: true };
    if ((await Promise.race([done, after(ruleTimeoutGraceMs)])) === 'done') return { outOfTime: true, ended: true };
    client.halt(`not sent: the rule ran out of time (${limitMs / 1000} s, --rule-timeout)`);
    return { outOfTime: true, ended: (await Promise.race([done, after(1000)])) === 'done' };
  } finally {
    timers.forEach(clearTimeout);
  }
}
