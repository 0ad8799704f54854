/**
 * The state one run keeps while its checks run, handed to each of them (`CheckContext.scope`): the cached
 * discovery, the interruption, the coverage tallies, and the state that a module keeps for the whole run (the
 * actions' restore ledger, the restart experiment), each under a key its module declares. Nothing of a run is kept
 * in a module's globals: two environments are two runs.
 */
import { CoverageRecorder } from './coverage.js';
import type { Discovery } from './discovery.js';
import { RunInterruption } from './interruptible.js';

/** A piece of state a module keeps for a whole run: made on first use, one per run scope. */
export class ScopedState<T> {
  constructor(
    /** What the state is, for a reader of the code and of a debugger. */
    readonly name: string,
    readonly create: () => T,
  ) {}
}

/** One run's state in the worker. */
export class RunScope {
  /** Whether the run is interrupted, as the checks see it. */
  readonly interruption = new RunInterruption();
  /** Every request of the run, tallied by rule. */
  readonly coverage: CoverageRecorder;
  private readonly states = new Map<ScopedState<unknown>, unknown>();
  private discovered: Promise<Discovery> | undefined;

  constructor(coverage: CoverageRecorder) {
    this.coverage = coverage;
  }

  /** The run's value of `key`, made on first use. */
  state<T>(key: ScopedState<T>): T {
    if (!this.states.has(key)) this.states.set(key, key.create());
    return this.states.get(key) as T;
  }

  /** The run's discovery, made by `discover` on first use and kept until {@link invalidateDiscovery}. */
  discovery(discover: () => Promise<Discovery>): Promise<Discovery> {
    const discovered = (this.discovered ??= discover());
    // A failed discovery is not kept: the next check tries again.
    discovered.catch(() => {
      if (this.discovered === discovered) this.discovered = undefined;
    });
    return discovered;
  }

  /** Forgets the discovery (after a restart, or an action that changed membership). */
  invalidateDiscovery(): void {
    this.discovered = undefined;
  }
}
