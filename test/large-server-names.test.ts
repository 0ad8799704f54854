/**
 * On a large server the action rules work on an arena, a part of what is listed; a name is unknown only if no
 * listing shows it. At ×300 a near miss of an extension's number ("14" → "149") is another extension's real
 * number, outside the arena: ACT-UNKNOWN must not send it as an unknown name (it once did, and failed a correct
 * server).
 */
import { describe, expect, test } from 'vitest';
import { runAgainstReference } from './support/run-against-reference.js';

describe('ACT-UNKNOWN on a large server', () => {
  test('a near miss that another listed instance bears as its name is not sent as unknown', async () => {
    const run = await runAgainstReference({ size: 300 }, { only: ['ACT-UNKNOWN'], formats: ['json'], seed: 42 });
    const rule = run.report!.rules.find((candidate) => candidate.id === 'ACT-UNKNOWN')!;
    expect(rule.findings.map((finding) => finding.message)).toEqual([]);
    expect(rule.verdict).toBe('pass');
  });
});
