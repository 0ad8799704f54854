/**
 * The format-neutral report model: what every renderer renders and nothing else. Its JSON form is the shape of
 * DESIGN.md (an interface: keep it) and is published as conformance-report.schema.json.
 */
import type { RuleResult, Verdict } from '../suites/check.js';
import { ruleCatalogue } from '../suites/rules.js';

export type { Finding, RecordedRequest } from '../suites/finding.js';
export type { Verdict };

/** One rule in the report. */
export type ReportRule = RuleResult;

/** Counts of verdicts. */
export interface VerdictSummary {
  pass: number;
  fail: number;
  skip: number;
  error: number;
}

/** A conformance report. */
export interface ConformanceReport {
  tool: { name: string; version: string };
  contract: { title: string; version: string; sha256: string };
  target: { url: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  seed: number;
  /** True when the run was cut short (interrupt or --max-time): not every rule was decided. */
  partial: boolean;
  /** The options of the run, credentials removed. */
  options: Record<string, unknown>;
  summary: VerdictSummary;
  rules: ReportRule[];
  /** Problems of the run itself (a suite file that could not load, an unhandled error). */
  runErrors: string[];
}

/** What a report is built from, apart from the rule results. */
export interface ReportContext {
  tool: { name: string; version: string };
  contract: { title: string; version: string; sha256: string };
  targetUrl: string;
  startedAt: Date;
  finishedAt: Date;
  seed: number;
  partial?: boolean;
  options: Record<string, unknown>;
  runErrors?: string[];
}

/** Builds the report: rules in the order of RULES.md, verdicts counted. */
export function buildReport(results: readonly RuleResult[], context: ReportContext): ConformanceReport {
  const order = new Map(ruleCatalogue.map((rule, index) => [rule.id, index]));
  const rules = [...results].sort((a, b) => (order.get(a.id) ?? 999) - (order.get(b.id) ?? 999));
  const summary: VerdictSummary = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const rule of rules) summary[rule.verdict] += 1;
  return {
    tool: context.tool,
    contract: context.contract,
    target: { url: context.targetUrl },
    startedAt: context.startedAt.toISOString(),
    finishedAt: context.finishedAt.toISOString(),
    durationMs: context.finishedAt.getTime() - context.startedAt.getTime(),
    seed: context.seed,
    partial: context.partial ?? false,
    options: context.options,
    summary,
    rules,
    runErrors: context.runErrors ?? [],
  };
}

/** Whether the report fails the run: a MUST rule failed or could not be decided (or a SHOULD rule, with strict). */
export function reportFails(report: ConformanceReport, strict = false): boolean {
  return report.partial || report.runErrors.length > 0 || report.rules.some(
    (rule) => (rule.verdict === 'fail' || rule.verdict === 'error') && (rule.level === 'MUST' || strict),
  );
}
