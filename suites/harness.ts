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
import { TargetClient } from './target-client.js';
import { readOnlyRules } from './work-split.js';

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
async function runPlannedRule(rule: PlannedRule, plan: RunPlan, signal: AbortSignal): Promise<{ result: RuleResult; cases?: ReplayCase[]; tally: RequestTally }> {
  const check = checks.find((candidate) => candidate.ruleId === rule.id)!;
  const shared = await sharedEnvironment(plan);
  const { scope } = shared;
  const replays = plan.replays?.[rule.id];
  const unwatch = scope.interruption.watch(signal);
  try {
    const run = await runInterruptibly(
      () => scope.coverage.withRule(rule.id, async () => (replays ? replayRule(check, shared, replays) : { result: await runCheck(check, shared), cases: undefined })),
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

/** Runs the work given to it one after another, in the order given, whatever happens to each. */
class InTurn {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const mine = this.last.then(work, work);
    this.last = mine.catch(() => undefined);
    return mine;
  }
}

/** Registers the tests of one rule family. */
export function defineFamilySuite(family: RuleFamily): void {
  const plan = inject('isymConform');
  describe(family, () => {
    // A check that sees its test aborted (Ctrl-C, --max-time) stops acting and restores the target; vitest abandons
    // an aborted test at once, so each test's end waits for that restore before the run may close.
    afterEach(async () => {
      if (environment) await settleActionSessions((await environment).scope);
    });
    // A rule the plan leaves absent (another shard's, one with nothing to replay) has no test and no place in the report.
    const familyRules = plan.rules.filter((rule) => rule.family === family && rule.disposition !== 'absent');
    // With --concurrency above 1 every rule of the family is a concurrent test (vitest runs adjacent concurrent
    // tests together, up to maxConcurrency): the read-only rules come first and run at once, while the others run
    // one after another, in family order, beside them. A read-only rule sends only GETs, which disturb nothing,
    // and takes what the others change as a live server's own churn; two rules that may change state never
    // overlap, so each one's judgement of its own actions is as in a run one rule at a time.
    // A family with no read-only rule to run keeps its rules as plain tests, one after another: then a rule's test
    // does not wait for the others' turns (vitest's test timeout counts from the test's start).
    const concurrent = plan.concurrency > 1;
    const beside = concurrent && familyRules.some((rule) => readOnlyRules.has(rule.id) && rule.disposition === 'run');
    const ordered = concurrent ? [...familyRules].sort((a, b) => Number(!readOnlyRules.has(a.id)) - Number(!readOnlyRules.has(b.id))) : familyRules;
    const oneAtATime = new InTurn();
    for (const rule of ordered) {
      const readOnly = readOnlyRules.has(rule.id);
      const register = (concurrent && readOnly) || beside ? test.concurrent : test;
      const inTurn = beside && !readOnly ? <T>(work: () => Promise<T>) => oneAtATime.run(work) : <T>(work: () => Promise<T>) => work();
      register(rule.id, async ({ task, skip, signal }) => {
        let result: RuleResult;
        if (rule.disposition === 'skip') result = unjudgedResult(rule.id, 'skip', rule.reason!);
        else {
          const run = await inTurn(() => runPlannedRule(rule, plan, signal));
          result = run.result;
          if (run.cases) task.meta.conformanceReplay = run.cases;
          task.meta.conformanceCoverage = run.tally;
        }
        task.meta.conformance = result;
        if (result.verdict === 'skip') skip(result.reason);
        if (result.verdict === 'fail') throw new Error(`${result.id}: ${result.findings.length} finding(s); first: ${result.findings[0]?.message}`);
        if (result.verdict === 'error') throw new Error(`${result.id} could not be decided: ${result.reason}`);
      });
    }
  });
}
