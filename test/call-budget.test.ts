import { describe, expect, test } from 'vitest';
import type { ConformanceReport } from '../reporters/report-model.js';
import { runDefaults } from '../suites/run-defaults.js';
import { runAgainstReference } from './support/run-against-reference.js';

/** Originates the target answered 204: each is a phone call placed (the reference server places one per 204). */
function callsPlaced(report: ConformanceReport): number {
  const originate = report.coverage!.operations.find((operation) => operation.method === 'POST' && operation.template.endsWith('/originate'))!;
  return originate.statuses['204'] ?? 0;
}

/** The "cases per action" counts a rule notes, by action name. */
function casesPerAction(report: ConformanceReport, ruleId: string): Map<string, number> {
  const note = report.rules.find((rule) => rule.id === ruleId)!.notes.find((line) => line.startsWith('cases per action'));
  return new Map([...(note ?? '').matchAll(/(\w+) (\d+)/g)].map((match) => [match[1], Number(match[2])]));
}

describe('--max-calls', () => {
  test('by default a run places at most the default budget of calls, and every rule that sends originate or transfer still judges both', async () => {
    const run = await runAgainstReference({}, { only: ['ACT'], formats: ['json'], seed: 3 });
    const report = run.report!;
    expect(report.rules.filter((rule) => rule.id.startsWith('ACT-')).map((rule) => `${rule.id} ${rule.verdict}`)).toEqual(report.rules.filter((rule) => rule.id.startsWith('ACT-')).map((rule) => `${rule.id} pass`));
    const placed = callsPlaced(report);
    expect(placed).toBeGreaterThan(0);
    expect(placed).toBeLessThanOrEqual(runDefaults.maxCalls);
    for (const ruleId of ['ACT-EFFECT', 'ACT-ADDRESSING', 'ACT-ISOLATION', 'ACT-IDENTITY']) {
      const cases = casesPerAction(report, ruleId);
      expect(cases.get('originate'), ruleId).toBeGreaterThan(0);
      expect(cases.get('transfer'), ruleId).toBeGreaterThan(0);
    }
    // Each rule says how many calls it placed, and the run's count so far.
    const notes = report.rules.flatMap((rule) => rule.notes.filter((line) => / phone call\(s\) placed \(--max-calls 16: \d+ placed in the run so far\)/.test(line)));
    expect(notes.length).toBeGreaterThan(0);
  });

  test('0 places no call: the cases that need one are skipped with that reason, and the rest still pass', async () => {
    const run = await runAgainstReference({}, { only: ['ACT-EFFECT', 'ACT-SEQUENCES'], formats: ['json'], seed: 3, maxCalls: 0 });
    const report = run.report!;
    expect(callsPlaced(report)).toBe(0);
    expect(report.options.maxCalls).toBe(0);
    const effect = report.rules.find((rule) => rule.id === 'ACT-EFFECT')!;
    expect(effect.verdict).toBe('pass');
    expect(effect.notes.join('\n')).toMatch(/originate (cases skipped|not exercised): it would place a phone call, and --max-calls is 0/);
    expect(effect.notes.join('\n')).toMatch(/transfer (cases skipped|not exercised): .*it would place a phone call, and --max-calls is 0/);
    expect(effect.notes).toContain('no phone call placed (--max-calls 0: 0 placed in the run so far)');
    expect(casesPerAction(report, 'ACT-EFFECT').get('pause')).toBeGreaterThan(0);
  });
});
