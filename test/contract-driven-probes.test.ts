/**
 * ADDR-PARENT's foreign-parent action probe and RECREATE-NEW-UUID's remove / re-create pair come from the contract's
 * effects, not from action names: a copy of the shipped contract with new actions (an agent `hold` that sets
 * `paused` as `pause` does; a login that can be ended and started, as agents are logged out and in) gets them
 * probed and re-created by both rules' planners, with no new checker code. On a small hand-made arena.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { defaultContractPath, loadContract } from '../contracts/load-contract.js';
import type { InstanceNode, InstanceRef, ResourceModel } from '../contracts/resource-model.js';
import { buildArena, wholeArena, type Arena } from '../suites/actions/arena.js';
import type { ArenaState, Item } from '../suites/actions/arena-state.js';
import { nestedCollections } from '../suites/arbitraries/foreign-parent.js';
import { planRemove, planUndo } from '../suites/actions/restore-planner.js';
import { probeActions, probeInvocations, viableProbes } from '../suites/checks/addr-parent/action-probe.js';
import { recreatableResources } from '../suites/checks/recreate-new-uuid.js';
import type { Discovery } from '../suites/discovery.js';

const POST_ONLY = 'responses: *actionResponses';

/** An agent action on another path with the effect kind of `pause` (a set of `paused`). */
const holdAction = `  /coreServers/{coreServerId}/queues/{queueId}/agents/{agentId}/hold:
    parameters: [{ $ref: '#/components/parameters/coreServerId' }, { $ref: '#/components/parameters/queueId' }, { $ref: '#/components/parameters/agentId' }]
    post:
      operationId: holdQueueAgent
      x-action:
        name: hold
        effects:
          - set: { target: self, values: { paused: { const: true } } }
      ${POST_ONLY}
`;

/** A login that ends (removed everywhere, as a logout removes an agent) and starts (created, as a login creates one). */
const loginActions = `  /coreServers/{coreServerId}/users/{userId}/logins/{loginId}/end:
    parameters: [{ $ref: '#/components/parameters/coreServerId' }, { $ref: '#/components/parameters/userId' }, { $ref: '#/components/parameters/loginId' }]
    post:
      operationId: endLogin
      x-action:
        name: endLogin
        effects:
          - remove: { target: self }
      ${POST_ONLY}
  /coreServers/{coreServerId}/users/{userId}/startLogin:
    parameters: [{ $ref: '#/components/parameters/coreServerId' }, { $ref: '#/components/parameters/userId' }]
    post:
      operationId: startLogin
      x-action:
        name: startLogin
        effects:
          - create: { in: ['/coreServers/{coreServerId}/users/{userId}/logins'], values: {} }
      ${POST_ONLY}
`;

/** The shipped contract with the new actions, loaded from a temporary copy. */
async function extendedContract(): Promise<ResourceModel> {
  const shipped = await readFile(defaultContractPath, 'utf8');
  const extended = shipped
    .replace('  # call segments of a queue\n', `${holdAction}\n  # call segments of a queue\n`)
    .replace('  /coreServers/{coreServerId}/users/{userId}/status:\n', `${loginActions}  /coreServers/{coreServerId}/users/{userId}/status:\n`);
  expect(extended.length, 'both insertions must land').toBe(shipped.length + holdAction.length + 1 + loginActions.length);
  const file = join(await mkdtemp(join(tmpdir(), 'isym-probes-')), 'contract.yaml');
  await writeFile(file, extended);
  return (await loadContract(file)).model;
}

const cs: InstanceRef = { id: 'c1', name: 'main' };
const sales: InstanceRef = { id: 'q1', name: 'sales' };
const ext101: InstanceRef = { id: 'e1', name: '101' };
const ann: InstanceRef = { id: 'u1', name: 'ann' };

/** One core server with a queue, an extension and a user. */
function discovery(model: ResourceModel): Discovery {
  const node = (template: string) => model.instances.find((n) => n.template === template)!;
  const found = new Map<InstanceNode, InstanceRef[][]>([
    [node('/coreServers/{coreServerId}'), [[cs]]],
    [node('/coreServers/{coreServerId}/queues/{queueId}'), [[cs, sales]]],
    [node('/coreServers/{coreServerId}/extensions/{extensionId}'), [[cs, ext101]]],
    [node('/coreServers/{coreServerId}/users/{userId}'), [[cs, ann]]],
  ]);
  const instances = [...found].flatMap(([n, all]) => all.map((refs) => ({ node: n, refs, listed: {}, collectionPath: '' })));
  return { instances, listings: [], reads: [], problems: [], reach: [], summary: () => `${instances.length} instances`, of: (n) => instances.filter((i) => i.node === n) };
}

