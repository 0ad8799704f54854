/**
 * Interrupts, as the actions family sees them: vitest aborts the running test's signal (Ctrl-C, --max-time)
 * and the rule gets a short grace before its requests are refused. An action check stops sending actions at
 * once and restores the target in that grace. actions.suite.ts hands each test's signal here.
 */

/** Thrown where an action or a look would start after the run was interrupted: the check ends and restores. */
export class InterruptedError extends Error {
  constructor() {
    super('the run was interrupted: no more actions are sent, the target is being restored');
    this.name = 'InterruptedError';
  }
}

/** The interruption state of the running test. */
export interface Interruption {
  readonly interrupted: boolean;
  throwIfInterrupted(): void;
}

let watched: AbortSignal | undefined;
let sigintSeen = false;

/** Watches the running test's abort signal (called by the actions suite before each test). */
export function watchTestSignal(signal: AbortSignal | undefined): void {
  watched = signal;
}

const current: Interruption = {
  get interrupted() {
    return sigintSeen || watched?.aborted === true;
  },
  throwIfInterrupted() {
    if (this.interrupted) throw new InterruptedError();
  },
};

/** The interruption state of the running test. */
export function currentInterruption(): Interruption {
  return current;
}

/**
 * While actions may have changed the target, a Ctrl-C that reaches this worker process must not kill it before
 * it restored: this takes SIGINT over (the run's main process handles the interrupt) and gives it back after.
 */
export function keepAliveOnSigint(): () => void {
  const onSigint = () => {
    sigintSeen = true;
  };
  process.on('SIGINT', onSigint);
  return () => {
    process.removeListener('SIGINT', onSigint);
  };
}
