/**
 * Reads that several read-only rules make of one path in their enumerated cases, sent once per run: ADDR-UUID,
 * ADDR-NAME and ADDR-MIXED each read every named instance they enumerate by UUID, and ADDR-NAME and ADDR-MIXED each
 * read a namesake with its own level by name. One answer judges the same for each of them; against 100 times the
 * reference data set the second and third reads were some 2,000 of the run's 28,000 requests.
 *
 * A rule says up front which paths its enumerated cases read ({@link expectSharedReads}); the first of the rules
 * that expect a path to read it sends the request, and each of the others takes that answer once, instead of a
 * request of its own. Later reads of the path by the same rule (a drawn case, a shrinking run, a read again for
 * evidence) are its own. A read shared is kept only until every rule that expects it took it.
 *
 * A shared answer may be seconds older than the rule's other reads of the case, and live state may have moved
 * between them: a case whose judgement used one and found something is judged again on reads of its own
 * ({@link judgeWithSharedReads}), so a finding rests only on reads its case made together, as without sharing.
 */
import type { CheckContext } from './check.js';
import { ScopedState } from './run-scope.js';
import type { Exchange } from './target-client.js';

/** The shared reads of one run. */
export class SharedReads {
  /** Path → the rules that expect to read it and have not taken a read of it yet. */
  private readonly awaited = new Map<string, Set<string>>();
  /** Path → the read made of it, kept for the rules that still await it. */
  private readonly made = new Map<string, Promise<Exchange>>();

  /** `ruleId`'s enumerated cases will read each of `paths` (once each). */
  expect(ruleId: string, paths: Iterable<string>): void {
    for (const path of paths) {
      const rules = this.awaited.get(path) ?? new Set<string>();
      rules.add(ruleId);
      this.awaited.set(path, rules);
    }
  }

  /**
   * `ruleId`'s read of `path`: the read another rule made of it (`shared`), or one that `send` makes now and that is
   * kept for the other rules that await it. Undefined when the rule did not expect the path or took its read of it
   * already: then it reads for itself.
   */
  take(ruleId: string, path: string, send: () => Promise<Exchange>): { exchange: Promise<Exchange>; shared: boolean } | undefined {
    const rules = this.awaited.get(path);
    if (!rules?.delete(ruleId)) return undefined;
    const made = this.made.get(path);
    if (rules.size === 0) {
      this.awaited.delete(path);
      this.made.delete(path);
    }
    if (made) return { exchange: made, shared: true };
    const exchange = send();
    if (rules.size > 0) this.made.set(path, exchange);
    return { exchange, shared: false };
  }

  /** How many reads are kept for rules that have not taken them yet. */
  get kept(): number {
    return this.made.size;
  }
}

const sharedReadsOfRun = new ScopedState('shared reads', () => new SharedReads());

/** The run's shared reads. */
export function sharedReadsOf(context: Pick<CheckContext, 'scope'>): SharedReads {
  return context.scope.state(sharedReadsOfRun);
}

/** Says that the rule's enumerated cases read `paths`: another rule's read of one of them may serve instead of its own. */
export function expectSharedReads(context: Pick<CheckContext, 'scope' | 'rule'>, paths: Iterable<string>): void {
  sharedReadsOf(context).expect(context.rule.id, paths);
}

/** GET of a path, as a case's judgement reads it. */
export type CaseRead = (path: string) => Promise<Exchange>;

/**
 * Judges one case, reading through `read`: a read that another rule made of the same path where there is one
 * (see the module's comment), the rule's own otherwise. When a shared read was used and the judgement found
 * something, the case is judged again with reads of its own only, and that judgement stands.
 */
export async function judgeWithSharedReads<F>(context: Pick<CheckContext, 'scope' | 'rule' | 'client'>, judge: (read: CaseRead) => Promise<F | undefined>): Promise<F | undefined> {
  const shared = sharedReadsOf(context);
  const ownRead: CaseRead = (path) => context.client.get(path);
  let usedShared = false;
  const found = await judge(async (path) => {
    const taken = shared.take(context.rule.id, path, () => ownRead(path));
    if (!taken) return ownRead(path);
    const exchange = await taken.exchange;
    if (!taken.shared) return exchange;
    // The rule that sent it got no answer (its requests were stopped, say): this rule asks for itself.
    if (exchange.status === 0) return ownRead(path);
    usedShared = true;
    // Counted as a request of the rule that sent it; this rule is named among those that exercised the operation.
    context.scope.coverage.recordJudged(exchange);
    return exchange;
  });
  if (found === undefined || !usedShared) return found;
  return judge(ownRead);
}
