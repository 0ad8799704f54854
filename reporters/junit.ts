/**
 * junit.xml: one `<testsuite>` per rule family, one `<testcase>` per rule. A failed rule is a `<failure>` whose
 * message is the first finding's and whose text holds every finding (expected, received, requests, curl lines); a
 * skipped rule is `<skipped>` with the reason (a MUST rule's says it was not checked, and the property
 * `not-checked` of its family names it); an undecided one is `<error>`. XML is written by xmlbuilder2, so
 * every name and body from the target is escaped, and characters XML cannot hold are replaced.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { findingText } from './finding-text.js';
import { countVerdicts, notChecked, notCheckedPhrase, rulesByFamily, type ConformanceReport, type ReportRule } from './report-model.js';

/** Seconds with millisecond precision, as JUnit's `time` attributes take them. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** The first line of a text, cut: attribute values must stay short for CI test tabs. */
function headline(text: string, limit = 300): string {
  const line = text.split('\n', 1)[0];
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}

function addTestCase(suite: XMLBuilder, rule: ReportRule): void {
  const testCase = suite.ele('testcase', { name: rule.id, classname: `isym-conform.${rule.family}`, time: seconds(rule.durationMs ?? 0) });
  if (rule.verdict === 'fail') {
    const [first] = rule.findings;
    const more = rule.findings.length > 1 ? ` (and ${rule.findings.length - 1} more finding(s))` : '';
    const known = rule.baseline === 'known' ? '[known from baseline] ' : '';
    testCase
      .ele('failure', { message: `${known}${headline(first?.message ?? 'failed')}${more}`, type: rule.level === 'MUST' ? 'MUST' : 'SHOULD (warning)' })
      .txt(rule.findings.map(findingText).join('\n\n'));
  } else if (rule.verdict === 'skip') {
    // A skipped MUST rule was not checked: the message says so, so a CI's test tab does not read it as passed.
    testCase.ele('skipped', { message: headline(`${rule.level === 'MUST' ? 'MUST rule not checked: ' : ''}${rule.reason ?? 'skipped'}`) });
  } else if (rule.verdict === 'error') {
    // An undecided rule may still carry what it saw (the request the target did not answer).
    testCase.ele('error', { message: headline(rule.reason ?? 'could not be decided'), type: 'undecided' }).txt([rule.reason ?? '', ...rule.findings.map(findingText)].join('\n\n'));
  }
  const out = [`${rule.level} (${rule.provenance}): ${rule.statement}`, ...rule.notes];
  if (rule.baseline === 'fixed') out.push('fixed since the baseline');
  testCase.ele('system-out').txt(out.join('\n'));
}

/** Renders the report as JUnit XML. */
export function renderJunit(report: ConformanceReport): string {
  const summary = countVerdicts(report.rules);
  const root = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' }).ele('testsuites', {
    name: `${report.tool.name} ${report.tool.version} — ${report.target.url}`,
    tests: String(report.rules.length),
    failures: String(summary.fail),
    errors: String(summary.error),
    skipped: String(summary.skip),
    time: seconds(report.durationMs),
    timestamp: report.startedAt,
  });
  for (const [family, rules] of rulesByFamily(report)) {
    const counts = countVerdicts(rules);
    const suite = root.ele('testsuite', {
      name: family,
      tests: String(rules.length),
      failures: String(counts.fail),
      errors: String(counts.error),
      skipped: String(counts.skip),
      time: seconds(rules.reduce((sum, rule) => sum + (rule.durationMs ?? 0), 0)),
      timestamp: report.startedAt,
    });
    const properties = suite.ele('properties');
    const property = (name: string, value: string) => properties.ele('property', { name, value });
    property('target', report.target.url);
    if (report.sut) property('sut', report.sut);
    property('seed', String(report.seed));
    property('contract', `${report.contract.title} ${report.contract.version} (sha256 ${report.contract.sha256})`);
    property('tool', `${report.tool.name} ${report.tool.version}`);
    if (report.partial) property('partial', report.interrupted?.detail ?? 'true');
    const unchecked = notChecked({ rules });
    if (unchecked.length > 0) property('not-checked', notCheckedPhrase(unchecked));
    for (const rule of rules) addTestCase(suite, rule);
  }
  return `${root.end({ prettyPrint: true, wellFormed: true })}\n`;
}
