/**
 * The format-neutral report model: what every renderer renders and nothing else. Its JSON form is the shape of
 * DESIGN.md (an interface: keep it) and is published as conformance-report.schema.json; everything added here is
 * optional or additive, so a reader of the minimal shape reads every report.
 */
import type { ContractCoverage } from './vocabulary/coverage.js';
import type { Finding } from './vocabulary/finding.js';
import { failureKeyDescription, failureSignatures, type ReplayOutcome } from './vocabulary/replay-case.js';
import type { RuleResult, Verdict } from './vocabulary/rule-result.js';
import { ruleCatalogue } from './vocabulary/rules.js';


/**
 * How a failure stands against the baseline (--baseline): `known` when the baseline held the same failure (see
 * {@link failureKey}), `new` otherwise.
 */
export type BaselineStatus = 'known' | 'new';

/** A finding in the report: the check's finding, with its standing against the baseline when one was given. */
export interface ReportFinding extends Finding {
  baseline?: BaselineStatus;
}

/** One rule in the report. */
export interface ReportRule extends RuleResult {
  findings: ReportFinding[];
  /**
   * With --baseline: `known` when every finding of a failed rule was in the baseline, `new` when one was not,
   * `fixed` when the rule failed in the baseline and passes now.
   */
  baseline?: BaselineStatus | 'fixed';
}

/** Counts of verdicts. */
export interface VerdictSummary {
  pass: number;
  fail: number;
  skip: number;
  error: number;
}

/** What the run compared itself with (--baseline). */
export interface BaselineComparison {
  /** The baseline file, as given. */
  file: string;
  /** When the baseline's run started. */
  baselineStartedAt: string;
  /** Failing findings that were in the baseline: reported, but they do not fail the run. */
  known: number;
  /** Failing findings that were not: they fail the run. */
  new: number;
  /** Rules that failed in the baseline and pass now. */
  fixed: string[];
  /** What "the same failure" means, in words (the key of {@link failureKey}). */
  key: string;
}

/** A conformance report. */
export interface ConformanceReport {
  tool: { name: string; version: string };
  contract: { title: string; version: string; sha256: string };
  target: { url: string };
  /** The system under test as the user named it (--sut "NAME VERSION"); absent when not given. */
  sut?: string;
  /**
   * The command line that runs the same checks again (see {@link reproducingCommand}); absent in reports of older
   * versions.
   */
  command?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  seed: number;
  /** True when the run was cut short (interrupt or --max-time): not every rule was decided. */
  partial: boolean;
  /** Why the run was cut short, when it was. */
  interrupted?: { reason: 'signal' | 'max-time'; detail: string };
  /** The options of the run, credentials removed. */
  options: Record<string, unknown>;
  summary: VerdictSummary;
  rules: ReportRule[];
  /** Problems of the run itself (a suite file that could not load, an unhandled error). */
  runErrors: string[];
  coverage?: ContractCoverage;
  baseline?: BaselineComparison;
  replay?: ReplayOutcome;
}

/** What a report is built from, apart from the rule results. */
export interface ReportContext {
  tool: { name: string; version: string };
  contract: { title: string; version: string; sha256: string };
  targetUrl: string;
  /** --sut: the system under test, as the user named it. */
  sut?: string;
  startedAt: Date;
  finishedAt: Date;
  seed: number;
  partial?: boolean;
  interrupted?: ConformanceReport['interrupted'];
  options: Record<string, unknown>;
  runErrors?: string[];
  coverage?: ContractCoverage;
  replay?: ReplayOutcome;
}

/** Builds the report: rules in the order of RULES.md, verdicts counted. */
export function buildReport(results: readonly ReportRule[], context: ReportContext): ConformanceReport {
  const order = new Map(ruleCatalogue.map((rule, index) => [rule.id, index]));
  const rules = [...results].sort((a, b) => (order.get(a.id) ?? 999) - (order.get(b.id) ?? 999));
  const report: ConformanceReport = {
    tool: context.tool,
    contract: context.contract,
    target: { url: context.targetUrl },
    ...(context.sut ? { sut: context.sut } : {}),
    command: reproducingCommand(context.options, context.sut),
    startedAt: context.startedAt.toISOString(),
    finishedAt: context.finishedAt.toISOString(),
    durationMs: context.finishedAt.getTime() - context.startedAt.getTime(),
    seed: context.seed,
    partial: context.partial ?? false,
    options: context.options,
    summary: countVerdicts(rules),
    rules,
    runErrors: context.runErrors ?? [],
  };
  if (context.interrupted) report.interrupted = context.interrupted;
  if (context.coverage) report.coverage = context.coverage;
  if (context.replay) report.replay = context.replay;
  return report;
}

/** `word` as one shell word: as it is when it is safe, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The embedded server stands for the target when the run restarted it itself (options.restart.embedded). */
function targetWords(options: Record<string, unknown>): string[] {
  const restart = options.restart as { embedded?: boolean } | undefined;
  return restart?.embedded ? ['--embedded'] : ['--target', String(options.target ?? '')];
}

