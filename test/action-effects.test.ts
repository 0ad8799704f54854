/**
 * The effect language of x-action (contracts/action-effects.ts) and the effect model that interprets it
 * (suites/actions/): broken effects are refused with their JSON pointer; on a small hand-made arena, the model
 * predicts the statuses and changes that LIVE-API.md gives, tells the action's targets from bystanders, and the
 * restore ledger plans the actions that put a changed arena back.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ContractError } from '../contracts/contract-error.js';
import { defaultContractPath, loadContract } from '../contracts/load-contract.js';
import type { ActionNode, InstanceNode, InstanceRef, ResourceModel } from '../contracts/resource-model.js';
import { buildArena, type Arena } from '../suites/actions/arena.js';
import { cloneState, type ArenaState, type Item } from '../suites/actions/arena-state.js';
import { expectedAfter } from '../suites/actions/expected-outcome.js';
import { actionReach, predict, scopeOf, type Prediction } from '../suites/actions/prediction.js';
import { compareStates, resourceLookup } from '../suites/actions/state-comparison.js';
import type { ActionInvocation } from '../suites/actions/invocation.js';
import { restoreState } from '../suites/actions/restore-ledger.js';
import { independentLanes } from '../suites/actions/restore-planner.js';
import { wholeArenaOnce } from '../suites/checks/act-isolation.js';
import type { Discovery } from '../suites/discovery.js';

// ------------------------------------------------------------------------------------------ the language

/** A broken x-action in a copy of the shipped contract, and what the loader must say. */
interface BrokenEffect {
  name: string;
  edit: (yaml: string) => string;
  pointer: RegExp;
  message: RegExp;
}

const brokenEffects: BrokenEffect[] = [
  {
    name: 'a create in a path that is no collection',
    edit: (yaml) => yaml.replace("- '/coreServers/{coreServerId}/queues/{queueId}/agents'", "- '/coreServers/{coreServerId}/queues/{queueId}/agentz'"),
    pointer: /~1login\/post\/x-action\/effects\/0\/create\/in\/0$/,
    message: /must be the path template of a collection/,
  },
  {
    name: 'a bind to a body reference that is not declared',
    edit: (yaml) => yaml.replace("bind: { extensionId: extension } }\n              values:", "bind: { extensionId: extensions } }\n              values:"),
    pointer: /~1login\/post\/x-action\/effects\/0\/create\/in\/1\/bind\/extensionId$/,
    message: /"extensions" must be declared in bodyRefs/,
  },
  {
    name: 'a value for a property the resource does not have',
    edit: (yaml) => yaml.replace('paused: { const: true } } }', 'pausd: { const: true } } }'),
    pointer: /\/post\/x-action\/effects\/0\/set\/values\/pausd$/,
    message: /"pausd" must be a property/,
  },
  {
    name: 'a value from a body property the request does not have',
    edit: (yaml) => yaml.replace('penalty: { from: penalty, ifPresent: true }', 'penalty: { from: level, ifPresent: true }'),
    pointer: /\/post\/x-action\/effects\/0\/set\/values\/penalty\/from$/,
    message: /"level" must be a property of the action's request body/,
  },
  {
    name: 'a created instance in a collection whose parameter nothing binds',
    edit: (yaml) => yaml.replace("- { path: '/coreServers/{coreServerId}/extensions/{extensionId}/agents', bind: { extensionId: extension } }\n              values:", "- '/coreServers/{coreServerId}/extensions/{extensionId}/agents'\n              values:"),
    pointer: /~1login\/post\/x-action\/effects\/0\/create\/in\/1$/,
    message: /\{extensionId\} of .* must be bound/,
  },
  {
    name: 'an effect of an unknown kind (the schema)',
    edit: (yaml) => yaml.replace('      - set: { target: self, values: { paused: { const: true } } }', '      - explode: { target: self }'),
    pointer: /\/post\/x-action\/effects\/0$/,
    message: /^.*x-action must/,
  },
  {
    name: 'a set on a sub-resource the instance does not have',
    edit: (yaml) => yaml.replace('      - set: { target: self, values: { dnd: { const: true, ifPresent: true } } }', '      - set: { target: mood, values: { dnd: { const: true } } }'),
    pointer: /~1dnd~1enable\/post\/x-action\/effects\/0\/set\/target$/,
    message: /"mood" must be self or a sub-resource/,
  },
];

