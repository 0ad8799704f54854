/**
 * What a check is, what it is given, and how one runs: a check is a small async function with the rule id it
 * serves; it reports findings, says "not applicable" explicitly, and any bug inside it becomes an `error`
 * verdict of its rule, never a crash of the run.
 */
import fc from 'fast-check';
import type { LoadedContract } from '../contracts/load-contract.js';
import type { ResourceModel } from '../contracts/resource-model.js';
import { discover, TargetUnavailableError, type Discovery } from './discovery.js';
import { toFinding, type FindingInput } from './finding.js';
import type { Finding } from '../reporters/vocabulary/finding.js';
import { CoverageRecorder } from './coverage.js';
import { inOrder } from './in-order.js';
import { withinTimeLimit } from './interruptible.js';
import { RunScope } from './run-scope.js';
import type { RuleResult, Verdict } from '../reporters/vocabulary/rule-result.js';
import { ruleById, type RuleDefinition } from '../reporters/vocabulary/rules.js';
import { withRequestPriority, type Exchange, type TargetClient } from './target-client.js';
import type { WriterTurns } from './writer-turns.js';

/** How the suites restart the target, when a restart rule needs it. */
export interface RestartOptions {
  /** A shell command that restarts the target (--restart-cmd); it may return before the target is back. */
  command?: string;
  /** For --embedded: the control URL of the reference server, POSTed to restart it. */
  controlUrl?: string;
  /** How long to wait for the target to answer again, seconds (--ready-timeout; default in run-defaults.ts). */
  readyTimeoutS: number;
}

/** Settings every check reads. */
export interface CheckSettings {
  /** The fast-check seed. */
  seed: number;
  /** fast-check runs per property. */
  numRuns: number;
  /** Limit the run to this core server (its slug). */
  coreServer?: string;
  /** A recorded failing case to replay instead of a fresh run: the property name with its seed and path. */
  replay?: { property: string; seed: number; path: string };
  /** Whether checks outside the ACT family may post actions: false when every ACT rule is skipped (a read-only run). Default true. */
  actionsAllowed?: boolean;
  /** How to restart the target (--restart-cmd, or the embedded server's control URL); undefined: not configured. */
  restart?: RestartOptions;
  /**
   * How long one rule may run, ms (--rule-timeout): then its requests are stopped and it ends as `error` (or `fail`
   * with the findings it had). Default: no limit.
   */
  ruleTimeoutMs?: number;
  /**
   * The run's budget of phone calls (--max-calls), shared out among the rules of the actions family that run
   * (`sharedBy`). Undefined: no limit.
   */
  calls?: { max: number; sharedBy: number };
}

/** What all checks of a run share. */
export interface CheckEnvironment {
  contract: LoadedContract;
  model: ResourceModel;
  client: TargetClient;
  settings: CheckSettings;
  /** The run's state: discovery, interruption, coverage tallies, and what modules keep for the whole run. */
  scope: RunScope;
  /** Discovery of the target, cached until {@link CheckEnvironment.invalidateDiscovery}. */
  discovery(): Promise<Discovery>;
  /** Forget the cached discovery (after a restart or an action that changed membership). */
  invalidateDiscovery(): void;
  /**
   * The turns of the rules that may change state, when rules run at once (the harness's); undefined when they run
   * one at a time.
   */
  writerTurns?: WriterTurns;
}

/** What one check is given. */
export interface CheckContext extends CheckEnvironment {
  rule: RuleDefinition;
  /** Records a finding against the rule. */
  report(finding: FindingInput): void;
  /** Records what was exercised, e.g. `120 instances read by UUID`. */
  note(line: string): void;
  /** Ends the check with the verdict `skip` and this reason. */
  notApplicable(reason: string): never;
  /** Ends the check with the verdict `error` and this reason: the checker could not decide (e.g. a restart failed). */
  undecided(reason: string): never;
  /**
   * Runs a fast-check property: `predicate` returns a finding for a case that breaks the rule, or undefined.
   * A failure is shrunk and recorded once, with its seed, path and counterexample.
   */
  property<T>(name: string, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<FindingInput | undefined>, options?: PropertyOptions<T>): Promise<void>;
  /**
   * Runs `work`, which may change the target's state, in the rule's turn ({@link WriterTurns}); for a rule that
   * otherwise only reads and so runs beside the others (`partWriterRules` of work-split.ts). Once per check: the turn
   * ends with `work`. Without turns (rules one at a time, or a rule whose whole run is its turn), `work` just runs.
   */
  inWriterTurn<T>(work: () => Promise<T>): Promise<T>;
}

