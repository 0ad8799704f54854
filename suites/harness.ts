/**
 * The vitest glue: one `describe` per rule family, one `test` per rule. The test records the rule's result in its
 * meta (where the conformance reporter reads it) and passes, fails or skips with it, so a plain vitest reporter
 * tells the same story.
 */
import { describe, inject, test } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import { createCheckEnvironment, runCheck, unjudgedResult, type CheckEnvironment, type RuleResult } from './check.js';
import { checks } from './checks/index.js';
import { CoverageRecorder, withRuleCoverage, type RequestTally } from './coverage.js';
import { interruptedResult, runInterruptibly } from './interruptible.js';
import { replayRule } from './replay.js';
import type { ReplayCase } from '../reporters/vocabulary/replay-case.js';
import { matchesSelector, ruleById, ruleCatalogue, type RuleFamily } from '../reporters/vocabulary/rules.js';
import type { SuiteOptions } from './suite-options.js';
import { TargetClient } from './target-client.js';
import { inShard, readOnlyRules } from './work-split.js';

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

/** `--skip ACT` keeps a run read-only: when every rule of the actions family is skipped, no other check posts actions either. */
function actionsAllowed(options: SuiteOptions): boolean {
  return !ruleCatalogue.filter((rule) => rule.family === 'actions').every((rule) => matchesSelector(rule.id, options.skip));
}

function sharedEnvironment(options: SuiteOptions): Promise<CheckEnvironment> {
  // The runner loaded and validated this contract before it started vitest.
  environment ??= loadContract(options.contractPath, { alreadyValidated: true }).then((contract) =>
    createCheckEnvironment(
      contract,
      new TargetClient({
        baseUrl: options.target,
        user: options.user,
        password: options.password,
        requestTimeoutMs: options.requestTimeoutMs,
        maxConcurrentRequests: options.concurrency,
        ca: options.tls?.ca,
        caFile: options.tls?.caFile,
        insecure: options.tls?.insecure,
        onExchange: (exchange) => (coverage ??= new CoverageRecorder(contract.model)).record(exchange),
      }),
      { seed: options.seed, numRuns: options.numRuns, coreServer: options.coreServer, replay: options.replay, restart: options.restart, actionsAllowed: actionsAllowed(options), ruleTimeoutMs: options.ruleTimeoutMs },
    ),
  );
  return environment;
}

function notRun(ruleId: string, reason: string): RuleResult {
  return unjudgedResult(ruleId, 'skip', reason);
}

/** Registers the tests of one rule family. */
export function defineFamilySuite(family: RuleFamily): void {
  const options = inject('isymConform');
  describe(family, () => {
    // With --replay only the rules with recorded cases run, with --shard only the shard's: the others are absent from the report.
    const familyChecks = checks.filter(
      (candidate) => ruleById(candidate.ruleId).family === family && (!options.replays || options.replays[candidate.ruleId]) && inShard(candidate.ruleId, options.shard),
    );
    // With --concurrency above 1 the read-only rules run at once (vitest runs adjacent concurrent tests together,
    // up to maxConcurrency): they come first, the others after them, one by one.
    const concurrent = (options.concurrency ?? 1) > 1;
    const ordered = concurrent ? [...familyChecks].sort((a, b) => Number(!readOnlyRules.has(a.ruleId)) - Number(!readOnlyRules.has(b.ruleId))) : familyChecks;
    for (const check of ordered) {
      const register = concurrent && readOnlyRules.has(check.ruleId) ? test.concurrent : test;
      register(check.ruleId, async ({ task, skip, signal }) => {
        let result: RuleResult;
        if (options.only.length > 0 && !options.replays && !matchesSelector(check.ruleId, options.only)) result = notRun(check.ruleId, `not selected by --only ${options.only.join(',')}`);
        else if (matchesSelector(check.ruleId, options.skip)) result = notRun(check.ruleId, `skipped by --skip ${options.skip.join(',')}`);
        else {
          const shared = await sharedEnvironment(options);
          const replays = options.replays?.[check.ruleId];
          const run = await runInterruptibly(
            () => withRuleCoverage(check.ruleId, async () => (replays ? replayRule(check, shared, replays) : { result: await runCheck(check, shared), cases: undefined })),
            signal,
            shared.client,
          );
          result = run.cutShort ? interruptedResult(check.ruleId) : run.value.result;
          if (run.value.cases && !run.cutShort) task.meta.conformanceReplay = run.value.cases;
          const tally = coverage?.take(check.ruleId);
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