/**
 * The command line that runs the same checks again, from the options the report records (credentials come from
 * ISYM_USER / ISYM_PASSWORD, as in the curl lines). Every value is spelt out, so a config file is not needed to
 * reproduce the run. What the report does not hold stays a placeholder: the restart command's text, which may
 * carry secrets, and the embedded server's own options (faults, size, churn).
 */
export function reproducingCommand(options: Record<string, unknown>, sut?: string): string {
  const words = ['isym-conform', ...targetWords(options)];
  const add = (flag: string, value: unknown) => {
    if (value === undefined || value === null || value === false || (Array.isArray(value) && value.length === 0)) return;
    words.push(flag);
    if (value !== true) words.push(Array.isArray(value) ? value.join(',') : String(value));
  };
  const restart = options.restart as { command?: string; readyTimeoutS?: number; embedded?: boolean } | undefined;
  add('--seed', options.seed);
  add('--runs', options.runs);
  add('--only', options.only);
  add('--skip', options.skip);
  add('--core-server', options.coreServer);
  if (options.contract !== undefined && options.contract !== 'built-in') add('--contract', options.contract);
  if (typeof options.requestTimeoutMs === 'number') add('--request-timeout', options.requestTimeoutMs / 1000);
  if (restart?.command !== undefined) add('--restart-cmd', 'THE RESTART COMMAND');
  if (restart?.command !== undefined) add('--ready-timeout', restart.readyTimeoutS);
  add('--strict', options.strict);
  add('--require-all', options.requireAll);
  add('--cacert', options.cacert);
  add('--insecure', options.insecure);
  if (typeof options.maxTimeMs === 'number') add('--max-time', options.maxTimeMs / 1000);
  add('--concurrency', options.concurrency);
  add('--shard', options.shard);
  add('--baseline', options.baseline);
  add('--replay', options.replay);
  add('--format', options.formats);
  add('--sut', sut);
  return words.map((word, index) => (index === 0 ? word : shellWord(word))).join(' ');
}

/**
 * The command that reruns one failing rule: --replay of the JSON report when its file is known (`jsonFile`), else
 * the run's own command line narrowed to the rule, else (a report without one) the seed with the rule.
 */
export function rerunCommand(report: ConformanceReport, ruleId: string, jsonFile?: string): string {
  const target = targetWords(report.options).map(shellWord).join(' ');
  if (jsonFile) return `isym-conform ${target} --replay ${shellWord(jsonFile)} --only ${ruleId}`;
  if (report.command) return reproducingCommand({ ...report.options, only: [ruleId], skip: [], formats: undefined }, report.sut);
  return `isym-conform ${target} --seed ${report.seed} --only ${ruleId}`;
}

/** Counts the verdicts of `rules`. */
export function countVerdicts(rules: readonly Pick<ReportRule, 'verdict'>[]): VerdictSummary {
  const summary: VerdictSummary = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const rule of rules) summary[rule.verdict] += 1;
  return summary;
}

/**
 * Marks each failure of `report` known or new against `baseline` (a previous report), lists the rules fixed since,
 * and returns the report with its `baseline` comparison. A rule that fails only with known findings does not fail
 * the run (see {@link reportFails}).
 */
export function compareWithBaseline(report: ConformanceReport, baseline: ConformanceReport, baselineFile: string): ConformanceReport {
  const knownKeys = new Set(
    baseline.rules.filter((rule) => rule.verdict === 'fail').flatMap((rule) => rule.findings.flatMap((finding) => failureSignatures(rule.id, finding))),
  );
  const failedBefore = new Set(baseline.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id));
  let known = 0;
  let fresh = 0;
  const rules = report.rules.map((rule): ReportRule => {
    if (rule.verdict === 'pass' && failedBefore.has(rule.id)) return { ...rule, baseline: 'fixed' };
    if (rule.verdict !== 'fail') return rule;
    const findings = rule.findings.map((finding): ReportFinding => {
      const status: BaselineStatus = failureSignatures(rule.id, finding).some((key) => knownKeys.has(key)) ? 'known' : 'new';
      if (status === 'known') known += 1;
      else fresh += 1;
      return { ...finding, baseline: status };
    });
    return { ...rule, findings, baseline: findings.every((finding) => finding.baseline === 'known') ? 'known' : 'new' };
  });
  return {
    ...report,
    rules,
    baseline: {
      file: baselineFile,
      baselineStartedAt: baseline.startedAt,
      known,
      new: fresh,
      fixed: rules.filter((rule) => rule.baseline === 'fixed').map((rule) => rule.id),
      key: failureKeyDescription,
    },
  };
}

/**
 * Whether the report fails the run: it is partial, the run itself had errors, or a MUST rule (a SHOULD rule too,
 * with strict) failed with a failure not known from the baseline, or could not be decided; with requireAll
 * (--require-all), also when a MUST rule was not checked. Both default to what the report's options say.
 */
