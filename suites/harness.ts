/**
 * The vitest glue: one `describe` per rule family, one `test` per rule. The test records the rule's result in its
 * meta (where the conformance reporter reads it) and passes, fails or skips with it, so a plain vitest reporter
 * tells the same story.
 */
import { describe, inject, test } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import { createCheckEnvironment, runCheck, type CheckEnvironment, type RuleResult } from './check.js';
import { checks } from './checks/index.js';
import { matchesSelector, ruleById, type RuleFamily } from './rules.js';
import type { SuiteOptions } from './suite-options.js';
import { TargetClient } from './target-client.js';

declare module 'vitest' {
  interface TaskMeta {
    conformance?: RuleResult;
  }
}

// Shared by every suite file of a run: the files run one after another in one worker, with isolation off.
let environment: Promise<CheckEnvironment> | undefined;

function sharedEnvironment(options: SuiteOptions): Promise<CheckEnvironment> {
  environment ??= loadContract(options.contractPath).then((contract) =>
    createCheckEnvironment(
      contract,
      new TargetClient({ baseUrl: options.target, user: options.user, password: options.password, requestTimeoutMs: options.requestTimeoutMs }),
      { seed: options.seed, numRuns: options.numRuns, coreServer: options.coreServer, replay: options.replay, restart: options.restart },
    ),
  );
  return environment;
}

function notRun(ruleId: string, reason: string): RuleResult {
  const rule = ruleById(ruleId);
  return {
    id: rule.id,
    level: rule.level,
    family: rule.family,
    statement: rule.statement,
    verdict: 'skip',
    provenance: rule.provenance,
    reason,
    findings: [],
    notes: [],
    durationMs: 0,
    requests: 0,
  };
}

/** Registers the tests of one rule family. */
export function defineFamilySuite(family: RuleFamily): void {
  const options = inject('isymConform');
  describe(family, () => {
    for (const check of checks.filter((candidate) => ruleById(candidate.ruleId).family === family)) {
      test(check.ruleId, async ({ task, skip }) => {
        let result: RuleResult;
        if (options.only.length > 0 && !matchesSelector(check.ruleId, options.only)) result = notRun(check.ruleId, `not selected by --only ${options.only.join(',')}`);
        else if (matchesSelector(check.ruleId, options.skip)) result = notRun(check.ruleId, `skipped by --skip ${options.skip.join(',')}`);
        else result = await runCheck(check, await sharedEnvironment(options));
        task.meta.conformance = result;
        if (result.verdict === 'skip') skip(result.reason);
        if (result.verdict === 'fail') throw new Error(`${result.id}: ${result.findings.length} finding(s); first: ${result.findings[0]?.message}`);
        if (result.verdict === 'error') throw new Error(`${result.id} could not be decided: ${result.reason}`);
      });
    }
  });
}