describe('x-action effects in a contract', () => {
  test('the shipped contract gives every action its effect, its body references and its conflicts', async () => {
    const { model } = await loadContract();
    const byName = (name: string) => model.actions.find((action) => action.definition.name === name)!;
    for (const action of model.actions) expect(action.effects.effects.length, action.template).toBeGreaterThan(0);
    const login = byName('queueLogin').effects;
    expect(login.bodyRefs.extension).toMatchObject({ property: 'extension', unknown: 'notFound', collection: { template: '/coreServers/{coreServerId}/extensions' } });
    expect(login.effects[0]).toMatchObject({ kind: 'create', transient: false, values: { dynamic: { kind: 'const', value: true }, paused: { kind: 'from', property: 'paused', default: false } } });
    expect(login.effects[0].kind === 'create' && login.effects[0].in.map((ref) => ref.bind)).toEqual([{}, { extensionId: 'extension' }]);
    expect(login.conflicts.map((c) => c.kind)).toEqual(['exists']);
    expect(byName('transfer').effects.onlyOnCreated).toBe(true);
    expect(byName('setStatus').effects.effects[0]).toMatchObject({ kind: 'set', target: { kind: 'self' } });
    expect(byName('setStatus').owner.kind).toBe('singleton');
  });

  test.each(brokenEffects)('$name is refused with its pointer', async ({ edit, pointer, message }) => {
    const shipped = await readFile(defaultContractPath, 'utf8');
    const broken = edit(shipped);
    expect(broken, 'the edit must change the contract').not.toBe(shipped);
    const file = join(await mkdtemp(join(tmpdir(), 'isym-effects-')), 'contract.yaml');
    await writeFile(file, broken);
    const error = await loadContract(file).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).code).toBe('CONTRACT_EXTENSION_INVALID');
    expect((error as ContractError).pointer).toMatch(pointer);
    expect((error as ContractError).message).toMatch(message);
  });
});

// ------------------------------------------------------------------------------------------ the model

const cs: InstanceRef = { id: 'c1', name: 'main' };
const q1: InstanceRef = { id: 'q1', name: 'sales' };
const q2: InstanceRef = { id: 'q2', name: 'support' };
const e1: InstanceRef = { id: 'e1', name: '101' };
const e2: InstanceRef = { id: 'e2', name: '102' };
const u1: InstanceRef = { id: 'u1', name: 'ann' };

/** A discovery of one core server with two queues, two extensions and a user. */
function smallDiscovery(model: ResourceModel): Discovery {
  const node = (template: string) => model.instances.find((n) => n.template === template)!;
  const found = new Map<InstanceNode, InstanceRef[][]>([
    [node('/coreServers/{coreServerId}'), [[cs]]],
    [node('/coreServers/{coreServerId}/queues/{queueId}'), [[cs, q1], [cs, q2]]],
    [node('/coreServers/{coreServerId}/extensions/{extensionId}'), [[cs, e1], [cs, e2]]],
    [node('/coreServers/{coreServerId}/users/{userId}'), [[cs, u1]]],
  ]);
  const instances = [...found].flatMap(([n, all]) => all.map((refs) => ({ node: n, refs, listed: {}, collectionPath: '' })));
  return { instances, listings: [], reads: [], problems: [], reach: [], summary: () => `${instances.length} instances`, of: (n) => instances.filter((i) => i.node === n) };
}

const agent = (id: string, paused: boolean, penalty: number, dynamic: boolean): Item => ({ id, paused, penalty, dynamic, state: 'NOT_INUSE', name: id });
const extension = (ref: InstanceRef, dnd: boolean): Item => ({ id: ref.id, extensionNumber: ref.name, displayName: `x${ref.name}`, configurationId: `k${ref.id}`, permissionId: 'p', dnd });

