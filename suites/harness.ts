/**
 * The vitest glue: one `describe` per rule family, one `test` per rule. The test records the rule's result in its
 * meta (where the conformance reporter reads it) and passes, fails or skips with it, so a plain vitest reporter
 * tells the same story.
 */
import { describe, inject, test } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import { createCheckEnvironment, runCheck, type CheckEnvironment } from './check.js';
import { unjudgedResult, type RuleResult } from '../reporters/vocabulary/rule-result.js';
import { checks } from './checks/index.js';
import { CoverageRecorder, withRuleCoverage } from './coverage.js';
import type { RequestTally } from '../reporters/vocabulary/coverage.js';
import { interruptedResult, runInterruptibly } from './interruptible.js';
import { replayRule } from './replay.js';
import type { ReplayCase } from '../reporters/vocabulary/replay-case.js';
import type { RuleFamily } from '../reporters/vocabulary/rules.js';
import type { RunPlan } from './run-plan.js';
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

// Ctrl-C in a terminal reaches this worker too; the runner handles it (it cancels the run, the rule under way gets
// a grace to end, and the partial report is written), so the worker must not die of it.
process.on('SIGINT', () => {});

// Shared by every suite file of a run: the files run one after another in one worker, with isolation off.
let environment: Promise<CheckEnvironment> | undefined;
// Tallies every request of the shared client by rule; each rule's tally is taken when it ends.
let coverage: CoverageRecorder | undefined;

function sharedEnvironment(plan: RunPlan): Promise<CheckEnvironment> {
  environment ??= loadContract(plan.contractPath).then((contract) =>
    createCheckEnvironment(
      contract,
      new TargetClient({
        baseUrl: plan.target,
        user: plan.user,
        password: plan.password,
        requestTimeoutMs: plan.requestTimeoutMs,
        maxConcurrentRequests: plan.concurrency,
        ca: plan.tls?.ca,
        caFile: plan.tls?.caFile,
        insecure: plan.tls?.insecure,
        onExchange: (exchange) => (coverage ??= new CoverageRecorder(contract.model)).record(exchange),
      }),
      // The checks read their settings from the plan itself.
      plan,
    ),
  );
  return environment;
}

/** Registers the tests of one rule family. */
export function defineFamilySuite(family: RuleFamily): void {
  const plan = inject('isymConform');
  describe(family, () => {
    // A rule the plan leaves absent (another shard's, one with nothing to replay) has no test and no place in the report.
    const familyRules = plan.rules.filter((rule) => rule.family === family && rule.disposition !== 'absent');
    // With --concurrency above 1 the read-only rules run at once (vitest runs adjacent concurrent tests together,
    // up to maxConcurrency): they come first, the others after them, one by one.
    const concurrent = plan.concurrency > 1;
    const ordered = concurrent ? [...familyRules].sort((a, b) => Number(!readOnlyRules.has(a.id)) - Number(!readOnlyRules.has(b.id))) : familyRules;
    for (const rule of ordered) {
      const check = checks.find((candidate) => candidate.ruleId === rule.id)!;
      const register = concurrent && readOnlyRules.has(rule.id) ? test.concurrent : test;
      register(rule.id, async ({ task, skip, signal }) => {
        let result: RuleResult;
        if (rule.disposition === 'skip') result = unjudgedResult(rule.id, 'skip', rule.reason!);
        else {
          const shared = await sharedEnvironment(plan);
          const replays = plan.replays?.[rule.id];
          const run = await runInterruptibly(
            () => withRuleCoverage(rule.id, async () => (replays ? replayRule(check, shared, replays) : { result: await runCheck(check, shared), cases: undefined })),
            signal,
            shared.client,
          );
          result = run.cutShort ? interruptedResult(rule.id) : run.value.result;
          if (run.value.cases && !run.cutShort) task.meta.conformanceReplay = run.value.cases;
          const tally = coverage?.take(rule.id);
          if (tally) task.meta.conformanceCoverage = tally;
        }
        task.meta.conformance = result;
        if (result.verdict === 'skip') skip(result.reason);
        if (result.verdict === 'fail') throw new Error(`${result.id}: ${result.findings.length} finding(s); first: ${result.findings[0]?.message}`);
        if (result.verdict === 'error') throw new Error(`${result.id} could not be decided: ${result.reason}`);
      });
    }
  });
}
