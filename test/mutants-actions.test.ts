import { describe, expect, test } from 'vitest';
import { defineMutantMatrix } from './support/mutant-matrix.js';
import { runAgainstReference } from './support/run-against-reference.js';

defineMutantMatrix(['ACT']);

// The faults that only a sequence shows: the report must give the shrunk sequence, a numbered step and a curl
// line per action. From a fresh server each fault needs two or three steps; the server's hidden state (a pause
// counter, a logged-out agent's values) outlives the restore between runs, which makes shrinking noisy, so a
// step or two more is allowed. At the default --runs (100).
describe.each(['counted-pause', 'login-inherits-old-agent-state'])('sequence mutant %s', (fault) => {
  test('is reported as a short sequence, step by step, each with its curl line', async () => {
    const run = await runAgainstReference({ faults: [fault] }, { only: ['ACT-SEQUENCES'], formats: ['json'], numRuns: 100 });
    const rule = run.report!.rules.find((candidate) => candidate.id === 'ACT-SEQUENCES')!;
    expect(rule.verdict).toBe('fail');
    const finding = rule.findings[0];
    const steps = finding.message.split('\n').filter((line) => /^\d+\. \w+ POST /.test(line));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThanOrEqual(5);
    expect(finding.curl.filter((line) => line.includes(' -X POST '))).toHaveLength(steps.length);
    expect(finding.message).toMatch(/\nthen: .+/);
    expect(finding.seed).toBe(42);
    expect(finding.path).toEqual(expect.any(String));
  });
});