export function reportFails(report: ConformanceReport, strict = report.options.strict === true, requireAll = report.options.requireAll === true): boolean {
  return (
    report.partial ||
    report.runErrors.length > 0 ||
    (requireAll && notChecked(report).length > 0) ||
    report.rules.some(
      (rule) =>
        (rule.level === 'MUST' || strict) &&
        (rule.verdict === 'error' || (rule.verdict === 'fail' && rule.baseline !== 'known')),
    )
  );
}

/** The MUST rules of the report that were not checked (verdict `skip`): a run that passes says so, naming them. */
export function notChecked(report: Pick<ConformanceReport, 'rules'>): ReportRule[] {
  return report.rules.filter((rule) => rule.level === 'MUST' && rule.verdict === 'skip');
}

/** A skip reason in short, for one line: its part before the first `: ` (`no restart command given`). */
export function shortReason(reason: string | undefined): string {
  const text = (reason ?? 'skipped').replace(/\s+/g, ' ').trim();
  const colon = text.indexOf(': ');
  return colon > 0 ? text.slice(0, colon) : text;
}

/**
 * The not-checked MUST rules in one phrase, rules with the same short reason together:
 * `RESTART-NEW-UUIDS, RESTART-OLD-404 (no restart command given); ADDR-ENCODING (no name needs percent-encoding)`.
 */
export function notCheckedPhrase(rules: readonly ReportRule[]): string {
  const byReason = new Map<string, string[]>();
  for (const rule of rules) byReason.set(shortReason(rule.reason), [...(byReason.get(shortReason(rule.reason)) ?? []), rule.id]);
  return [...byReason].map(([reason, ids]) => `${ids.join(', ')} (${reason})`).join('; ');
}

/** The rules of the report grouped by family, in the order the families first appear. */
export function rulesByFamily(report: Pick<ConformanceReport, 'rules'>): Map<string, ReportRule[]> {
  const families = new Map<string, ReportRule[]>();
  for (const rule of report.rules) {
    const family = rule.family ?? 'other';
    families.set(family, [...(families.get(family) ?? []), rule]);
  }
  return families;
}

/** What a run comes to, in one word and one sentence: the same in every format. */
export interface RunOutcome {
  /**
   * `partial`: cut short; `fail`: the run fails (see {@link reportFails}); `pass-with-failures`: it passes, but some
   * rules failed (known from the baseline, or SHOULD rules without strict); `pass`: conformant.
   */
  kind: 'partial' | 'fail' | 'pass-with-failures' | 'pass';
  /** E.g. `Not conformant`. */
  title: string;
  /** One sentence with the counts. */
  sentence: string;
}

/** The outcome of `report` (of a replay: whether its cases still fail); `strict` as the run had it (read from its options). */
export function runOutcome(report: ConformanceReport): RunOutcome {
  const { fail, error } = countVerdicts(report.rules);
  if (report.partial) {
    return { kind: 'partial', title: 'Partial', sentence: `The run was cut short (${report.interrupted?.detail ?? 'interrupted'}); not every rule was decided.` };
  }
  if (report.replay) {
    const still = report.replay.cases.filter((item) => item.stillFails).length;
    const cases = report.replay.cases.length;
    if (still > 0) return { kind: 'fail', title: 'Still failing', sentence: `${still} of ${cases} recorded case(s) still fail.` };
    if (!reportFails(report)) {
      return { kind: 'pass', title: 'No longer failing', sentence: `None of the ${cases} recorded case(s) fails now.` };
    }
  }
  const unchecked = notChecked(report);
  const uncheckedPart = unchecked.length > 0 ? `${unchecked.length} not checked: ${notCheckedPhrase(unchecked)}` : '';
  if (reportFails(report)) {
    const requireAll = report.options.requireAll === true && unchecked.length > 0 ? ' (a failure with --require-all)' : '';
    return { kind: 'fail', title: 'Not conformant', sentence: `${fail} rule(s) failed, ${error} could not be decided${uncheckedPart ? `; ${uncheckedPart}${requireAll}` : ''}.` };
  }
  if (fail > 0) {
    return {
      kind: 'pass-with-failures',
      title: 'No new failure',
      sentence: `${fail} rule(s) failed, each known from the baseline or a SHOULD rule (a warning); no MUST rule failed anew.${uncheckedPart ? ` ${uncheckedPart[0].toUpperCase()}${uncheckedPart.slice(1)}.` : ''}`,
    };
  }
  if (unchecked.length > 0) {
    const passed = report.rules.filter((rule) => rule.level === 'MUST' && rule.verdict === 'pass').length;
    return { kind: 'pass', title: 'Conformant', sentence: `${passed} MUST rule(s) passed; ${uncheckedPart}.` };
  }
  return { kind: 'pass', title: 'Conformant', sentence: 'Every MUST rule passed.' };
}