/** a1: extension 101's dynamic agent in sales (paused, penalty 1); a2: extension 102's static agent in sales. */
function smallState(): ArenaState {
  const members = (...items: Item[]) => new Map(items.map((item) => [String(item.id), item]));
  return {
    collections: new Map([
      ['/coreServers/c1/queues', members({ id: 'q1', identifier: 'sales' }, { id: 'q2', identifier: 'support' })],
      ['/coreServers/c1/extensions', members(extension(e1, false), extension(e2, false))],
      ['/coreServers/c1/users', members({ id: 'u1', userName: 'ann' })],
      ['/coreServers/c1/queues/q1/agents', members(agent('a1', true, 1, true), agent('a2', false, 0, false))],
      ['/coreServers/c1/queues/q2/agents', members()],
      ['/coreServers/c1/extensions/e1/agents', members(agent('a1', true, 1, true))],
      ['/coreServers/c1/extensions/e2/agents', members(agent('a2', false, 0, false))],
    ]),
    singletons: new Map([['/coreServers/c1/users/u1/status', { id: 's1', name: 'Lunch', type: 'away', note: '', returnTime: -1, configurationId: '2', userCreated: false }]]),
  };
}

describe('the effect model, on a small arena', () => {
  let model: ResourceModel;
  let arena: Arena;
  const action = (name: string, under = 'queues'): ActionNode =>
    model.actions.find((a) => a.definition.name === name && (a.template.includes(`/${under}/`) || !a.template.includes('/agents/')))!;
  const post = (name: string, refs: InstanceRef[], body?: unknown, under?: string): ActionInvocation => {
    const node = action(name, under);
    return { action: node, refs, forms: refs.map(() => 'uuid'), body: body === undefined ? undefined : { kind: 'json', value: body } };
  };
  const status = (prediction: Prediction) => `${prediction.status} ${prediction.reason}`;

  beforeAll(async () => {
    model = (await loadContract()).model;
    arena = buildArena(model, smallDiscovery(model), { seed: 1 });
  });

  test('the arena watches what the effects name, and the properties actions write', () => {
    expect(arena.collections.map((c) => c.path).sort()).toEqual([...smallState().collections.keys()].sort());
    expect(arena.singletons.map((s) => s.path)).toEqual(['/coreServers/c1/users/u1/status']);
    expect([...arena.controlled.get('Agent')!].sort()).toEqual(['dynamic', 'paused', 'penalty']);
    expect([...arena.controlled.get('Status')!].sort()).toEqual(['name', 'note', 'returnTime', 'type']);
  });

  test('statuses: 204, 404 for an unknown name or instance, 409 for a conflict, 412 for a bad body', () => {
    const state = smallState();
    expect(status(predict(arena, state, post('queueLogin', [cs, q2], { extension: '101' })))).toMatch(/^204/);
    expect(status(predict(arena, state, post('queueLogin', [cs, q1], { extension: '101' })))).toMatch(/^409 .*already listed/);
    expect(status(predict(arena, state, post('queueLogin', [cs, q2], { extension: '999' })))).toMatch(/^404 .*"extension" names no Extension/);
    expect(status(predict(arena, state, post('queueLogin', [cs, q2], {})))).toMatch(/^412 .*required property 'extension'/);
    expect(status(predict(arena, state, post('queueLogin', [cs, q2], { extension: '101', penalty: -1 })))).toMatch(/^412/);
    expect(status(predict(arena, state, post('queueLogin', [cs, q2], { extension: '101', paused: null })))).toMatch(/^412/);
    expect(status(predict(arena, state, post('queueLogout', [cs, q2], { extension: '101' })))).toMatch(/^409 .*no instance is listed/);
    expect(status(predict(arena, state, post('queueLogout', [cs, q1], { extension: '102' })))).toMatch(/^409 .*dynamic = false/);
    expect(status(predict(arena, state, post('agentLogout', [cs, q1, { id: 'a2' }])))).toMatch(/^409/);
    expect(status(predict(arena, state, post('pause', [cs, q1, { id: 'gone' }])))).toMatch(/^404/);
    expect(status(predict(arena, state, { ...post('pause', [cs, q1, { id: 'a1' }]), body: { kind: 'text', text: '{oops' } }))).toMatch(/^412 the body is not JSON/);
    expect(status(predict(arena, state, { ...post('pause', [cs, q1, { id: 'a1' }]), body: { kind: 'json', value: [1, 2] } }))).toMatch(/^204/);
    expect(status(predict(arena, state, post('setStatus', [cs, u1], { name: 'x', note: '', returnTime: -1 })))).toMatch(/^412/);
  });

  test('a queue login creates a dynamic agent in both collections, with the body values or the defaults', () => {
    const prediction = predict(arena, smallState(), post('queueLogin', [cs, q2], { extension: '101', penalty: 3 }));
    expect(prediction.creates).toHaveLength(1);
    expect(prediction.creates[0].collections.map((c) => c.path)).toEqual(['/coreServers/c1/queues/q2/agents', '/coreServers/c1/extensions/e1/agents']);
    expect(prediction.creates[0].values).toEqual({ dynamic: { value: true, ifPresent: false }, paused: { value: false, ifPresent: false }, penalty: { value: 3, ifPresent: true } });
  });

  test('the comparison tells the effect missing on the target from a change to a bystander', () => {
    const before = smallState();
    const prediction = predict(arena, before, post('unpause', [cs, q1, { id: 'a1' }]));
    const lookup = resourceLookup(arena);
    const right = cloneState(before);
    for (const path of ['/coreServers/c1/queues/q1/agents', '/coreServers/c1/extensions/e1/agents']) right.collections.get(path)!.get('a1')!.paused = false;
    const outcome = expectedAfter(before, prediction, right);
    expect(compareStates(arena, outcome.state, right, outcome, lookup)).toEqual([]);

    const halfDone = cloneState(before);
    halfDone.collections.get('/coreServers/c1/queues/q1/agents')!.get('a1')!.paused = false;
    expect(compareStates(arena, outcome.state, halfDone, outcome, lookup)).toEqual([
      { path: '/coreServers/c1/extensions/e1/agents', id: 'a1', kind: 'value', property: 'paused', expected: false, actual: true, onTarget: true },
    ]);

    const spilled = cloneState(right);
    spilled.collections.get('/coreServers/c1/queues/q1/agents')!.get('a2')!.paused = true;
    spilled.collections.get('/coreServers/c1/extensions/e1/agents')!.get('a1')!.state = 'BUSY';
    expect(compareStates(arena, outcome.state, spilled, outcome, lookup)).toEqual([
      { path: '/coreServers/c1/queues/q1/agents', id: 'a2', kind: 'value', property: 'paused', expected: false, actual: true, onTarget: false },
    ]);
  });

  test('a created instance is learned from the listings after, and missing when none appears in all its collections', () => {
    const before = smallState();
    const prediction = predict(arena, before, post('queueLogin', [cs, q2], { extension: '102' }));
    const after = cloneState(before);
    after.collections.get('/coreServers/c1/queues/q2/agents')!.set('n1', agent('n1', false, 0, true));
    expect(expectedAfter(before, prediction, after).createdIds).toEqual([undefined]);
    after.collections.get('/coreServers/c1/extensions/e2/agents')!.set('n1', agent('n1', false, 0, true));
    const outcome = expectedAfter(before, prediction, after);
    expect(outcome.createdIds).toEqual(['n1']);
    expect(compareStates(arena, outcome.state, after, outcome, resourceLookup(arena))).toEqual([]);
  });

  test('creates are matched to new instances by a consistent assignment, whatever order the target lists them in', () => {
    // An originate from extension 101 to its own number: the caller's segment (no value claimed) and the called
    // side's (incoming: true) both appear in the same two lists.
    const calls = (path: string) => ({ kind: 'collection', path, node: {}, parentRefs: [], transient: true }) as never;
    const mine = [calls('/coreServers/c1/extensions/e1/callSegments'), calls('/coreServers/c1/callSegments')];
    const prediction: Prediction = {
      status: 204, reason: 'the action is possible', owner: { kind: 'instance', id: 'e1', collection: calls('/coreServers/c1/extensions'), resource: {} as never },
      sets: [], removes: [],
      creates: [
        { resource: {} as never, collections: mine, values: {}, transient: true },
        { resource: {} as never, collections: mine, values: { incoming: { value: true, ifPresent: false } }, transient: true },
      ],
    };
    const before: ArenaState = { collections: new Map(mine.map((c: { path: string }) => [c.path, new Map<string, Item>()])), singletons: new Map() };
    const segment = (id: string, incoming: boolean): Item => ({ id, type: 'EXTERNAL', incoming });
    for (const order of [['s-out', 's-in'], ['s-in', 's-out']]) {
      const after: ArenaState = {
        collections: new Map(mine.map((c: { path: string }) => [c.path, new Map(order.map((id) => [id, segment(id, id === 's-in')] as [string, Item]))])),
        singletons: new Map(),
      };
      expect(expectedAfter(before, prediction, after).createdIds, order.join(', ')).toEqual(['s-out', 's-in']);
    }
  });

  test('a restore round sends steps on different owners together, and the steps on one owner in their planned order', async () => {
    const original = smallState();
    let server = cloneState(original);
    server.collections.get('/coreServers/c1/extensions')!.get('e1')!.dnd = true;
    server.singletons.get('/coreServers/c1/users/u1/status')!.note = 'changed';
    // a1 (paused, penalty 1) unpaused with penalty 5: two writes on one agent; a2's penalty on another.
    for (const path of ['/coreServers/c1/queues/q1/agents', '/coreServers/c1/extensions/e1/agents']) Object.assign(server.collections.get(path)!.get('a1')!, { paused: false, penalty: 5 });
    for (const path of ['/coreServers/c1/queues/q1/agents', '/coreServers/c1/extensions/e2/agents']) server.collections.get(path)!.get('a2')!.penalty = 3;
    const events: string[] = [];
    const driver = {
      arena,
      observe: async () => cloneState(server),
      act: async (invocation: ActionInvocation) => {
        const step = `${invocation.action.definition.name} ${invocation.refs.at(-1)!.id}`;
        events.push(`start ${step}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`end ${step}`);
        const prediction = predict(arena, server, invocation);
        const next = cloneState(server);
        for (const set of prediction.sets) {
          const values = Object.fromEntries(Object.entries(set.values).map(([k, v]) => [k, v.value]));
          if (set.target.kind === 'singleton') Object.assign(next.singletons.get(set.target.singleton.path)!, values);
          else for (const members of next.collections.values()) if (members.has(set.target.id)) Object.assign(members.get(set.target.id)!, values);
        }
        server = next;
        return { status: prediction.status } as never;
      },
    };
    const outcome = await restoreState(driver, { collections: arena.collections, singletons: arena.singletons }, original);
    expect(outcome.notRestored).toEqual([]);
    expect(server).toEqual(original);
    const starts = events.filter((event) => event.startsWith('start')).map((event) => event.slice('start '.length));
    expect([...starts].sort()).toEqual(['dndDisable e1', 'pause a1', 'penalty a1', 'penalty a2', 'setStatus u1']);
    // Before any step ended, one step of each owner was in flight (a1's first only).
    const firstEnd = events.findIndex((event) => event.startsWith('end'));
    expect(events.slice(0, firstEnd).sort()).toEqual(['start dndDisable e1', 'start pause a1', 'start penalty a2', 'start setStatus u1']);
    // a1's second write waited for its first, in the planned order.
    expect(events.indexOf('start penalty a1')).toBeGreaterThan(events.indexOf('end pause a1'));
    // One round: everything was sent before the one look that found nothing left.
    expect(outcome.exchanges).toHaveLength(5);
  });

  test('the lanes of a round: steps that share an instance or change the members of one collection stay together, in order', () => {
    const names = (lanes: ActionInvocation[][]) => lanes.map((lane) => lane.map((step) => `${step.action.definition.name} ${step.refs.at(-1)!.id}`));
    const plan = [
      post('pause', [cs, q1, { id: 'a1' }]),
      post('dndDisable', [cs, e2]),
      post('queueLogin', [cs, q2], { extension: '101' }), // creates in q2's and e1's agents
      post('agentLogout', [cs, q1, { id: 'a1' }]), // a1 again, and e1's agents again
      post('setStatus', [cs, u1], { name: 'Lunch', type: 'away', note: '', returnTime: -1 }),
    ];
    expect(names(independentLanes(arena, smallState(), plan))).toEqual([['pause a1', 'queueLogin q2', 'agentLogout a1'], ['dndDisable e2'], ['setStatus u1']]);
  });

  test("an action's reach: what it names and the listings of what it acts on, not the rest of the arena", () => {
    const state = smallState();
    const reachOf = (invocation: ActionInvocation) => actionReach(state, invocation, predict(arena, state, invocation), scopeOf(arena, state, invocation)).sort();
    // A pause on a1 under its queue shows in its extension's agents too (and the queues list the queue it is posted
    // under); the other queue's and extension's agents, the extensions and the status stay fresh.
    expect(reachOf(post('pause', [cs, q1, { id: 'a1' }]))).toEqual(['/coreServers/c1/extensions/e1/agents', '/coreServers/c1/queues', '/coreServers/c1/queues/q1/agents']);
    // A login creates in the queue's and the extension's agents, and reads the extensions for the name.
    expect(reachOf(post('queueLogin', [cs, q2], { extension: '102' }))).toEqual([
      '/coreServers/c1/extensions', '/coreServers/c1/extensions/e2/agents', '/coreServers/c1/queues', '/coreServers/c1/queues/q2/agents',
    ]);
    expect(reachOf(post('setStatus', [cs, u1], { name: 'Lunch', type: 'away', note: '', returnTime: -1 }))).toEqual(['/coreServers/c1/users', '/coreServers/c1/users/u1/status']);
  });

  /**
   * The small state changed: e1's dnd on, u1's status note written, a1 logged out of sales, a9 (extension 102) logged
   * into support; and a correct server in memory that answers what the model predicts and mints ids for what it creates.
   */
  function changedServer() {
    const memory = { state: cloneState(smallState()) };
    memory.state.collections.get('/coreServers/c1/extensions')!.get('e1')!.dnd = true;
    memory.state.singletons.get('/coreServers/c1/users/u1/status')!.note = 'changed';
    for (const path of ['/coreServers/c1/queues/q1/agents', '/coreServers/c1/extensions/e1/agents']) memory.state.collections.get(path)!.delete('a1');
    const a9 = agent('a9', false, 0, true);
    memory.state.collections.get('/coreServers/c1/queues/q2/agents')!.set('a9', a9);
    memory.state.collections.get('/coreServers/c1/extensions/e2/agents')!.set('a9', a9);
    let minted = 0;
    const sent: string[] = [];
    const driver = {
      arena,
      observe: async () => cloneState(memory.state),
      act: async (invocation: ActionInvocation) => {
        const server = memory.state;
        sent.push(`${invocation.action.definition.name} ${JSON.stringify(invocation.body?.kind === 'json' ? invocation.body.value : null)}`);
        const prediction = predict(arena, server, invocation);
        const next = cloneState(server);
        for (const remove of prediction.removes) for (const members of next.collections.values()) members.delete(remove.id);
        for (const set of prediction.sets) {
          const values = Object.fromEntries(Object.entries(set.values).map(([k, v]) => [k, v.value]));
          if (set.target.kind === 'singleton') Object.assign(next.singletons.get(set.target.singleton.path)!, values);
          else for (const members of next.collections.values()) if (members.has(set.target.id)) Object.assign(members.get(set.target.id)!, values);
        }
        for (const create of prediction.creates) {
          const id = `new${++minted}`;
          const values = Object.fromEntries(Object.entries(create.values).map(([k, v]) => [k, v.value]));
          for (const c of create.collections) next.collections.get(c.path)!.set(id, { id, state: 'NOT_INUSE', name: id, ...values });
        }
        memory.state = next;
        return { status: prediction.status } as never;
      },
    };
    return { memory, sent, driver };
  }

  test('restoring plans actions from the effects: re-create the gone, remove the new, write back the values', async () => {
    const original = smallState();
    const { memory, sent, driver } = changedServer();
    const outcome = await restoreState(driver, { collections: arena.collections, singletons: arena.singletons }, original);
    const server = memory.state;
    expect(outcome.notRestored).toEqual([]);
    expect(sent.sort()).toEqual(
      [
        'agentLogout null',
        'dndDisable null',
        'queueLogin {"extension":"101","paused":true,"penalty":1}',
        'setStatus {"name":"Lunch","type":"away","note":"","returnTime":-1}',
      ].sort(),
    );
    expect([...server.collections.get('/coreServers/c1/queues/q1/agents')!.values()].map((a) => [a.paused, a.penalty, a.dynamic])).toEqual([
      [false, 0, false],
      [true, 1, true],
    ]);
  });

  test('agents come and go on their own: a restore logs out and logs back in only the agents the checker moved', async () => {
    // The checker logged a1 out (claimed); a9 logged in at its phone meanwhile (not claimed): a9 stays, a1 comes back.
    const { memory, sent, driver } = changedServer();
    const outcome = await restoreState(driver, { collections: arena.collections, singletons: arena.singletons }, smallState(), { claimed: new Set(['a1']) });
    expect(outcome.notRestored).toEqual([]);
    expect(sent.sort()).toEqual(['dndDisable null', 'queueLogin {"extension":"101","paused":true,"penalty":1}', 'setStatus {"name":"Lunch","type":"away","note":"","returnTime":-1}'].sort());
    expect([...memory.state.collections.get('/coreServers/c1/queues/q2/agents')!.keys()]).toEqual(['a9']);

    // The checker logged a9 in (claimed); a1 logged out at its phone (not claimed): a9 is logged out, a1 stays out.
    const second = changedServer();
    await restoreState(second.driver, { collections: arena.collections, singletons: arena.singletons }, smallState(), { claimed: new Set(['a9']) });
    expect(second.sent.sort()).toEqual(['agentLogout null', 'dndDisable null', 'setStatus {"name":"Lunch","type":"away","note":"","returnTime":-1}'].sort());
    expect([...second.memory.state.collections.get('/coreServers/c1/queues/q1/agents')!.keys()]).toEqual(['a2']);
  });

  test('a restore step the target keeps refusing is named with the answer it got', async () => {
    // A server that refuses to write back the status (412: LIVE-API.md §5 lets it refuse an empty note, say).
    const { driver } = changedServer();
    const refusing = { ...driver, act: async (invocation: ActionInvocation) => (invocation.action.definition.name === 'setStatus' ? ({ status: 412 } as never) : driver.act(invocation)) };
    const outcome = await restoreState(refusing, { collections: arena.collections, singletons: arena.singletons }, smallState());
    expect(outcome.notRestored).toEqual(['setStatus on main/ann is still needed (sent, it answered 412)']);
  });

  test("ACT-ISOLATION's look reads each agent once: an extension's agents are left out where its queues' lists, read, hold them all", () => {
    const agentLists = (state: ArenaState) =>
      wholeArenaOnce(arena, state)
        .collections.map((collection) => collection.path)
        .filter((path) => path.endsWith('/agents'))
        .sort();
    // q1 lists a1 and a2, so e1's and e2's lists add nothing; q2 is empty and stays (what joins it must show).
    expect(agentLists(smallState())).toEqual(['/coreServers/c1/queues/q1/agents', '/coreServers/c1/queues/q2/agents']);
    // a3 is listed under e2 only (an agent of a queue the live API does not show): e2's list is read again.
    const state = smallState();
    state.collections.get('/coreServers/c1/extensions/e2/agents')!.set('a3', agent('a3', false, 0, true));
    expect(agentLists(state)).toEqual(['/coreServers/c1/extensions/e2/agents', '/coreServers/c1/queues/q1/agents', '/coreServers/c1/queues/q2/agents']);
  });
});