/** Options of one {@link CheckContext.property}. */
export interface PropertyOptions<T = unknown> {
  /** At most this many runs (fewer when --runs is lower): for a property whose one case is a whole experiment. Default: --runs. */
  maxRuns?: number;
  /**
   * Each run only reads, and no run depends on another: the runs are made ahead, as many at once as the client
   * lets requests be in flight, and fast-check then takes their outcomes in its own order, so the first failing
   * run, its shrinking (one run after another) and the finding are those of a run made one case at a time.
   */
  independentRuns?: boolean;
  /**
   * Cases that run on every run, before the drawn ones and whatever --runs is (the enumerable part of a rule: every
   * template, every kind of bad body). They take part in replay like drawn cases (same seed, same examples). Default none.
   */
  examples?: T[];
}

/** A check: one small unit with the rule id it serves. */
export interface ConformanceCheck {
  ruleId: string;
  run(context: CheckContext): Promise<void>;
}

class NotApplicable extends Error {}

class Undecided extends Error {}

class FindingFailure extends Error {
  readonly finding: FindingInput;
  constructor(finding: FindingInput) {
    super(finding.message);
    this.finding = finding;
  }
}

/** What one run of a property's predicate gave. */
type RunOutcome = { key: string | undefined; found: FindingInput | undefined } | { key: string | undefined; error: unknown };

/** A fingerprint of a generated case, to make sure an outcome made ahead belongs to the case fast-check runs. */
function caseKey(value: unknown): string | undefined {
  try {
    // The text of JSON.stringify(plainCounterexample(value)) (JSON text parsed and written again is the same
    // text), without the parse and the second write: this runs for every case of every property.
    return JSON.stringify(value, counterexampleReplacer) ?? 'null';
  } catch {
    return undefined;
  }
}

/**
 * Makes the runs of a property ahead of fast-check, up to `limit` at once: the cases are those fast-check draws
 * with the same seed and number of runs, in its order. Stops starting runs after the first one that fails.
 */
async function runsAhead<T>(
  arbitrary: fc.Arbitrary<T>,
  examples: readonly T[],
  seed: number,
  numRuns: number,
  predicate: (value: T) => Promise<FindingInput | undefined>,
  limit: number,
): Promise<RunOutcome[]> {
  // fast-check runs the examples first, then draws; a case made ahead that is not the one it runs is run again live.
  const cases = [...examples, ...fc.sample(arbitrary, { seed, numRuns })];
  return inOrder(
    cases,
    limit,
    async (value): Promise<RunOutcome> => {
      const key = caseKey(value);
      try {
        return { key, found: await predicate(value) };
      } catch (error) {
        return { key, error };
      }
    },
    (outcome) => 'error' in outcome || outcome.found !== undefined,
  );
}

/** Writes a path node as its template. */
function counterexampleReplacer(_key: string, item: unknown): unknown {
  if (item && typeof item === 'object' && 'template' in item && 'kind' in item) return (item as { template: string }).template;
  return item;
}

/** Makes a counterexample JSON-friendly: path nodes become their templates. */
function plainCounterexample(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, counterexampleReplacer) ?? 'null');
}

/** Creates the shared environment of a run; a run scope of its own unless one is given. */
export function createCheckEnvironment(
  contract: LoadedContract,
  client: TargetClient,
  settings: CheckSettings,
  scope: RunScope = new RunScope(new CoverageRecorder(contract.model)),
): CheckEnvironment {
  return {
    contract,
    model: contract.model,
    client,
    settings,
    scope,
    // Every rule that starts waits for discovery: its requests go first in line, whoever set it off.
    discovery: () => scope.discovery(() => withRequestPriority(() => discover(client, contract.model, { seed: settings.seed, coreServer: settings.coreServer }))),
    invalidateDiscovery: () => scope.invalidateDiscovery(),
  };
}

