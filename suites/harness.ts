/**
 * The vitest glue: one `describe` per rule family, one `test` per rule. The test records the rule's result in its
 * meta (where the conformance reporter reads it) and passes, fails or skips with it, so a plain vitest reporter
 * tells the same story.
 */
import { afterEach, describe, inject, test } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import { createCheckEnvironment, runCheck, type CheckEnvironment } from './check.js';
import { unjudgedResult, type RuleResult } from '../reporters/vocabulary/rule-result.js';
import { checks } from './checks/index.js';
import { settleActionSessions } from './actions/session.js';
import { CoverageRecorder } from './coverage.js';
import type { RequestTally } from '../reporters/vocabulary/coverage.js';
import { interruptedResult, runInterruptibly } from './interruptible.js';
import { replayRule } from './replay.js';
import type { ReplayCase } from '../reporters/vocabulary/replay-case.js';
import type { RuleFamily } from '../reporters/vocabulary/rules.js';
import { clientOptionsOf, type PlannedRule, type RunPlan } from './run-plan.js';
import { RunScope } from './run-scope.js';
import { TargetClient, withRequestPriority } from './target-client.js';
import { partWriterRules, readOnlyRules, sharedTurns } from './work-split.js';
import { WriterTurns } from './writer-turns.js';

declare module 'vitest' {
  interface TaskMeta {
    conformance?: RuleResult;
    /** What the rule's requests covered of the contract. */
    conformanceCoverage?: RequestTally;
    /** With --replay: each recorded case of the rule and whether it still fails. */
    conformanceReplay?: ReplayCase[];
  }
}

// What vitest's model makes global: the suite files of a run are separate modules that share nothing but this
// one (they run one after another in one worker, with isolation off, and vitest hands them only plain data), so
// the run's environment, and with it the run scope, is kept here, made by the first rule that needs it. Each run
// is a new vitest and a new worker: this module state never outlives its run.
let environment: Promise<CheckEnvironment> | undefined;

// Ctrl-C in a terminal reaches this worker too; the runner handles it (it cancels the run, the rule under way gets
// a grace to end, and the partial report is written), so the worker must not die of it.
process.on('SIGINT', () => {});

/** The environment of the run of `plan`: its client tallies every request in the run scope. */
function sharedEnvironment(plan: RunPlan): Promise<CheckEnvironment> {
  // The runner loaded and validated this contract before it started vitest.
  environment ??= loadContract(plan.contractPath, { alreadyValidated: true }).then((contract) => {
    const scope = new RunScope(new CoverageRecorder(contract.model));
    const client = new TargetClient({ ...clientOptionsOf(plan), onExchange: (exchange) => scope.coverage.record(exchange) });
    // The checks read their settings from the plan itself.
    return createCheckEnvironment(contract, client, plan, scope);
  });
  return environment;
}

/** Runs one planned rule in the run's environment, watched for interrupts; its result and what it covered. */
async function runPlannedRule(rule: PlannedRule, plan: RunPlan, signal: AbortSignal, turns: WriterTurns | undefined): Promise<{ result: RuleResult; cases?: ReplayCase[]; tally: RequestTally }> {
  const check = checks.find((candidate) => candidate.ruleId === rule.id)!;
  const shared = await sharedEnvironment(plan);
  const { scope } = shared;
  const replays = plan.replays?.[rule.id];
  const environment: CheckEnvironment = { ...shared, writerTurns: turns };
  const unwatch = scope.interruption.watch(signal);
  try {
    const run = await runInterruptibly(
      () => scope.coverage.withRule(rule.id, async () => (replays ? replayRule(check, environment, replays) : { result: await runCheck(check, environment), cases: undefined })),
      signal,
      shared.client,
    );
    const tally = scope.coverage.take(rule.id);
    if (run.cutShort) return { result: interruptedResult(rule.id), tally };
    return { result: run.value.result, cases: run.value.cases, tally };
  } finally {
    unwatch();
  }
}

/**
 * The turns of the rules of `rules` that may change state, in the order given: one turn each, except the rules of
 * a group of `sharedTurns`, which share one turn (at the place of the first of them).
 */
