/**
 * What the CLI shows: on stderr, a progress line per rule family while the run goes on (rewritten in place on a
 * terminal, plain lines otherwise); on stdout, at the end, the summary of the report model and its verdict, so that
 * `isym-conform … > result.txt` keeps the result and a CI log still shows the progress. Colour only on a terminal,
 * and never when NO_COLOR is set (https://no-color.org) or TERM is `dumb`.
 */
import type { RuleResult } from './vocabulary/rule-result.js';
import { countVerdicts, rerunCommand, runOutcome, type ConformanceReport } from './report-model.js';
import type { Verdict } from './vocabulary/rule-result.js';
import { cut, displayWidth, padEnd, padStart, paint, type TerminalStyle } from './terminal-text.js';

/** Where the output goes and how it may look. */
export interface TerminalOptions {
  write: (text: string) => void;
  /** ANSI colours. */
  color: boolean;
  /** Rewrite the current family's line in place (a terminal); else one plain line per family. */
  live: boolean;
  /** Columns to fit lines into. Default 100. */
  columns?: number;
  /** --verbose: a line for every rule as it is decided (pass and skip too, with the reason); else only failures. Default false. */
  everyRule?: boolean;
}

/** The options for a stream: colour and live lines only on a TTY, colour also never under NO_COLOR or TERM=dumb. */
export function terminalOptionsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): TerminalOptions {
  const tty = Boolean(stream.isTTY);
  return {
    write: (text) => void stream.write(text),
    color: tty && !env.NO_COLOR && env.TERM !== 'dumb',
    live: tty && env.TERM !== 'dumb',
    columns: stream.columns || 100,
  };
}

const verdictWord: Record<Verdict, string> = { pass: 'pass', fail: 'FAIL', skip: 'skip', error: 'ERROR' };
const verdictColor: Record<Verdict, TerminalStyle> = { pass: 'green', fail: 'red', skip: 'gray', error: 'yellow' };

