/**
 * Reads shared among ADDR-UUID, ADDR-NAME and ADDR-MIXED (suites/shared-reads.ts): a path that several rules
 * expect is sent once, each rule takes the answer once, nothing is kept after the last one took it, and a case
 * that found something on a shared answer is judged again on reads of its own.
 */
import { describe, expect, test } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import type { ResourceModel } from '../contracts/resource-model.js';
import { ruleById } from '../reporters/vocabulary/rules.js';
import { CoverageRecorder } from '../suites/coverage.js';
import { RunScope } from '../suites/run-scope.js';
import { expectSharedReads, judgeWithSharedReads, SharedReads, sharedReadsOf } from '../suites/shared-reads.js';
import type { Exchange, TargetClient } from '../suites/target-client.js';
import { runAgainstReference } from './support/run-against-reference.js';

/** A rule's client: answers every GET with `status` and a body that says which client sent it; counts what it sent. */
function countingClient(by: string, status = 200): { client: TargetClient; sent: string[] } {
  const sent: string[] = [];
  const client = {
    async get(path: string): Promise<Exchange> {
      sent.push(path);
      const json = { id: 'x', by };
      return { method: 'GET', path, url: `http://target${path}`, auth: 'valid', status, headers: {}, bodyText: JSON.stringify(json), truncated: false, json, durationMs: 1 };
    },
  } as unknown as TargetClient;
  return { client, sent };
}

function contextOf(scope: RunScope, ruleId: string, client: TargetClient) {
  return { scope, rule: ruleById(ruleId), client };
}

describe('SharedReads', () => {
  test('a path expected by two rules is sent by the first to read it and taken once by the other; then nothing is kept', async () => {
    const reads = new SharedReads();
    reads.expect('ADDR-UUID', ['/a', '/b']);
    reads.expect('ADDR-NAME', ['/a']);
    let sends = 0;
    const send = async () => ({ status: 200, sends: ++sends }) as unknown as Exchange;
    const first = reads.take('ADDR-NAME', '/a', send)!;
    expect(first.shared).toBe(false);
    expect(reads.kept).toBe(1);
    const second = reads.take('ADDR-UUID', '/a', send)!;
    expect(second.shared).toBe(true);
    expect(await second.exchange).toBe(await first.exchange);
    expect(sends).toBe(1);
    expect(reads.kept).toBe(0);
    // Taken already: the rule reads for itself. Not expected by the rule: the same.
    expect(reads.take('ADDR-UUID', '/a', send)).toBeUndefined();
    expect(reads.take('ADDR-MIXED', '/b', send)).toBeUndefined();
    // Expected by one rule only: sent, not kept.
    expect(reads.take('ADDR-UUID', '/b', send)?.shared).toBe(false);
    expect(reads.kept).toBe(0);
  });
});