function writerTurnsOf(rules: readonly PlannedRule[]): string[][] {
  const turns: string[][] = [];
  const groupTurns = new Map<ReadonlySet<string>, string[]>();
  for (const rule of rules.filter((candidate) => !readOnlyRules.has(candidate.id))) {
    const group = sharedTurns.find((candidate) => candidate.has(rule.id));
    const shared = group && groupTurns.get(group);
    if (shared) shared.push(rule.id);
    else {
      turns.push([rule.id]);
      if (group) groupTurns.set(group, turns[turns.length - 1]);
    }
  }
  return turns;
}

/**
 * Registers the tests of the rule families of one suite file, one `describe` per family, in the order given.
 *
 * With --concurrency above 1 and rules that can run at once, every rule is a concurrent test, and so is every family:
 * the read-only rules (work-split.ts) of all the file's families run at once, beside the others, which take turns
 * ({@link WriterTurns}) in family order, then rule order. A read-only rule sends only GETs, which disturb nothing,
 * and takes what the others change as a live server's own churn; two rules that may change state never overlap,
 * so each one's judgement of its own actions is as in a run one rule at a time. The rule in its turn has its requests
 * first in line for a request slot: its round trips, one after another, are the run's longest path. A rule that
 * changes state in one part only (`partWriterRules`) runs beside, and takes its turn for that part
 * (`CheckContext.inWriterTurn`); the rules of a group of `sharedTurns` (the run's one restart; the rules that judge
 * only statuses) share a turn, and so run at once.
 * Without a read-only rule to run and no shared turn, the rules stay plain tests, one after another: then a rule's
 * test does not wait for the others' turns (vitest's test timeout counts from the test's start).
 */
export function defineSuites(families: readonly RuleFamily[]): void {
  const plan = inject('isymConform');
  // A rule the plan leaves absent (another shard's, one with nothing to replay) has no test and no place in the report.
  const present = (family: RuleFamily) => plan.rules.filter((rule) => rule.family === family && rule.disposition !== 'absent');
  const fileRules = families.flatMap(present);
  const runs = (ruleId: string) => fileRules.some((rule) => rule.id === ruleId && rule.disposition === 'run');
  const turnList = writerTurnsOf(fileRules);
  const beside = plan.concurrency > 1 && ([...readOnlyRules].some(runs) || turnList.some((turn) => turn.filter(runs).length > 1));
  const turns = beside ? new WriterTurns(turnList) : undefined;
  for (const family of families) {
    const register = beside ? describe.concurrent : describe;
    register(family, () => {
      // A check that sees its test aborted (Ctrl-C, --max-time) stops acting and restores the target; vitest abandons
      // an aborted test at once, so the end of each test that may act waits for that restore before the run may close.
      afterEach(async ({ task }) => {
        if (environment && !readOnlyRules.has(task.name)) await settleActionSessions((await environment).scope);
      });
      // The read-only rules first: they start at once, and the turns go in family order anyway.
      const familyRules = present(family);
      const ordered = beside ? [...familyRules].sort((a, b) => Number(!readOnlyRules.has(a.id)) - Number(!readOnlyRules.has(b.id))) : familyRules;
      for (const rule of ordered) defineRuleTest(rule, plan, turns);
    });
  }
}

/** Registers the test of one rule: a concurrent one with `turns` (taking its turn unless it only reads), else a plain one. */
function defineRuleTest(rule: PlannedRule, plan: RunPlan, turns: WriterTurns | undefined): void {
  const wholeTurn = turns !== undefined && turns.has(rule.id) && !partWriterRules.has(rule.id);
  const register = turns ? test.concurrent : test;
  register(rule.id, async ({ task, skip, signal }) => {
    let result: RuleResult;
    try {
      if (rule.disposition === 'skip') result = unjudgedResult(rule.id, 'skip', rule.reason!);
      else {
        if (wholeTurn) await turns.take(rule.id, signal);
        const running = () => runPlannedRule(rule, plan, signal, turns);
        const run = await (wholeTurn ? withRequestPriority(running) : running());
        result = run.result;
        if (run.cases) task.meta.conformanceReplay = run.cases;
        task.meta.conformanceCoverage = run.tally;
      }
    } finally {
      // A rule that ended, however, passes the turn on (one that changes state in one part only, too, if it never took it).
      turns?.release(rule.id);
    }
    task.meta.conformance = result;
    if (result.verdict === 'skip') skip(result.reason);
    if (result.verdict === 'fail') throw new Error(`${result.id}: ${result.findings.length} finding(s); first: ${result.findings[0]?.message}`);
    if (result.verdict === 'error') throw new Error(`${result.id} could not be decided: ${result.reason}`);
  });
}