function verdictMark(options: Pick<TerminalOptions, 'color'>, verdict: Verdict): string {
  return paint(options, verdictColor[verdict], padEnd(verdictWord[verdict], 5));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One family's progress: when its first rule started, the rules decided, whether its line was written. */
interface FamilyProgress {
  started: number;
  decided: RuleResult[];
  ended: boolean;
}

/**
 * Follows the run rule by rule and shows one line per family, written when the family's last rule is decided (the
 * families of one suite file run at once, so they may end in any order), or at the end of the run.
 */
export class TerminalProgress {
  private readonly options: TerminalOptions;
  /** How many rules each family will run, when known (for `3/10`, and to tell when a family is done). */
  private readonly expected: ReadonlyMap<string, number>;
  private readonly families = new Map<string, FamilyProgress>();

  constructor(options: TerminalOptions, expected: ReadonlyMap<string, number> = new Map()) {
    this.options = options;
    this.expected = expected;
  }

  /** A rule of `family` starts. */
  onRuleStarted(ruleId: string, family: string): void {
    const progress = this.progressOf(family);
    if (this.options.live) this.liveLine(family, `${progress.decided.length + 1}${this.total(family)} ${ruleId}`);
  }

  /** A rule was decided. */
  onRuleDecided(result: RuleResult): void {
    const progress = this.progressOf(result.family);
    progress.decided.push(result);
    if (result.verdict === 'fail' || result.verdict === 'error' || this.options.everyRule) {
      const detail = result.verdict === 'fail' ? `${result.findings.length} finding(s): ${result.findings[0]?.message ?? ''}` : (result.reason ?? '');
      this.clearLive();
      this.options.write(`  ${verdictMark(this.options, result.verdict)} ${padEnd(result.id, 18)} ${cut(detail, (this.options.columns ?? 100) - 27)}\n`);
    }
    if (this.options.live) this.liveLine(result.family, `${progress.decided.length}${this.total(result.family)} ${result.id} ${verdictWord[result.verdict]}`);
    if (progress.decided.length === this.expected.get(result.family)) this.endFamily(result.family, progress);
  }

  /** The run ended: closes the line of every family not closed yet, in the order they started. */
  finish(): void {
    for (const [family, progress] of this.families) this.endFamily(family, progress);
  }

  private progressOf(family: string): FamilyProgress {
    let progress = this.families.get(family);
    if (!progress) {
      progress = { started: performance.now(), decided: [], ended: false };
      this.families.set(family, progress);
    }
    return progress;
  }

  private total(family: string): string {
    const total = this.expected.get(family);
    return total ? `/${total}` : '';
  }

  private liveLine(family: string, status: string): void {
    this.options.write(`\r\u001b[K${paint(this.options, 'bold', family)} ${cut(status, (this.options.columns ?? 100) - 20)}`);
  }

  private clearLive(): void {
    if (this.options.live) this.options.write('\r\u001b[K');
  }

  private endFamily(family: string, progress: FamilyProgress): void {
    if (progress.ended) return;
    progress.ended = true;
    this.clearLive();
    // A family whose rules an interrupt cancelled before they started has nothing to say.
    if (progress.decided.length === 0) return;
    const counts = countVerdicts(progress.decided);
    const parts = (['pass', 'fail', 'skip', 'error'] as const).map((verdict) => {
      const text = `${counts[verdict]} ${verdict}`;
      return counts[verdict] > 0 && verdict !== 'pass' && verdict !== 'skip' ? paint(this.options, verdictColor[verdict], text) : text;
    });
    const name = paint(this.options, 'bold', padEnd(family, 11));
    this.options.write(`${name} ${padStart(String(progress.decided.length), 3)} rule(s): ${parts.join(', ')} (${seconds(performance.now() - progress.started)})\n`);
  }
}

/** The result in short (--quiet): the outcome line and the files written, no colour. */
export function renderOutcomeLines(report: ConformanceReport, files: readonly string[]): string {
  const outcome = runOutcome(report);
  return `${[`${outcome.title.toUpperCase()}: ${outcome.sentence}`, ...files.map((file) => `report: ${file}`)].join('\n')}\n`;
}

/** A failing or undecided rule, told in full: what went wrong, the first request, its curl line, how to rerun it. */
function failureStory(report: ConformanceReport, rule: ConformanceReport['rules'][number], files: readonly string[], options: Pick<TerminalOptions, 'color' | 'columns'>): string[] {
  const width = Math.max(40, (options.columns ?? 100) - 14);
  const known = rule.baseline === 'known' ? ' (known from the baseline)' : '';
  const lines = [`${verdictMark(options, rule.verdict)} ${paint(options, 'bold', rule.id)} (${rule.level}${rule.findings.length > 1 ? `, ${rule.findings.length} findings` : ''})${known}`];
  const finding = rule.findings[0];
  if (rule.verdict === 'error' || !finding) {
    lines.push(`  ${cut(rule.reason ?? finding?.message ?? 'not decided', width + 10)}`);
    return lines;
  }
  const field = (label: string, text: string) => `  ${paint(options, 'gray', padEnd(label, 11))}${cut(text, width)}`;
  // Requests and curl lines whole, however long: a cut one reproduces nothing (control characters still replaced).
  const whole = (label: string, text: string) => `  ${paint(options, 'gray', padEnd(label, 11))}${cut(text, Infinity)}`;
  for (const line of finding.message.split('\n').slice(0, 6)) lines.push(`  ${cut(line, width + 10)}`);
  lines.push(field('expected', finding.expected), field('actual', finding.actual));
  const request = finding.requests[finding.requests.length - 1];
  if (request) lines.push(whole('request', `${request.method} ${request.url} → ${request.status || 'no response'}`));
  const curl = finding.curl[finding.curl.length - 1];
  if (curl) lines.push(whole('curl', curl));
  if (finding.seed !== undefined && finding.path !== undefined) lines.push(field('fast-check', `seed ${finding.seed}, path ${finding.path}`));
  lines.push(whole('rerun', rerunCommand(report, rule.id, files.find((file) => file.endsWith('conformance.json')))));
  if (rule.findings.length > 1) lines.push(`  ${paint(options, 'gray', `and ${rule.findings.length - 1} more finding(s) in the report`)}`);
  return lines;
}

/** Rule ids grouped by verdict in one wrapped line each: `pass  21 rule(s): ADDR-UUID, ...`. */
function verdictLine(verdict: Verdict, ids: string[], width: number, options: Pick<TerminalOptions, 'color'>): string[] {
  if (ids.length === 0) return [];
  const words = `${ids.length} rule(s): ${ids.join(', ')}`.split(' ');
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    if (current && displayWidth(current) + displayWidth(word) + 1 > width - 7) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  lines.push(current);
  return lines.map((line, index) => `${index === 0 ? verdictMark(options, verdict) : '     '}  ${line}`);
}

/**
 * The end of a run in the terminal (where a CI log shows it): failures first, each with what was expected and
 * what came back, the request, its curl line and the command that reruns it; then the other rules in one line
 * per verdict (the full table with `verbose`); then the outcome and the files written.
 */
export function renderTerminalSummary(
  report: ConformanceReport,
  files: readonly string[],
  options: Pick<TerminalOptions, 'color' | 'columns'> & { verbose?: boolean },
): string {
  const width = options.columns ?? 100;
  const lines: string[] = [''];
  const failing = report.rules.filter((rule) => rule.verdict === 'fail' || rule.verdict === 'error');
  for (const rule of failing) lines.push(...failureStory(report, rule, files, options), '');
  if (options.verbose) {
    lines.push(`${padEnd('verdict', 5)}  ${padEnd('rule', 18)} ${padEnd('level', 6)} ${padStart('findings', 8)} ${padStart('time', 8)}  detail`);
    for (const rule of report.rules) {
      const detail = rule.verdict === 'fail' ? (rule.findings[0]?.message ?? '') : (rule.reason ?? '');
      const known = rule.baseline === 'known' ? '(known) ' : rule.baseline === 'fixed' ? '(fixed) ' : '';
      lines.push(
        `${verdictMark(options, rule.verdict)}  ${padEnd(rule.id, 18)} ${padEnd(rule.level, 6)} ${padStart(String(rule.findings.length), 8)} ${padStart(seconds(rule.durationMs ?? 0), 8)}  ${cut(known + detail, Math.max(20, width - 56))}`,
      );
    }
  } else {
    const fixed = new Set(report.rules.filter((rule) => rule.baseline === 'fixed').map((rule) => rule.id));
    lines.push(...verdictLine('pass', report.rules.filter((rule) => rule.verdict === 'pass').map((rule) => (fixed.has(rule.id) ? `${rule.id} (fixed)` : rule.id)), width, options));
    lines.push(...verdictLine('skip', report.rules.filter((rule) => rule.verdict === 'skip').map((rule) => rule.id), width, options));
  }
  const { pass, fail, skip, error } = countVerdicts(report.rules);
  lines.push('');
  if (report.baseline) {
    lines.push(`Baseline ${report.baseline.file}: ${report.baseline.new} new failure(s), ${report.baseline.known} known, fixed: ${report.baseline.fixed.join(', ') || 'none'}`);
  }
  if (report.replay) {
    const still = report.replay.cases.filter((item) => item.stillFails).length;
    lines.push(`Replay of ${report.replay.source}: ${still} of ${report.replay.cases.length} recorded case(s) still fail`);
    for (const item of report.replay.cases) {
      lines.push(`  ${item.stillFails ? paint(options, 'red', 'still fails') : paint(options, 'green', 'no longer fails')}  ${cut(`${item.ruleId} ${item.property ?? ''} ${item.message}`, Math.max(20, width - 20))}`);
    }
  }
  if (report.coverage) {
    const { operations, addressingForms, actions } = report.coverage.totals;
    lines.push(`Contract coverage: ${operations.exercised}/${operations.total} operations, ${addressingForms.exercised}/${addressingForms.total} addressing forms, ${actions.exercised}/${actions.total} actions`);
  }
  const outcome = runOutcome(report);
  const title = paint(options, outcome.kind === 'pass' || outcome.kind === 'pass-with-failures' ? 'green' : 'red', outcome.title.toUpperCase());
  lines.push(`${paint(options, 'bold', title)}: ${outcome.sentence}`);
  lines.push(`${report.rules.length} rules, ${pass} pass, ${fail} fail, ${skip} skip, ${error} error (seed ${report.seed}, ${seconds(report.durationMs)})`);
  for (const file of files) lines.push(`report: ${file}`);
  return `${lines.join('\n')}\n`;
}
