/**
 * The turns of the rules that may change state, in one run: each takes its turn in a fixed order (the order the
 * run lists them in), whatever the timing, so that two of them never overlap and each sees the target as the
 * previous one left it, as in a run one rule at a time. The read-only rules need no turn: they run beside. Rules
 * that change state together and otherwise only read (the rules of the run's one restart) share one turn.
 */

/** One rule's place in the order: waited for by the later ones until it is released. */
interface Place {
  released: Promise<void>;
  release(): void;
}

function place(): Place {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { released, release };
}

export class WriterTurns {
  private readonly turns: readonly (readonly string[])[];
  private readonly places = new Map<string, Place>();

  /** `turns`: the rules that take turns, first turn to last, each turn the rules that share it. */
  constructor(turns: readonly (readonly string[])[]) {
    this.turns = turns;
    for (const ruleId of turns.flat()) this.places.set(ruleId, place());
  }

  /** Whether `ruleId` takes turns. */
  has(ruleId: string): boolean {
    return this.places.has(ruleId);
  }

  /**
   * Waits until every rule of the turns before that of `ruleId` has released its turn (or `signal` aborts: an
   * interrupted run lets every waiting rule go on to end at once). A rule that takes no turns waits for nothing.
   */
  async take(ruleId: string, signal?: AbortSignal): Promise<void> {
    const index = this.turns.findIndex((turn) => turn.includes(ruleId));
    if (index <= 0) return;
    const earlier = Promise.all(this.turns.slice(0, index).flat().map((id) => this.places.get(id)!.released));
    if (!signal) return void (await earlier);
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const onAbort = () => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      void earlier.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Ends the turn of `ruleId` (taken or not: a rule that had nothing to change passes it on). Idempotent. */
  release(ruleId: string): void {
    this.places.get(ruleId)?.release();
  }
}
