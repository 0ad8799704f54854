/**
 * A restore logs in and out only the agents the run's own actions moved (the ledger's claimed members): agents that
 * come and go at their phones are live telephony's (planner-level tests in action-effects.test.ts). What the
 * restore's own steps log in is claimed too, so that a target that lists them otherwise than the effect says (under
 * the queue only) is still brought back as found, as before claims existed.
 */
import { expect, test } from 'vitest';
import { runAgainstReference } from './support/run-against-reference.js';

test('a target that lists a logged-in agent under its queue only: the action rules leave it as found', async () => {
  const run = await runAgainstReference({ faults: ['login-agent-missing-under-extension'], seed: 2 }, { only: ['ACT'], formats: ['json'], seed: 2 });
  expect(run.report!.rules.find((rule) => rule.id === 'ACT-EFFECT')?.verdict).toBe('fail');
  expect(run.fingerprintAfter).toBe(run.fingerprintBefore);
});