/** What one rule's run gathers while its check runs; its result is made from it. */
interface RuleRun {
  readonly rule: RuleDefinition;
  readonly environment: CheckEnvironment;
  /** The rule's own client: its requests are counted alone (rules may run at once) and it can be halted alone. */
  readonly client: TargetClient;
  /** When the rule started, `performance.now()`. */
  readonly started: number;
  readonly findings: Finding[];
  readonly notes: string[];
  /** The request that got no answer, once the target stopped answering. */
  transportFailure?: Exchange;
}

/** Runs one check and turns whatever happens into a {@link RuleResult}. */
export async function runCheck(check: ConformanceCheck, environment: CheckEnvironment): Promise<RuleResult> {
  const run: RuleRun = {
    rule: ruleById(check.ruleId),
    environment,
    client: environment.client.scoped(),
    started: performance.now(),
    findings: [],
    notes: [],
  };
  const limitMs = environment.settings.ruleTimeoutMs;
  try {
    const { outOfTime } = await withinTimeLimit(check.run(checkContextOf(run)), limitMs, run.client);
    if (outOfTime) return ruleResultOf(run, run.findings.length > 0 ? 'fail' : 'error', outOfTimeReason(limitMs!));
  } catch (error) {
    const ended = resultOfThrown(run, error, limitMs);
    if (ended) return ended;
  }
  if (run.findings.length > 0) return ruleResultOf(run, 'fail');
  if (run.transportFailure) return targetStoppedAnswering(run, run.transportFailure);
  return ruleResultOf(run, 'pass');
}

/** The context a check is given: what it reports and notes goes to `run`. */
function checkContextOf(run: RuleRun): CheckContext {
  const { environment } = run;
  return {
    ...environment,
    client: run.client,
    rule: run.rule,
    report: (finding) => run.findings.push(toFinding(finding, undefined, environment.model)),
    note: (line) => run.notes.push(line),
    notApplicable: (reason) => {
      throw new NotApplicable(reason);
    },
    undecided: (reason) => {
      throw new Undecided(reason);
    },
    property: (name, arbitrary, predicate, options) => runProperty(run, name, arbitrary, predicate, options),
    inWriterTurn: (work) => inWriterTurn(run, work),
  };
}

/** {@link CheckContext.inWriterTurn}: waits for the rule's turn, runs `work` with its requests first in line, ends the turn. */
async function inWriterTurn<T>(run: RuleRun, work: () => Promise<T>): Promise<T> {
  const turns = run.environment.writerTurns;
  if (!turns?.has(run.rule.id)) return work();
  await turns.take(run.rule.id);
  try {
    // An interrupt that came while waiting: nothing more is sent.
    run.environment.scope.interruption.throwIfInterrupted();
    return await withRequestPriority(work);
  } finally {
    turns.release(run.rule.id);
  }
}

/** Runs one fast-check property of a rule (see {@link CheckContext.property}); its shrunk failure becomes a finding of `run`. */
async function runProperty<T>(
  run: RuleRun,
  name: string,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<FindingInput | undefined>,
  options?: PropertyOptions<T>,
): Promise<void> {
  const { settings, model } = run.environment;
  const replay = settings.replay;
  if (replay && replay.property !== name) return;
  const numRuns = Math.min(settings.numRuns, options?.maxRuns ?? Infinity);
  const examples = options?.examples ?? [];
  const ahead =
    options?.independentRuns && !replay && run.client.maxConcurrentRequests > 1
      ? await runsAhead(arbitrary, examples, settings.seed, numRuns, predicate, run.client.maxConcurrentRequests)
      : undefined;
  const runs = new RunsTakenAhead(ahead, predicate);
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      if (run.transportFailure) return;
      try {
        const found = await runs.outcomeOf(value);
        if (found) {
          runs.goLive();
          throw new FindingFailure(found);
        }
      } catch (error) {
        runs.goLive();
        // A target that stopped answering ends the property: shrinking against it would only wait.
        if (error instanceof TargetUnavailableError) {
          run.transportFailure = error.exchange;
          return;
        }
        throw error;
      }
    }),
    {
      ...(replay ? { seed: replay.seed, path: replay.path, numRuns: 1 } : { seed: settings.seed, numRuns: numRuns + examples.length }),
      examples: examples.map((example) => [example] as [T]),
    },
  );
  if (!details.failed) return;
  if (details.errorInstance instanceof FindingFailure) {
    run.findings.push(
      toFinding(details.errorInstance.finding, {
        seed: details.seed,
        path: details.counterexamplePath ?? undefined,
        counterexample: plainCounterexample(details.counterexample?.[0]),
        property: name,
      }, model),
    );
    return;
  }
  throw details.errorInstance ?? new Error(`property ${name} failed without an error`);
}

