/**
 * Interrupted runs (Ctrl-C, --max-time): vitest aborts the running test's signal; the rule running then gets a
 * short grace to end by itself (a check that changed state undoes it on its way out), after which the target
 * client refuses every further request so that the check ends at once. A rule cut short this way is reported as
 * `error` with the reason {@link interruptedReason}, as is every rule the run never reached.
 */
import { unjudgedResult, type RuleResult } from '../reporters/vocabulary/rule-result.js';
import type { TargetClient } from './target-client.js';

/** The reason of a rule the run did not decide because it was interrupted. */
export const interruptedReason = 'interrupted';

/** How long the rule running at an interrupt may go on before its requests are refused, ms. */
export const interruptGraceMs = 3000;

/** The result of a rule that an interrupt left undecided. */
export function interruptedResult(ruleId: string): RuleResult {
  return unjudgedResult(ruleId, 'error', interruptedReason);
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
