/**
 * Contract coverage: the matcher from a concrete request path back to its contract node and addressing forms
 * (every path the model can build comes back to where it came from), and the merge of per-rule tallies into the
 * report's coverage, with the reason for each part not exercised.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadContract, type LoadedContract } from '../contracts/load-contract.js';
import { buildPath, instanceSegments, type AddressingForm, type PathNode } from '../contracts/resource-model.js';
import { buildContractCoverage, CoverageRecorder, possibleForms } from '../suites/coverage.js';
import { matchRequestPath } from '../contracts/request-path.js';
import type { RequestTally } from '../reporters/vocabulary/coverage.js';
import type { Exchange } from '../suites/target-client.js';

let contract: LoadedContract;

beforeAll(async () => {
  contract = await loadContract();
});

function node(template: string): PathNode {
  const found = contract.model.nodes.find((candidate) => candidate.template === template);
  if (!found) throw new Error(`no node ${template}`);
  return found;
}

function exchange(method: string, path: string, status = 200, json?: unknown): Exchange {
  return { method, path, url: `http://pbx${path}`, auth: 'valid', status, headers: {}, bodyText: '', truncated: false, json, durationMs: 1 };
}

describe('matchRequestPath', () => {
  test.each([
    ['/coreServers', '/coreServers', []],
    ['/coreServers/getByName/main', '/coreServers/{coreServerId}', ['name']],
    ['/coreServers/abc/extensions/getByName/100?x=1', '/coreServers/{coreServerId}/extensions/{extensionId}', ['uuid', 'name']],
    ['/coreServers/getByName/main/extensions/getByName/100/agents/a1', '/coreServers/{coreServerId}/extensions/{extensionId}/agents/{agentId}', ['name', 'name', 'uuid']],
    ['/coreServers/c/users/u/status/set', '/coreServers/{coreServerId}/users/{userId}/status/set', ['uuid', 'uuid']],
    ['/coreServers/c/queues/getByName/sales/agents/a/pause', '/coreServers/{coreServerId}/queues/{queueId}/agents/{agentId}/pause', ['uuid', 'name', 'uuid']],
    // An extension named "agents", by name: not the agents collection of an extension whose UUID is "getByName".
    ['/coreServers/c/extensions/getByName/agents', '/coreServers/{coreServerId}/extensions/{extensionId}', ['uuid', 'name']],
  ])('%s → %s %j', (path, template, forms) => {
    const match = matchRequestPath(contract.model, path);
    expect(match?.node.template).toBe(template);
    expect(match?.forms).toEqual(forms);
  });

  test.each(['/', '/nope', '/coreServers/c/unknown', '/coreServers/c/extensions/e/agents/a/extension/more', '/coreServers//extensions'])('%s matches no path', (path) => {
    expect(matchRequestPath(contract.model, path)).toBeUndefined();
  });

  test('a UUID-only level written getByName is no match', () => {
    // Call segments have no symbolic name in the contract.
    expect(instanceSegments(node('/coreServers/{coreServerId}/callSegments/{callSegmentId}'))[1].nameProperty).toBeUndefined();
    expect(matchRequestPath(contract.model, '/coreServers/c/callSegments/getByName/x')).toBeUndefined();
  });

  test('every path the resource model builds, in every addressing form, matches its own node and forms', () => {
    const name = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('agents', 'getByName', 'status', 'a/b', '100 %', 'Zoë'));
    const nodeAndForms = fc
      .constantFrom(...contract.model.nodes)
      .chain((candidate) => fc.tuple(fc.constant(candidate), fc.constantFrom(...possibleForms(candidate))));
    fc.assert(
      fc.property(nodeAndForms, fc.array(fc.tuple(fc.uuid(), name), { minLength: 4, maxLength: 4 }), ([candidate, forms], refs) => {
        const levels = instanceSegments(candidate).length;
        const formList = forms === '' ? [] : (forms.split('/') as AddressingForm[]);
        const path = buildPath(candidate, refs.slice(0, levels).map(([id, refName]) => ({ id, name: refName })), formList);
        const match = matchRequestPath(contract.model, path);
        expect(match?.node.template).toBe(candidate.template);
        expect(match?.forms).toEqual(formList);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe('buildContractCoverage', () => {
  function tallyOf(exchanges: Exchange[]): RequestTally {
    const recorder = new CoverageRecorder(contract.model);
    for (const sent of exchanges) recorder.record(sent);
    return recorder.take('');
  }

  test('requests are tallied under the rule that sent them, also when rules run at once', async () => {
    const recorder = new CoverageRecorder(contract.model);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    const rule = (ruleId: string, path: string) =>
      recorder.withRule(ruleId, async () => {
        for (let sent = 0; sent < 3; sent += 1) {
          await pause();
          recorder.record(exchange('GET', path));
        }
      });
    await Promise.all([rule('ADDR-UUID', '/coreServers/c'), rule('ADDR-NAME', '/coreServers/getByName/main')]);
    const uuid = recorder.take('ADDR-UUID');
    const name = recorder.take('ADDR-NAME');
    expect(uuid.operations.map((op) => [op.forms, op.requests])).toEqual([['uuid', 3]]);
    expect(name.operations.map((op) => [op.forms, op.requests])).toEqual([['name', 3]]);
    expect(recorder.take('ADDR-UUID').operations).toEqual([]);
  });

  test('merges the rules\' tallies by operation, counting requests, statuses and forms', () => {
    const instance = '/coreServers/{coreServerId}/extensions/{extensionId}';
    const coverage = buildContractCoverage(contract.model, {
      tallies: [
        { ruleId: 'ADDR-UUID', tally: tallyOf([exchange('GET', '/coreServers/c/extensions/e'), exchange('GET', '/coreServers/c/extensions/e', 404)]) },
        { ruleId: 'ADDR-NAME', tally: tallyOf([exchange('GET', '/coreServers/c/extensions/getByName/100'), exchange('PUT', '/coreServers/c/extensions/e'), exchange('GET', '/elsewhere')]) },
      ],
      rules: [],
      partial: false,
    });
    const operation = coverage.operations.find((op) => op.method === 'GET' && op.template === instance)!;
    expect(operation).toMatchObject({ requests: 3, statuses: { '200': 2, '404': 1 }, rules: ['ADDR-NAME', 'ADDR-UUID'] });
    expect(operation.forms).toEqual({ possible: ['uuid/uuid', 'uuid/name', 'name/uuid', 'name/name'], exercised: ['uuid/uuid', 'uuid/name'] });
    expect(operation.reason).toBe('2 of 4 combinations of addressing forms were drawn');
    expect(coverage.outsideContract).toEqual([{ method: 'PUT', template: instance, requests: 1 }]);
    expect(coverage.unmatched).toEqual({ requests: 1, examples: ['GET /elsewhere'] });
    expect(coverage.totals.operations).toEqual({ exercised: 1, total: contract.model.nodes.reduce((sum, candidate) => sum + candidate.methods.length, 0) });
    expect(coverage.totals.addressingForms.exercised).toBe(2);
  });

  test('says why a part was not exercised: an empty collection, a collection never listed, skipped actions, an interrupt', () => {
    const coverage = buildContractCoverage(contract.model, {
      tallies: [
        {
          ruleId: 'ADDR-UUID',
          tally: tallyOf([exchange('GET', '/coreServers', 200, [{ id: 'c' }]), exchange('GET', '/coreServers/c/conferences', 200, []), exchange('GET', '/coreServers/c/conferences', 200, [])]),
        },
      ],
      rules: [{ id: 'ACT-EFFECT', family: 'actions', verdict: 'skip', reason: 'skipped by --skip ACT' }],
      partial: false,
    });
    const reason = (method: string, template: string) => coverage.operations.find((op) => op.method === method && op.template === template)!.reason;
    expect(reason('GET', '/coreServers/{coreServerId}/conferences/{conferenceId}')).toBe('the target listed no Conference (/coreServers/{coreServerId}/conferences was always empty)');
    expect(reason('GET', '/coreServers/{coreServerId}/queues/{queueId}')).toMatch(/^no instance to address: \/coreServers\/\{coreServerId\}\/queues was never listed/);
    expect(reason('POST', '/coreServers/{coreServerId}/queues/{queueId}/login')).toBe('no actions rule ran (skipped by --skip ACT)');
    // Read in its only form: nothing to explain.
    expect(reason('GET', '/coreServers')).toBeUndefined();
    const interrupted = buildContractCoverage(contract.model, { tallies: [], rules: [], partial: true });
    expect(interrupted.operations.find((op) => op.template === '/coreServers')!.reason).toBe('the run was interrupted before a check reached it');
  });
});
