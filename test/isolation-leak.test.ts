import { describe, expect, test } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import type { CaseRun } from '../suites/actions/action-case.js';
import type { Observation } from '../suites/actions/arena-state.js';
import { leakedValuesFinding } from '../suites/actions/case-findings.js';
import { runAgainstReference } from './support/run-against-reference.js';

// status/set writes a distinctive note ("iso-" and random letters); the mutant copies it into one other user's
// status. A status is volatile, but its note is a property an action writes, so ACT-ISOLATION compares it, and a
// distinctive value found where the effect does not write is a finding even where the property is not compared.
// Every seed must report it, naming the value, the other user's status and the reads that show it.
describe.each([1, 2, 3])("a written note that leaks into another user's status, seed %i", (seed) => {
  test('is an ACT-ISOLATION finding that names the written value, where it turned up, and the reads that show it', async () => {
    const run = await runAgainstReference({ faults: ['status-note-leaks-to-other-user'] }, { only: ['ACT-ISOLATION'], formats: ['json'], seed });
    const rule = run.report!.rules.find((candidate) => candidate.id === 'ACT-ISOLATION')!;
    expect(rule.verdict).toBe('fail');
    const finding = rule.findings.find((candidate) => /\/users\/[^/ ]+\/status\b.*"iso-[0-9a-z]+"/.test(candidate.message));
    expect(finding, rule.findings.map((candidate) => candidate.message).join('\n')).toBeDefined();

    const written = /"(iso-[0-9a-z]+)"/.exec(finding!.message)![1];
    const post = finding!.requests.find((request) => request.method === 'POST');
    expect(post?.url).toMatch(/\/users\/[^/]+\/status\/set$/);
    expect(JSON.parse(post!.requestBody!).note).toBe(written);
    const actedOn = post!.url.replace(/\/set$/, '');
    // The place it turned up: another user's status, read after the action with the written note in it.
    const leakedRead = finding!.requests.find(
      (request) => request.method === 'GET' && /\/users\/[^/]+\/status$/.test(request.url) && request.url !== actedOn && JSON.stringify(request.body ?? '').includes(written),
    );
    expect(leakedRead, finding!.requests.map((request) => `${request.method} ${request.url}`).join('\n')).toBeDefined();
    expect(finding!.message).toContain(new URL(leakedRead!.url).pathname.replace(/^.*(\/coreServers\/)/, '$1'));
    expect(`${finding!.expected} ${finding!.actual}`).toContain(written);
    expect(finding!.curl.length).toBe(finding!.requests.length);
    expect(finding!.seed).toBe(seed);
  });
});

// Where the property is not compared (volatile, and no action writes it: a status's configurationId may change on a
// status/set, LIVE-API.md §5), only the written value can show the leak.
describe('a distinctive value found in a property that is not compared', () => {
  const note = 'iso-k3v9q2m7x1z0';
  const acted = '/coreServers/cs/users/u1/status';
  const other = '/coreServers/cs/users/u2/status';
  async function caseRun(otherAfter: Record<string, unknown>): Promise<CaseRun> {
    const { model } = await loadContract();
    const action = model.actions.find((candidate) => candidate.definition.name === 'setStatus')!;
    const status = { id: 's', configurationId: 'c', name: 'Lunch', type: 'away', note: 'x', returnTime: -1, userCreated: false };
    const look = (state: Map<string, Record<string, unknown>>): Observation => ({ state: { collections: new Map(), singletons: state }, exchanges: new Map(), unreadable: [] });
    return {
      invocation: { action, refs: [{ id: 'cs' }, { id: 'u1' }] as never, forms: ['uuid', 'uuid'], body: { kind: 'json', value: { name: 'Lunch', type: 'away', note, returnTime: -1 } } },
      before: look(new Map([[acted, status], [other, status]])),
      after: look(new Map([[acted, { ...status, note }], [other, otherAfter]])),
      outcome: { focus: new Set(), focusPaths: new Set([acted]) },
      exchange: { status: 204 },
      refusedSends: [],
    } as unknown as CaseRun;
  }

  test('is a finding that names the value, the place and the odds', async () => {
    const finding = leakedValuesFinding(await caseRun({ id: 's', configurationId: note, name: 'Lunch', type: 'away', note: 'x', returnTime: -1, userCreated: false }));
    expect(finding?.message).toContain(`wrote "note": "${note}", and that value turned up where its effect does not write: ${other} property "configurationId"`);
    expect(finding?.message).toContain('a coincidence is negligible: "iso-k3v9q2m7x1z0" is "iso-" and 12 random letters and digits');
    expect(finding?.actual).toBe(`also in ${other} property "configurationId"`);
  });

  test('is no finding where the value stays in what the effect names', async () => {
    expect(leakedValuesFinding(await caseRun({ id: 's2', configurationId: 'c2', name: 'Lunch', type: 'away', note: 'x', returnTime: -1, userCreated: false }))).toBeUndefined();
  });
});
