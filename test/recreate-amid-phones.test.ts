/**
 * RECREATE-NEW-UUID logs an agent out and in again while agents log in and out at their phones (LIVE-API.md §5):
 * an agent of the same extension may stand in the way of the login for a moment, unseen (a 409 with no conflict in
 * sight: the login is sent again, as an action case does), or be seen by the look between the logout and the login
 * and gone when the login comes (a 204 where the look saw a conflict: the login did what it does when allowed), or
 * be seen there and refuse the login, gone by the look after it (another member is tried). A
 * correct server must pass either way, and a server that gives the old UUID back is still caught.
 */
import { describe, expect, test } from 'vitest';
import { FLICKER_SENDS } from '../suites/actions/moved-on-its-own.js';
import type { ReferenceServerOptions } from './reference-server/index.js';
import { runAgainstReference } from './support/run-against-reference.js';

async function recreateRule(server: ReferenceServerOptions) {
  const run = await runAgainstReference(server, { only: ['RECREATE-NEW-UUID'], formats: ['json'], seed: 4 });
  expect(run.message).toBeUndefined();
  return run.report!.rules.find((rule) => rule.id === 'RECREATE-NEW-UUID')!;
}

describe('RECREATE-NEW-UUID amid agents at their phones', () => {
  test(`a login refused ${FLICKER_SENDS - 1} times by an agent that comes and goes unseen: sent again, and the rule passes`, async () => {
    const rule = await recreateRule({ momentaryAgentLogins: FLICKER_SENDS - 1 });
    expect(rule.verdict, rule.reason ?? rule.findings[0]?.message).toBe('pass');
    expect(rule.notes.join('\n')).toMatch(/member [0-9a-f-]{36} → [0-9a-f-]{36}/);
  });

  test('an agent back at its phone, seen between the logout and the login, gone when the login comes: the rule passes', async () => {
    const rule = await recreateRule({ agentsBackAtPhone: { times: 1, leaves: 'before-login' } });
    expect(rule.verdict, rule.reason ?? rule.findings[0]?.message).toBe('pass');
    expect(rule.notes.join('\n')).toMatch(/member [0-9a-f-]{36} → [0-9a-f-]{36}/);
  });

  test('an agent back at its phone, seen before the login, refusing it (409), gone by the look after: another member is tried, and the rule passes', async () => {
    const rule = await recreateRule({ agentsBackAtPhone: { times: 1, leaves: 'after-login' } });
    expect(rule.verdict, rule.reason ?? rule.findings[0]?.message).toBe('pass');
    expect(rule.notes.join('\n')).toMatch(/answered 409 .*after the state moved on its own: tried another member/);
    expect(rule.notes.join('\n')).toMatch(/member [0-9a-f-]{36} → [0-9a-f-]{36}/);
  });

  test('the same, on a server that gives the re-created agent its old UUID: caught', async () => {
    const rule = await recreateRule({ agentsBackAtPhone: { times: 1, leaves: 'before-login' }, faults: ['recreate-keeps-uuid'] });
    expect(rule.verdict).toBe('fail');
    expect(rule.findings[0].message).toMatch(/has the UUID of the one it replaced/);
  });
});