describe('judgeWithSharedReads', () => {
  /** A run scope where ADDR-UUID (whose client answers `uuidStatus`) and ADDR-NAME both expect to read `path`. */
  function bothExpecting(path: string, uuidStatus = 200) {
    const scope = new RunScope(new CoverageRecorder({ nodes: [] } as unknown as ResourceModel));
    const uuid = countingClient('ADDR-UUID', uuidStatus);
    const name = countingClient('ADDR-NAME');
    expectSharedReads(contextOf(scope, 'ADDR-UUID', uuid.client), [path]);
    expectSharedReads(contextOf(scope, 'ADDR-NAME', name.client), [path]);
    return { scope, uuid, name };
  }

  test('a rule takes the read another rule made, and sends none of its own when nothing is found', async () => {
    const { scope, uuid, name } = bothExpecting('/x');
    await judgeWithSharedReads(contextOf(scope, 'ADDR-UUID', uuid.client), async (read) => (await read('/x'), undefined));
    const judged: Exchange[] = [];
    const found = await judgeWithSharedReads(contextOf(scope, 'ADDR-NAME', name.client), async (read) => {
      judged.push(await read('/x'), await read('/x'));
      return undefined;
    });
    expect(found).toBeUndefined();
    expect(judged.map((exchange) => (exchange.json as { by: string }).by)).toEqual(['ADDR-UUID', 'ADDR-NAME']);
    // The first read of /x was ADDR-UUID's; the second read of the same path in the case is ADDR-NAME's own.
    expect(uuid.sent).toEqual(['/x']);
    expect(name.sent).toEqual(['/x']);
    expect(sharedReadsOf({ scope }).kept).toBe(0);
  });

  test('a finding made on a shared read is judged again on reads of its own, and only that judgement stands', async () => {
    const { scope, uuid, name } = bothExpecting('/x');
    const shared = await judgeWithSharedReads(contextOf(scope, 'ADDR-UUID', uuid.client), async (read) => read('/x'));
    // The case finds something whenever the read it judges is ADDR-UUID's (stale, as far as ADDR-NAME knows).
    const judged: Exchange[] = [];
    const found = await judgeWithSharedReads(contextOf(scope, 'ADDR-NAME', name.client), async (read) => {
      const exchange = await read('/x');
      judged.push(exchange);
      return exchange === shared ? 'finding' : undefined;
    });
    expect(judged[0]).toBe(shared);
    expect(judged).toHaveLength(2);
    expect(found).toBeUndefined();
    expect(name.sent).toEqual(['/x']);
  });

  test('a finding that the rule\'s own reads show again stands, with those reads', async () => {
    const { scope, uuid, name } = bothExpecting('/x');
    const shared = await judgeWithSharedReads(contextOf(scope, 'ADDR-UUID', uuid.client), async (read) => read('/x'));
    const found = await judgeWithSharedReads(contextOf(scope, 'ADDR-NAME', name.client), async (read) => read('/x'));
    // Judged first on ADDR-UUID's read, then on ADDR-NAME's own: the finding carries the own read.
    expect(uuid.sent).toEqual(['/x']);
    expect(name.sent).toEqual(['/x']);
    expect((found as Exchange | undefined)?.json).toEqual({ id: 'x', by: 'ADDR-NAME' });
    expect(shared?.json).toEqual({ id: 'x', by: 'ADDR-UUID' });
  });

  test('the rule that took a shared read is named at its operation in the coverage, with no request counted', async () => {
    const { model } = await loadContract();
    const scope = new RunScope(new CoverageRecorder(model));
    const path = '/coreServers/00000000-0000-4000-8000-000000000001';
    const uuid = countingClient('ADDR-UUID');
    const name = countingClient('ADDR-NAME');
    // As the harness does: a request is tallied under the rule whose check sent it (here by hand, the clients being fakes).
    const tallied = (client: TargetClient) => ({ get: async (p: string) => { const exchange = await client.get(p); scope.coverage.record(exchange); return exchange; } }) as unknown as TargetClient;
    expectSharedReads(contextOf(scope, 'ADDR-UUID', uuid.client), [path]);
    expectSharedReads(contextOf(scope, 'ADDR-NAME', name.client), [path]);
    await scope.coverage.withRule('ADDR-UUID', () => judgeWithSharedReads(contextOf(scope, 'ADDR-UUID', tallied(uuid.client)), async (read) => (await read(path), undefined)));
    await scope.coverage.withRule('ADDR-NAME', () => judgeWithSharedReads(contextOf(scope, 'ADDR-NAME', tallied(name.client)), async (read) => (await read(path), undefined)));
    expect(name.sent).toEqual([]);
    const operation = (ruleId: string) => scope.coverage.take(ruleId).operations.find((entry) => entry.template === '/coreServers/{coreServerId}');
    expect(operation('ADDR-UUID')?.requests).toBe(1);
    expect(operation('ADDR-NAME')).toMatchObject({ method: 'GET', requests: 0 });
  });

  test('a shared read that got no answer (the sending rule was stopped) is not used: the rule asks for itself', async () => {
    const { scope, uuid: stopped, name } = bothExpecting('/x', 0);
    await judgeWithSharedReads(contextOf(scope, 'ADDR-UUID', stopped.client), async (read) => (await read('/x'), undefined));
    const read = await judgeWithSharedReads(contextOf(scope, 'ADDR-NAME', name.client), async (get) => get('/x'));
    expect(read?.status).toBe(200);
    expect(name.sent).toEqual(['/x']);
  });
});

describe('the addressing rules together', () => {
  test('read each named instance by UUID once between them, and pass the reference server as when each runs alone', async () => {
    const rules = ['ADDR-UUID', 'ADDR-NAME', 'ADDR-MIXED'];
    const alone = await Promise.all(rules.map((id) => runAgainstReference({ size: 2 }, { only: [id], formats: ['json'] })));
    const together = await runAgainstReference({ size: 2 }, { only: rules, formats: ['json'] });
    const requestsOf = (report: typeof together.report, id: string) => report!.rules.find((rule) => rule.id === id)!.requests;
    const aloneTotal = rules.reduce((sum, id, index) => sum + requestsOf(alone[index].report, id), 0);
    const togetherTotal = rules.reduce((sum, id) => sum + requestsOf(together.report, id), 0);
    for (const id of rules) expect(together.report!.rules.find((rule) => rule.id === id)!.verdict).toBe('pass');
    // ADDR-NAME's enumerated instances are each read by UUID once instead of twice (with ADDR-UUID's), at least.
    const named = Number(/^(\d+) named instances/m.exec(together.report!.rules.find((rule) => rule.id === 'ADDR-NAME')!.notes.join('\n'))?.[1]);
    expect(named).toBeGreaterThan(0);
    expect(aloneTotal - togetherTotal).toBeGreaterThanOrEqual(named);
  });
});
