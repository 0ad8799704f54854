/**
 * --replay against a server that lists its collections in a fresh random order on every read (the liberal
 * reference server): the recorded case is rebuilt from its seed and path, and what fast-check generates must not
 * depend on the order the target listed things in, or the replay would ask for a path the generator cannot take.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runConformance } from '../suites/runner/run-conformance.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer } from './reference-server/index.js';
import { testOutputDir } from './reporters-support.js';

async function checkLiberalMutant(fault: string, options: { only: string[]; replayFrom?: string }) {
  const server = await startReferenceServer({ faults: [fault], liberal: true, seed: 9 });
  const reportDir = await testOutputDir('replay-liberal');
  try {
    const result = await runConformance({ target: server.baseUrl, user: DEFAULT_USER, password: DEFAULT_PASSWORD, reportDir, seed: 42, numRuns: 100, formats: ['json'], ...options });
    return { ...result, reportDir };
  } finally {
    await server.stop();
  }
}

describe.each([
  { fault: 'counted-pause', rule: 'ACT-SEQUENCES' },
  { fault: 'name-lookup-ignores-core-server', rule: 'ADDR-NAME' },
])('a liberal mutant ($fault)', ({ fault, rule }) => {
  test(`its ${rule} failure is replayed exactly against another liberal server with the same fault`, async () => {
    const first = await checkLiberalMutant(fault, { only: [rule] });
    const failed = first.report!.rules.find((candidate) => candidate.id === rule)!;
    expect(failed.verdict).toBe('fail');
    const replayed = await checkLiberalMutant(fault, { only: [], replayFrom: join(first.reportDir, 'conformance.json') });
    const cases = replayed.report!.replay!.cases;
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.map((item) => `${item.ruleId} ${item.how} ${item.stillFails}`)).toEqual(cases.map(() => `${rule} exact true`));
    expect(replayed.report!.rules.map((candidate) => `${candidate.id} ${candidate.verdict} ${candidate.reason ?? ''}`)).toEqual([`${rule} fail `]);
    expect(replayed.exitCode).toBe(1);
  });
});