/** Extension 101 is a dynamic agent of sales, paused or not; ann has one login. */
function state(paused: boolean): ArenaState {
  const members = (...items: Item[]) => new Map(items.map((item) => [String(item.id), item]));
  const agent = { id: 'a1', paused, penalty: 0, dynamic: true, state: 'NOT_INUSE', name: 'a1' };
  return {
    collections: new Map([
      ['/coreServers/c1/queues', members({ id: 'q1', identifier: 'sales' })],
      ['/coreServers/c1/extensions', members({ id: 'e1', extensionNumber: '101', dnd: false })],
      ['/coreServers/c1/users', members({ id: 'u1', userName: 'ann' })],
      ['/coreServers/c1/queues/q1/agents', members(agent)],
      ['/coreServers/c1/extensions/e1/agents', members(agent)],
      ['/coreServers/c1/users/u1/logins', members({ id: 'l1', type: 'web' })],
    ]),
    singletons: new Map([['/coreServers/c1/users/u1/status', { id: 's1', name: 'Lunch', type: 'away', note: 'back soon', returnTime: -1 }]]),
  };
}

describe('a new action of the contract is exercised by ADDR-PARENT and RECREATE-NEW-UUID without new checker code', () => {
  let model: ResourceModel;
  let arena: Arena;
  const collection = (template: string) => nestedCollections(model).find((c) => c.template === template)!;
  const probedNames = (template: string, refs: InstanceRef[], current: ArenaState) => {
    const { actions } = probeActions(model, collection(template));
    const invocations = probeInvocations(arena, current, actions, refs, actions.map(() => undefined));
    return viableProbes(arena, current, current, wholeArena(arena), invocations).map((probe) => probe.invocation.action.definition.name).sort();
  };

  beforeAll(async () => {
    model = await extendedContract();
    arena = buildArena(model, discovery(model), { seed: 1 });
  });

  test('ADDR-PARENT probes the new agent action where its effect would show, and not where it is already in place', () => {
    const agents = '/coreServers/{coreServerId}/queues/{queueId}/agents';
    expect(probeActions(model, collection(agents)).actions.map((a) => a.definition.name)).toContain('hold');
    const a1 = [cs, sales, { id: 'a1' }];
    // Not paused: hold and pause would both show (and be undone by unpause); paused: only unpause would.
    expect(probedNames(agents, a1, state(false))).toEqual(expect.arrayContaining(['hold', 'pause']));
    expect(probedNames(agents, a1, state(false))).not.toContain('unpause');
    expect(probedNames(agents, a1, state(true))).not.toContain('hold');
    expect(probedNames(agents, a1, state(true))).toContain('unpause');
  });

  test('ADDR-PARENT probes the new login action, which the planner can undo by the new create', () => {
    expect(probedNames('/coreServers/{coreServerId}/users/{userId}/logins', [cs, ann, { id: 'l1' }], state(false))).toEqual(['endLogin']);
  });

  test('RECREATE-NEW-UUID finds the new resource to destroy and add again, next to the agents', () => {
    expect([...recreatableResources(model)].map((r) => r.name).sort()).toEqual(['Agent', 'Login']);
    const logins = arena.collections.find((c) => c.path === '/coreServers/c1/users/u1/logins')!;
    const current = state(false);
    const removal = planRemove(arena, current, 'l1', logins.node.resource, [logins], true);
    expect(removal?.action.definition.name).toBe('endLogin');
    const gone: ArenaState = { ...current, collections: new Map([...current.collections, [logins.path, new Map()]]) };
    const recreation = planUndo(arena, wholeArena(arena), current, gone);
    expect(recreation?.action.definition.name).toBe('startLogin');
    expect(recreation?.refs.map((ref) => ref.id)).toEqual(['c1', 'u1']);
  });

  test('the shipped contract has no Login remover: the same planner finds only agents there', async () => {
    const shipped = (await loadContract()).model;
    expect([...recreatableResources(shipped)].map((r) => r.name)).toEqual(['Agent']);
  });
});
