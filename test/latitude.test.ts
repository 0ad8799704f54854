/**
 * Latitude rows: the liberal reference server takes every freedom of LIVE-API.md §5 the other way from the default
 * one (any list order, extra properties, bare media type, 403 without a challenge, bare errors, other segment types,
 * 412 for unranged values, calls that end by themselves, ...). A correct server that chose otherwise than ours must
 * pass too: every rule with zero findings, alone and while its live state churns, on several seeds. More seeds:
 * `npm run latitude -- --seeds 100`.
 */
import { describe, expect, test } from 'vitest';
import { checks } from '../suites/checks/index.js';
import { runAgainstReference } from './support/run-against-reference.js';

/** Seeds of the CI rows: fixed ones, and one that changes from run to run (printed, so a failure reproduces). */
const rotatingSeed = Number(process.env.ISYM_LATITUDE_SEED ?? Math.floor(Date.now() / 86_400_000) % 10_000);
const rows = [
  { seed: 1, churn: false },
  { seed: 2, churn: { intervalMs: 5 } },
  { seed: 3, churn: false },
  { seed: 4, churn: { intervalMs: 5 } },
  { seed: rotatingSeed, churn: { intervalMs: 5 } },
];

describe.each(rows)('the liberal reference server, seed $seed, churn $churn', ({ seed, churn }) => {
  test('passes every rule with zero findings', async () => {
    const run = await runAgainstReference({ liberal: true, churn, seed }, { seed });
    expect(run.message).toBeUndefined();
    const report = run.report!;
    const notPassed = report.rules.filter((rule) => rule.verdict !== 'pass');
    expect(
      notPassed.map((rule) => `${rule.id}: ${rule.verdict} ${rule.reason ?? ''} ${rule.findings[0]?.message ?? ''}`),
      `seed ${seed} (ISYM_LATITUDE_SEED=${seed} reruns it)`,
    ).toEqual([]);
    expect(report.rules.map((rule) => rule.id).sort()).toEqual(checks.map((check) => check.ruleId).sort());
    expect(run.exitCode).toBe(0);
    expect(run.restarts).toBe(1);
  });
});
