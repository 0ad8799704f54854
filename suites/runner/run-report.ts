/**
 * The report model of a run, from the plan and what the suites decided: the options the report shows, and the
 * rules the run was to decide and did not (interrupted, or never reached because the probe failed).
 */
import type { LoadedContract } from '../../contracts/load-contract.js';
import { buildReport, type ConformanceReport, type ReportContext } from '../../reporters/report-model.js';
import type { RuleResult } from '../../reporters/vocabulary/rule-result.js';
import { interruptedResult } from '../interruptible.js';
import type { RunPlan } from '../run-plan.js';
import { formatShard } from '../work-split.js';
import { toolInfo } from './package-root.js';

/** The plan as the report shows it: no credentials, nothing the report has elsewhere. */
export function publicOptions(plan: RunPlan): Record<string, unknown> {
  const restart = plan.restart;
  return {
    target: plan.target,
    contract: plan.contractGiven ?? 'built-in',
    formats: plan.formats,
    seed: plan.seed,
    runs: plan.numRuns,
    only: plan.only,
    skip: plan.skip,
    coreServer: plan.coreServer,
    requestTimeoutMs: plan.requestTimeoutMs,
    restart: restart ? { command: restart.command ? '(given)' : undefined, embedded: Boolean(restart.controlUrl), readyTimeoutS: restart.readyTimeoutS } : undefined,
    strict: plan.strict,
    maxTimeMs: plan.maxTimeMs,
    concurrency: plan.concurrency,
    shard: plan.shard ? formatShard(plan.shard) : undefined,
    ruleTimeoutMs: plan.ruleTimeoutMs,
    replay: plan.replayFrom,
    baseline: plan.baselineFile,
    credentials: plan.user !== undefined ? '$ISYM_USER:$ISYM_PASSWORD' : 'none',
    requireAll: plan.requireAll || undefined,
    cacert: plan.tls?.caFile,
    insecure: plan.tls?.insecure || undefined,
    maxCalls: plan.calls?.max,
    config: plan.configFile,
  };
}

/** What every report of the run says about it, apart from the rules and the times. */
export async function runReportContext(plan: RunPlan, contract: LoadedContract): Promise<Pick<ReportContext, 'tool' | 'contract' | 'targetUrl' | 'sut' | 'seed' | 'options'>> {
  return {
    tool: await toolInfo(),
    contract: { title: contract.title, version: contract.version, sha256: contract.sha256 },
    targetUrl: plan.target,
    sut: plan.sut,
    seed: plan.seed,
    options: publicOptions(plan),
  };
}

/**
 * The results of an interrupted run: those decided, then every rule the run was to report and did not: a rule it
 * was to run is `error`, "interrupted"; a rule it was to skip is `skip`, with the plan's reason.
 */
export function withUndecidedRules(plan: RunPlan, decided: readonly RuleResult[]): RuleResult[] {
  const decidedIds = new Set(decided.map((result) => result.id));
  const undecided = plan.rules
    .filter((rule) => rule.disposition !== 'absent' && !decidedIds.has(rule.id))
    .map((rule) => (rule.disposition === 'skip' ? { ...interruptedResult(rule.id), verdict: 'skip' as const, reason: rule.reason } : interruptedResult(rule.id)));
  return [...decided, ...undecided];
}

/**
 * The report of a run that the probe stopped (target unreachable, credentials refused): every rule the run was
 * to run is `error` with the probe's message, so a CI job's JUnit tab and summary say why nothing passed.
 */
export async function probeFailureReport(plan: RunPlan, contract: LoadedContract, message: string): Promise<ConformanceReport> {
  const now = new Date();
  const results = plan.rules.filter((rule) => rule.disposition === 'run').map((rule) => ({ ...interruptedResult(rule.id), reason: `not run: ${message}` }));
  return buildReport(results, { ...(await runReportContext(plan, contract)), startedAt: now, finishedAt: now, runErrors: [message] });
}
