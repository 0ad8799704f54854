/**
 * What interrupts a run, seen from the main process: SIGINT (when asked), the caller's abort signal, or --max-time.
 * The first of them is recorded (the report says which) and the listeners are told once; vitest then aborts the
 * running test's signal, which the suites take from there (../interruptible.ts).
 */
import type { ConformanceReport } from '../../reporters/report-model.js';

/** Why a run was interrupted, as the report records it. */
export type RunInterrupt = NonNullable<ConformanceReport['interrupted']>;

/** The sources {@link watchForInterrupt} listens to. */
export interface InterruptSources {
  /** Aborting it interrupts the run as Ctrl-C does. */
  signal?: AbortSignal;
  /** Listen for SIGINT. */
  handleSigint?: boolean;
  /** --max-time, ms, counted from `runStarted`. */
  maxTimeMs?: number;
}

/** A run's interrupt watch: what interrupted it so far, and who to tell. */
export interface InterruptWatch {
  interrupted(): RunInterrupt | undefined;
  /** `listener` is called once, at the interrupt (at once when it already came). */
  onInterrupt(listener: (interrupt: RunInterrupt) => void): void;
  /** Stops listening (the run ended). */
  stop(): void;
}

/** Starts watching for an interrupt; `runStarted` is the `performance.now()` that --max-time counts from. */
export function watchForInterrupt(sources: InterruptSources, runStarted: number): InterruptWatch {
  let interrupted: RunInterrupt | undefined;
  const listeners: ((interrupt: RunInterrupt) => void)[] = [];
  const interrupt = (reason: RunInterrupt['reason'], detail: string) => {
    if (interrupted) return;
    interrupted = { reason, detail };
    for (const listener of listeners) listener(interrupted);
  };
  const onSigint = () => interrupt('signal', 'interrupted by SIGINT (Ctrl-C)');
  const onAbort = () => interrupt('signal', 'interrupted by the caller');
  // Only the first Ctrl-C is caught: a second one ends the process at once, as usual.
  if (sources.handleSigint) process.once('SIGINT', onSigint);
  if (sources.signal?.aborted) onAbort();
  else sources.signal?.addEventListener('abort', onAbort, { once: true });
  const maxTimeMs = sources.maxTimeMs;
  const timer =
    maxTimeMs !== undefined
      ? setTimeout(() => interrupt('max-time', `stopped by --max-time after ${maxTimeMs / 1000} s`), Math.max(0, maxTimeMs - (performance.now() - runStarted)))
      : undefined;
  return {
    interrupted: () => interrupted,
    onInterrupt(listener) {
      if (interrupted) listener(interrupted);
      else listeners.push(listener);
    },
    stop() {
      clearTimeout(timer);
      process.removeListener('SIGINT', onSigint);
      sources.signal?.removeEventListener('abort', onAbort);
    },
  };
}
