/**
 * summary.md: a short summary for a CI job page (e.g. appended to `$GITHUB_STEP_SUMMARY`): the outcome, the
 * verdict counts, the failed, undecided and not-checked MUST rules, baseline and replay outcomes, the contract coverage totals and a
 * link line to report.html. Text from the target is escaped: it may hold Markdown or HTML.
 */
import { countVerdicts, notChecked, runOutcome, type ConformanceReport, type ReportRule } from './report-model.js';

/** Text safe in a Markdown table cell: Markdown punctuation backslash-escaped, `& < >` as entities (GitHub renders inline HTML), one line, cut. */
function md(value: unknown, limit = 200): string {
  const line = String(value ?? '').replace(/\s+/g, ' ').trim();
  const cut = line.length > limit ? `${line.slice(0, limit)}…` : line;
  return cut
    .replace(/([\\`*_[\]|~])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function ruleRows(rules: ReportRule[], detail: (rule: ReportRule) => string): string[] {
  return rules.map((rule) => `| ${md(rule.id)} | ${md(rule.level)} | ${rule.findings.length} | ${detail(rule)} |`);
}

/** Renders the report as a Markdown summary. */
export function renderMarkdown(report: ConformanceReport): string {
  const counts = countVerdicts(report.rules);
  const outcome = runOutcome(report);
  const mark = { partial: '⚠️', fail: '❌', 'pass-with-failures': '✅', pass: '✅' }[outcome.kind];
  const lines = [
    `## ${mark} ${outcome.title}${outcome.kind === 'partial' ? ' run' : ''}: ${md(report.contract.title)} ${md(report.contract.version)}`,
    '',
    ...(report.sut ? [`System under test: **${md(report.sut)}**`, ''] : []),
    md(outcome.sentence, 400),
    '',
    `Target \`${report.target.url.replace(/`/g, '')}\` · seed ${report.seed} · ${(report.durationMs / 1000).toFixed(1)} s · ${md(report.tool.name)} ${md(report.tool.version)} · contract sha256 \`${report.contract.sha256.slice(0, 12)}\``,
    '',
  ];
  if (report.partial) lines.push(`> **Partial:** ${md(report.interrupted?.detail ?? 'the run was interrupted')}. Rules it did not decide are counted as error ("interrupted").`, '');
  lines.push('| pass | fail | skip | error |', '|---:|---:|---:|---:|', `| ${counts.pass} | ${counts.fail} | ${counts.skip} | ${counts.error} |`, '');

  const failed = report.rules.filter((rule) => rule.verdict === 'fail');
  if (failed.length > 0) {
    lines.push('### Failed rules', '', '| Rule | Level | Findings | First finding |', '|---|---|---:|---|');
    lines.push(
      ...ruleRows(failed, (rule) => {
        const tag = rule.baseline === 'known' ? ' _(known from baseline)_' : rule.baseline === 'new' ? ' **(new)**' : '';
        return `${md(rule.findings[0]?.message)}${tag}`;
      }),
      '',
    );
  }
  const undecided = report.rules.filter((rule) => rule.verdict === 'error');
  if (undecided.length > 0) {
    lines.push('### Could not be decided', '', '| Rule | Level | Findings | Reason |', '|---|---|---:|---|');
    lines.push(...ruleRows(undecided, (rule) => md(rule.reason)), '');
  }
  const unchecked = notChecked(report);
  if (unchecked.length > 0) {
    const consequence = report.options.requireAll === true ? 'with --require-all they fail the run' : 'they do not fail the run; --require-all makes them';
    lines.push('### Not checked', '', `MUST rules that were skipped (${consequence}):`, '', '| Rule | Level | Findings | Reason |', '|---|---|---:|---|');
    lines.push(...ruleRows(unchecked, (rule) => md(rule.reason)), '');
  }
  if (report.baseline) {
    const { known, fixed } = report.baseline;
    lines.push(`**Baseline** \`${report.baseline.file.replace(/`/g, '')}\`: ${report.baseline.new} new failure(s), ${known} known, ${fixed.length} rule(s) fixed${fixed.length ? ` (${fixed.map((id) => md(id)).join(', ')})` : ''}.`, '');
  }
  if (report.replay) {
    const still = report.replay.cases.filter((item) => item.stillFails).length;
    lines.push(`**Replay** of \`${report.replay.source.replace(/`/g, '')}\`: ${still} of ${report.replay.cases.length} recorded case(s) still fail.`, '');
  }
  if (report.coverage) {
    const { operations, addressingForms, actions } = report.coverage.totals;
    lines.push(`Contract coverage: ${operations.exercised}/${operations.total} operations, ${addressingForms.exercised}/${addressingForms.total} addressing forms, ${actions.exercised}/${actions.total} actions.`, '');
  }
  if (report.runErrors.length > 0) lines.push(`Errors of the run: ${report.runErrors.map((error) => md(error)).join('; ')}`, '');
  lines.push('Full report: [report.html](report.html) (every rule and finding, with requests, responses and curl lines).', '');
  return lines.join('\n');
}
