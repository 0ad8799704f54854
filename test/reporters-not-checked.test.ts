/**
 * Unchecked is not conformant: a run whose MUST rules passed except some that were skipped names those rules and
 * their reasons in the outcome and in every format, and --require-all turns them into a failing run.
 */
import { describe, expect, test } from 'vitest';
import { renderHtml } from '../reporters/html.js';
import { renderJunit } from '../reporters/junit.js';
import { renderMarkdown } from '../reporters/markdown.js';
import { reportFails, runOutcome, type ConformanceReport, type ReportRule } from '../reporters/report-model.js';
import { renderTerminalSummary } from '../reporters/terminal.js';
import { loadReportFixture, parseJunit } from './reporters-support.js';

const restartReason = 'no restart command given: pass --restart-cmd "SHELL" (and --ready-timeout S) to check the restart rules';

/** The fixture with every rule passing, except the restart rules (no --restart-cmd) and HTTP-METHOD, skipped. */
async function passingWithSkips(options: Record<string, unknown> = {}): Promise<ConformanceReport> {
  const fixture = await loadReportFixture();
  const rules = fixture.rules.map((rule): ReportRule => {
    if (rule.id.startsWith('RESTART-')) return { ...rule, verdict: 'skip', reason: restartReason, findings: [] };
    if (rule.id === 'HTTP-METHOD') return { ...rule, verdict: 'skip', reason: 'skipped by --skip HTTP-METHOD', findings: [] };
    return { ...rule, verdict: 'pass', reason: undefined, findings: [] };
  });
  const summary = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const rule of rules) summary[rule.verdict] += 1;
  const { baseline: _baseline, replay: _replay, ...rest } = fixture;
  return { ...rest, partial: false, interrupted: undefined, runErrors: [], rules, summary, options: { ...fixture.options, ...options } };
}

describe('a MUST rule that was not checked', () => {
  test('is named with its reason in the outcome line, and the run still passes', async () => {
    const report = await passingWithSkips();
    const must = report.rules.filter((rule) => rule.level === 'MUST');
    const restart = must.filter((rule) => rule.id.startsWith('RESTART-'));
    expect(restart.length).toBeGreaterThan(0);
    const outcome = runOutcome(report);
    expect(outcome.kind).toBe('pass');
    expect(outcome.sentence).toBe(
      `${must.length - restart.length} MUST rule(s) passed; ${restart.length} not checked: ${restart.map((rule) => rule.id).join(', ')} (no restart command given).`,
    );
    // A SHOULD rule that was skipped is not a MUST rule left unchecked.
    expect(outcome.sentence).not.toContain('HTTP-METHOD');
    expect(reportFails(report)).toBe(false);
  });

  test('is named in the terminal summary, summary.md, report.html and junit.xml', async () => {
    const report = await passingWithSkips();
    const terminal = renderTerminalSummary(report, [], { color: false, columns: 200 });
    expect(terminal).toMatch(/CONFORMANT: \d+ MUST rule\(s\) passed; \d+ not checked: RESTART-NEW-UUIDS, .*\(no restart command given\)/);

    const markdown = renderMarkdown(report);
    expect(markdown).toContain('### Not checked');
    expect(markdown).toMatch(/\| RESTART-NEW-UUIDS \| MUST \| 0 \| no restart command given: pass --restart-cmd/);

    const html = renderHtml(report);
    // In the list at the top, linking to the rule, which comes first, open, in the section of rules not checked.
    expect(html).toMatch(/<nav id="attention"[^>]*>.*<h3>Not checked \(3\).*<a href="#rule-RESTART-NEW-UUIDS">RESTART-NEW-UUIDS<\/a>: no restart command given/s);
    expect(html).toMatch(/<section id="not-checked">.*<article class="rule skip" id="rule-RESTART-NEW-UUIDS"/s);
    // A SHOULD rule skipped is not among them: it stays with the other rules, collapsed.
    expect(html.split('<section id="not-checked">')[1].split('</section>')[0]).not.toContain('rule-HTTP-METHOD');

    const junit = parseJunit(renderJunit(report)).testsuites;
    const restartSuite = junit.testsuite.find((suite) => suite.name === 'restart')!;
    const cases = new Map(restartSuite.testcase.map((testCase) => [testCase.name, testCase]));
    expect((cases.get('RESTART-NEW-UUIDS')!.skipped as { message: string }).message).toBe(`MUST rule not checked: ${restartReason}`);
    expect(renderJunit(report)).toMatch(/<property name="not-checked" value="RESTART-NEW-UUIDS, [^"]*\(no restart command given\)"\/>/);
  });

  test('fails the run with --require-all, and the outcome says why', async () => {
    const report = await passingWithSkips({ requireAll: true });
    expect(reportFails(report)).toBe(true);
    const outcome = runOutcome(report);
    expect(outcome.kind).toBe('fail');
    expect(outcome.sentence).toMatch(/^0 rule\(s\) failed, 0 could not be decided; \d+ not checked: RESTART-NEW-UUIDS.* \(a failure with --require-all\)\.$/);
    expect(renderMarkdown(report)).toContain('with --require-all they fail the run');
  });
});
