/**
 * A queue login refused (409) by an agent that logged in at its phone for a moment and out again, unseen by any
 * read (LIVE-API.md §5: agents come and go on their own): the checker sends the login again, up to FLICKER_SENDS
 * times, rather than fail a correct server; a server that refuses every send for no conflict it shows is caught,
 * with every send in the finding.
 */
import { describe, expect, test } from 'vitest';
import { FLICKER_SENDS } from '../suites/actions/moved-on-its-own.js';
import { runAgainstReference } from './support/run-against-reference.js';

describe('queue logins refused by agents that come and go unseen', () => {
  test(`refused ${FLICKER_SENDS - 1} times in a row before each goes through: every action rule passes`, async () => {
    const run = await runAgainstReference({ liberal: true, momentaryAgentLogins: FLICKER_SENDS - 1 }, { only: ['ACT'], formats: ['json'], seed: 5 });
    expect(run.message).toBeUndefined();
    const rules = run.report!.rules.filter((rule) => rule.id.startsWith('ACT-'));
    expect(rules.filter((rule) => rule.verdict !== 'pass').map((rule) => `${rule.id}: ${rule.verdict} ${rule.findings[0]?.message ?? rule.reason ?? ''}`)).toEqual([]);
    // The logins were exercised: a rule that posted none would pass for nothing.
    expect(rules.find((rule) => rule.id === 'ACT-EFFECT')?.notes.join('\n')).toMatch(/queueLogin [1-9]/);
  });

  test('refused on every send: caught, each send in the finding', async () => {
    const run = await runAgainstReference({ liberal: true, momentaryAgentLogins: 1_000_000 }, { only: ['ACT-EFFECT'], formats: ['json'], seed: 5 });
    const rule = run.report!.rules.find((r) => r.id === 'ACT-EFFECT')!;
    expect(rule.verdict).toBe('fail');
    const finding = rule.findings.find((f) => f.message.startsWith('queueLogin'));
    expect(finding?.message).toContain(`sent ${FLICKER_SENDS} times (answered ${Array(FLICKER_SENDS).fill(409).join(', ')})`);
    const logins = finding!.requests.filter((request) => request.method === 'POST');
    expect(logins.map((request) => request.status)).toEqual(Array(FLICKER_SENDS).fill(409));
    // The lists the refusal is judged on are in the finding: the queue's agents, without the extension's agent.
    expect(finding!.requests.some((request) => request.method === 'GET' && /\/queues\/[^/]+\/agents$/.test(request.url))).toBe(true);
  });
});
