/**
 * The correct reference server passes every rule with zero findings: quiet, and while its live state churns.
 * A checker that cries wolf on a correct, busy server is worse than none.
 */
import { describe, expect, test } from 'vitest';
import { checks } from '../suites/checks/index.js';
import { reportSchemaErrors } from './support/report-schema.js';
import { runAgainstReference } from './support/run-against-reference.js';

describe.each([
  { label: 'quiet', churn: false, seed: 42 },
  { label: 'churning every 5 ms', churn: { intervalMs: 5 }, seed: 7 },
])('the reference server ($label)', ({ churn, seed }) => {
  test('passes every registered rule with zero findings', async () => {
    const run = await runAgainstReference({ churn, seed }, { seed });
    expect(run.message).toBeUndefined();
    const report = run.report!;
    const notPassed = report.rules.filter((rule) => rule.verdict !== 'pass');
    expect(notPassed.map((rule) => `${rule.id}: ${rule.verdict} ${rule.reason ?? ''} ${JSON.stringify(rule.findings[0] ?? '')}`)).toEqual([]);
    expect(report.rules.map((rule) => rule.id).sort()).toEqual(checks.map((check) => check.ruleId).sort());
    expect(report.runErrors).toEqual([]);
    expect(run.exitCode).toBe(0);
    // The restart rules passed on a real restart: one, shared by the three of them.
    expect(run.restarts).toBe(1);
    // Every action the checker took was undone: the server is as it was (names, membership, paused, penalty, DND, statuses).
    expect(run.fingerprintAfter).toBe(run.fingerprintBefore);
    expect(await reportSchemaErrors(run.files.find((file) => file.endsWith('conformance.json'))!)).toEqual([]);
  });
});
