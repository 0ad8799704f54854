/**
 * --replay: sends the failing cases recorded in a previous conformance.json again, rule by rule, and says for each
 * whether it still fails. A finding found by a property is rebuilt exactly from its seed and path (fast-check
 * replays the shrunk case, and only that property of the rule runs); a finding made outside a property is
 * replayed by running its rule again with the recorded seed. The runner reads the plan from the previous report
 * (runner/previous-report.ts).
 */
import { failureKey, type ReplayCase } from '../reporters/vocabulary/replay-case.js';
import { runCheck, type CheckEnvironment, type ConformanceCheck } from './check.js';
import type { RuleResult } from '../reporters/vocabulary/rule-result.js';

/** One recorded failing case to send again (plain data: it travels to the suites through vitest's provide). */
export interface ReplayRequest {
  property?: string;
  seed?: number;
  path?: string;
  /** The recorded finding's message. */
  message: string;
}

/** The cases to replay, by rule id. */
export type ReplayPlan = Record<string, ReplayRequest[]>;

/** Whether a recorded case can be rebuilt exactly (a property, its seed and its path were recorded). */
function isExact(request: ReplayRequest): request is ReplayRequest & { property: string; seed: number; path: string } {
  return request.property !== undefined && request.seed !== undefined && request.path !== undefined;
}

/** What replaying one rule gave: the rule's result over all its cases, and each case's outcome. */
export interface RuleReplay {
  result: RuleResult;
  cases: ReplayCase[];
}

/** Replays the recorded cases of one rule against the target; never throws for a problem of the target. */
export async function replayRule(check: ConformanceCheck, environment: CheckEnvironment, requests: readonly ReplayRequest[]): Promise<RuleReplay> {
  const results: RuleResult[] = [];
  const cases: ReplayCase[] = [];
  let wholeRule: RuleResult | undefined;
  for (const request of requests) {
    let result: RuleResult;
    let found: RuleResult['findings'][number] | undefined;
    if (isExact(request)) {
      const replay = { property: request.property, seed: request.seed, path: request.path };
      result = await runCheck(check, { ...environment, settings: { ...environment.settings, replay } });
      results.push(result);
      found = result.findings.find((finding) => finding.property === request.property);
    } else {
      // One run of the whole rule serves every case of it that has no path.
      if (!wholeRule) {
        wholeRule = await runCheck(check, { ...environment, settings: { ...environment.settings, seed: request.seed ?? environment.settings.seed } });
        results.push(wholeRule);
      }
      result = wholeRule;
      const key = failureKey(check.ruleId, request.message);
      found = result.findings.find((finding) => failureKey(check.ruleId, finding.message) === key);
    }
    const outcome: ReplayCase = { ruleId: check.ruleId, message: request.message, how: isExact(request) ? 'exact' : 'rule', stillFails: found !== undefined };
    if (request.property !== undefined) outcome.property = request.property;
    if (request.seed !== undefined) outcome.seed = request.seed;
    if (request.path !== undefined) outcome.path = request.path;
    if (found) outcome.replayMessage = found.message;
    cases.push(outcome);
  }
  return { result: mergeReplayResults(results, cases.length), cases };
}

/** One result for a rule replayed several times: its findings together; fail if any, else error if any run erred, else pass. */
function mergeReplayResults(results: RuleResult[], caseCount: number): RuleResult {
  const [first] = results;
  const findings = results.flatMap((result) => result.findings);
  const erred = results.find((result) => result.verdict === 'error');
  const merged: RuleResult = {
    ...first,
    findings,
    notes: [`replayed ${caseCount} recorded case(s)`, ...results.flatMap((result) => result.notes)],
    durationMs: results.reduce((sum, result) => sum + result.durationMs, 0),
    requests: results.reduce((sum, result) => sum + result.requests, 0),
    verdict: findings.length > 0 ? 'fail' : erred ? 'error' : 'pass',
  };
  delete merged.reason;
  if (merged.verdict === 'error' && erred?.reason) merged.reason = erred.reason;
  if (merged.verdict === 'pass' && results.every((result) => result.verdict === 'skip')) {
    merged.verdict = 'skip';
    merged.reason = first.reason ?? 'nothing to replay on this target';
  }
  return merged;
}