/**
 * fast-check's runs of one property, taking the outcomes made ahead in order up to the first failure or the first
 * case that is not the one made ahead; from then on (and for shrinking) the predicate runs live.
 */
class RunsTakenAhead<T> {
  private runIndex = 0;
  private live: boolean;

  constructor(
    private readonly ahead: RunOutcome[] | undefined,
    private readonly predicate: (value: T) => Promise<FindingInput | undefined>,
  ) {
    this.live = ahead === undefined;
  }

  /** The outcome of the next run, on `value`: the one made ahead when it is that case's, else a live run. */
  async outcomeOf(value: T): Promise<FindingInput | undefined> {
    const made = this.live ? undefined : this.ahead![this.runIndex];
    this.runIndex += 1;
    if (made === undefined || made.key === undefined || made.key !== caseKey(value)) {
      this.live = true;
      return this.predicate(value);
    }
    if ('error' in made) throw made.error;
    return made.found;
  }

  /** Every later run is live: after a failure, fast-check shrinks, and its cases were not made ahead. */
  goLive(): void {
    this.live = true;
  }
}

/** Why a rule that ran past --rule-timeout ended. */
function outOfTimeReason(limitMs: number): string {
  return `the rule did not finish within ${limitMs / 1000} s (--rule-timeout); its requests were stopped`;
}

/**
 * The result of a check that threw: out of time, not applicable, undecided, or a bug in the check. Undefined when
 * the target stopped answering: the rule then ends as the other checks of a silent target do.
 */
function resultOfThrown(run: RuleRun, error: unknown, limitMs: number | undefined): RuleResult | undefined {
  const verdictWithFindings = (otherwise: Verdict): Verdict => (run.findings.length > 0 ? 'fail' : otherwise);
  // A check stopped by the time limit throws whatever its halted requests made it throw; the limit is the reason.
  if (performance.now() - run.started > (limitMs ?? Infinity)) return ruleResultOf(run, verdictWithFindings('error'), outOfTimeReason(limitMs!));
  if (error instanceof NotApplicable) return ruleResultOf(run, verdictWithFindings('skip'), error.message);
  if (error instanceof Undecided) return ruleResultOf(run, verdictWithFindings('error'), error.message);
  if (error instanceof TargetUnavailableError) {
    run.transportFailure = error.exchange;
    return undefined;
  }
  return ruleResultOf(run, 'error', `check ${run.rule.id} raised an unexpected error: ${(error as Error)?.stack ?? String(error)}`);
}

/** The `error` result of a rule whose target stopped answering, with the request that got no answer as its finding. */
function targetStoppedAnswering(run: RuleRun, failure: Exchange): RuleResult {
  run.findings.push(
    toFinding({
      message: 'The target stopped answering, so the rule could not be decided.',
      expected: 'an HTTP response',
      actual: failure.transportError ?? 'no response',
      exchanges: [failure],
    }),
  );
  return ruleResultOf(run, 'error', `the target gave no answer to ${failure.method} ${failure.path} (${failure.transportError})`);
}

/** The rule's result with this verdict: its provenance is `inferred` when the rule or all its findings are. */
function ruleResultOf(run: RuleRun, verdict: Verdict, reason?: string): RuleResult {
  const { rule, findings } = run;
  const provenance =
    rule.provenance === 'inferred' || (findings.length > 0 && findings.every((f) => f.provenance === 'inferred')) ? 'inferred' : 'doc';
  const result: RuleResult = {
    id: rule.id,
    level: rule.level,
    family: rule.family,
    statement: rule.statement,
    verdict,
    provenance,
    findings,
    notes: run.notes,
    durationMs: Math.round(performance.now() - run.started),
    requests: run.client.requestCount,
  };
  if (reason !== undefined) result.reason = reason;
  return result;
}

/** Throws {@link TargetUnavailableError} when the exchange got no answer, so the rule ends as `error`. */
export function requireAnswer(exchange: Exchange): Exchange {
  if (exchange.status === 0) throw new TargetUnavailableError(exchange);
  return exchange;
}
