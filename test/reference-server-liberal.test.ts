/**
 * The liberal reference server takes every freedom of LIVE-API.md §5 the other way from the default one. Each
 * test shows one freedom: the liberal server takes it, the default server does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnMembership } from './reference-server/churn.js';
import { Random } from './reference-server/data-set.js';
import {
  DEFAULT_LATITUDE, LIBERAL_LATITUDE, startReferenceServer, type ReferenceServerOptions, type RunningReferenceServer,
} from './reference-server/index.js';
import { AUTH, client, type Client, type Json } from './support/reference-client.js';

const CS = 'coreServers/getByName/main';


/** A default and a liberal server, side by side; `liberalOptions` apply to the liberal one only. */
function bothServers(liberalOptions: ReferenceServerOptions = {}) {
  const servers = {} as { plain: Client; liberal: Client; plainServer: RunningReferenceServer; liberalServer: RunningReferenceServer };
  beforeAll(async () => {
    servers.plainServer = await startReferenceServer();
    servers.liberalServer = await startReferenceServer({ ...liberalOptions, liberal: true });
    servers.plain = client(servers.plainServer);
    servers.liberal = client(servers.liberalServer);
  });
  afterAll(async () => {
    await servers.plainServer.stop();
    await servers.liberalServer.stop();
  });
  return servers;
}

/** The new members of a collection, compared by id with an earlier read. */
const added = (now: Json[], before: Json[]) => now.filter((x) => !before.some((y) => y.id === x.id));

/** Every object in a JSON value, nested ones included. */
function objectsIn(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  if (value !== null && typeof value === 'object') return [value as Record<string, unknown>, ...Object.values(value).flatMap(objectsIn)];
  return [];
}

describe('latitude settings', () => {
  it('the liberal server takes every freedom the default does not', () => {
    for (const key of Object.keys(DEFAULT_LATITUDE) as (keyof typeof DEFAULT_LATITUDE)[]) {
      expect(LIBERAL_LATITUDE[key], key).not.toEqual(DEFAULT_LATITUDE[key]);
    }
  });
});

describe('liberal reference server', () => {
  const s = bothServers({ callLifetimeMs: null });

  it('lists collections in a fresh order on every read, with the same members (§5 collection order)', async () => {
    const orders = async (api: Client) => {
      const seen = new Set<string>();
      let members: string | undefined;
      for (let i = 0; i < 8; i += 1) {
        const ids = ((await api.read(`${CS}/extensions`)) as Json[]).map((e) => e.id);
        seen.add(ids.join());
        members ??= [...ids].sort().join();
        expect([...ids].sort().join()).toBe(members);
      }
      return seen.size;
    };
    expect(await orders(s.plain)).toBe(1);
    expect(await orders(s.liberal)).toBeGreaterThan(1);
  });

  it('adds unlisted properties to every object, nested ones, list items and sub-resources (§5 extra properties)', async () => {
    const paths = async (api: Client) => {
      const queue = (await api.read(`${CS}/queues`))[0];
      const agent = (await api.read(`${CS}/queues/${queue.id}/agents`))[0];
      return [
        'coreServers', `${CS}/extensions`, `${CS}/extensions/getByName/101`, `${CS}/callSegments`,
        `${CS}/users/getByName/john%20doe/status`, `${CS}/users/getByName/john%20doe/logins`,
        `${CS}/queues/${queue.id}/agents/${agent.id}/statistics`, `${CS}/queues/${queue.id}/agents/${agent.id}/extension`,
      ];
    };
    for (const path of await paths(s.liberal)) {
      const objects = objectsIn(await s.liberal.read(path)).filter((o) => !('build' in o) && !('node' in o));
      expect(objects.length, path).toBeGreaterThan(0);
      for (const o of objects) expect(o, path).toHaveProperty('x-vendor');
    }
    for (const path of await paths(s.plain)) {
      for (const o of objectsIn(await s.plain.read(path))) expect(o, path).not.toHaveProperty('x-vendor');
    }
    // Nested: a segment's callerId.
    const segment = (await s.liberal.read(`${CS}/callSegments`))[0];
    expect(segment.callerId).toHaveProperty('x-vendor-note', null);
  });

  it('leaves out the optional dnd and penalty (§4 optional properties)', async () => {
    expect(await s.plain.read(`${CS}/extensions/getByName/101`)).toHaveProperty('dnd');
    expect(await s.liberal.read(`${CS}/extensions/getByName/101`)).not.toHaveProperty('dnd');
    const agentsOf = async (api: Client) => api.read(`${CS}/queues/getByName/sales/agents`) as Promise<Json[]>;
    for (const a of await agentsOf(s.plain)) expect(a).toHaveProperty('penalty');
    for (const a of await agentsOf(s.liberal)) expect(a).not.toHaveProperty('penalty');
  });

  it('sends application/json without charset on every 200 (§5 JSON media type)', async () => {
    for (const path of ['coreServers', `${CS}/queues`, `${CS}/users/getByName/john%20doe/status`]) {
      expect((await s.plain.request('GET', path)).headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect((await s.liberal.request('GET', path)).headers.get('content-type')).toBe('application/json');
    }
  });

  it('answers missing credentials with 403 and no challenge (§5 missing credentials)', async () => {
    const plain = await s.plain.request('GET', 'coreServers', undefined, {});
    expect(plain.status).toBe(401);
    expect(plain.headers.get('www-authenticate')).toMatch(/^Basic /);
    const liberal = await s.liberal.request('GET', 'coreServers', undefined, {});
    expect(liberal.status).toBe(403);
    expect(liberal.headers.get('www-authenticate')).toBeNull();
    const wrong = { Authorization: `Basic ${Buffer.from('manager:nope').toString('base64')}` };
    expect((await s.liberal.request('GET', 'coreServers', undefined, wrong)).status).toBe(403);
  });

  it('sends error statuses with no body, and 405 without Allow (§5 error responses)', async () => {
    const cases: Array<[string, string, unknown, number]> = [
      ['GET', `${CS}/extensions/getByName/999`, undefined, 404],
      ['POST', `${CS}/extensions`, undefined, 405],
      ['GET', `${CS}/extensions/getByName/101/dnd/enable`, undefined, 405],
      ['POST', `${CS}/queues/getByName/sales/login`, 'not json', 412],
    ];
    for (const [method, path, body, status] of cases) {
      const plain = await s.plain.request(method, path, body);
      const liberal = await s.liberal.request(method, path, body);
      expect([plain.status, liberal.status], path).toEqual([status, status]);
      expect(plain.text, path).not.toBe('');
      expect(liberal.text, path).toBe('');
      expect(liberal.headers.get('content-type'), path).toBeNull();
      if (status === 405) {
        expect(plain.headers.get('allow'), path).not.toBeNull();
        expect(liberal.headers.get('allow'), path).toBeNull();
      }
    }
    // 409: a static agent cannot be logged out.
    const staticAgent = ((await s.liberal.read(`${CS}/queues/getByName/sales/agents`)) as Json[]).find((a) => !a.dynamic);
    const conflict = await s.liberal.post(`${CS}/queues/getByName/sales/agents/${staticAgent.id}/logout`);
    expect([conflict.status, conflict.text]).toEqual([409, '']);
  });

  it('types the segments of an originate the other way, with other callerIds (§5 originate)', async () => {
    const originated = async (api: Client, destination: string) => {
      const [from, to] = [await api.read(`${CS}/extensions/getByName/101/callSegments`), await api.read(`${CS}/extensions/getByName/106/callSegments`)];
      expect((await api.post(`${CS}/extensions/getByName/101/originate`, { destination })).status).toBe(204);
      return {
        caller: added(await api.read(`${CS}/extensions/getByName/101/callSegments`), from),
        callee: added(await api.read(`${CS}/extensions/getByName/106/callSegments`), to),
      };
    };
    const plainInternal = await originated(s.plain, '106');
    const liberalInternal = await originated(s.liberal, '106');
    expect(plainInternal.caller).toMatchObject([{ type: 'INTERNAL', incoming: false, callerId: { number: '106' } }]);
    expect(plainInternal.callee).toMatchObject([{ type: 'INTERNAL', incoming: true, callerId: { number: '101' } }]);
    expect(liberalInternal.caller).toMatchObject([{ type: 'EXTERNAL', incoming: false, callerId: { number: '101' } }]);
    expect(liberalInternal.callee).toMatchObject([{ type: 'EXTERNAL', incoming: true, callerId: { number: '106' } }]);
    // Listed among the core server's calls too.
    const all: Json[] = await s.liberal.read(`${CS}/callSegments`);
    expect(all.some((x) => x.id === liberalInternal.caller[0].id) && all.some((x) => x.id === liberalInternal.callee[0].id)).toBe(true);

    const plainOut = await originated(s.plain, '5550000');
    const liberalOut = await originated(s.liberal, '5550000');
    expect(plainOut.caller).toMatchObject([{ type: 'EXTERNAL', callerId: { number: '5550000' } }]);
    expect(liberalOut.caller).toMatchObject([{ type: 'INTERNAL', callerId: { number: '101' } }]);
    expect([plainOut.callee, liberalOut.callee]).toEqual([[], []]);
  });

  it('refuses values with no written range with 412; the default stores them (§5 values with no written range)', async () => {
    const origin = `${CS}/extensions/getByName/103/originate`;
    for (const destination of ['', 'not a number']) {
      expect((await s.plain.post(origin, { destination })).status, destination).toBe(204);
      expect((await s.liberal.post(origin, { destination })).status, destination).toBe(412);
    }
    expect((await s.liberal.post(origin, { destination: '+1555*12#' })).status).toBe(204);
    // transfer, on a call the server made itself.
    const segment = ((await s.liberal.read(`${CS}/extensions/getByName/103/callSegments`)) as Json[]).at(-1);
    expect((await s.liberal.post(`${CS}/callSegments/${segment.id}/transfer`, { destination: '' })).status).toBe(412);
    const plainSegment = ((await s.plain.read(`${CS}/extensions/getByName/103/callSegments`)) as Json[]).at(-1);
    expect((await s.plain.post(`${CS}/callSegments/${plainSegment.id}/transfer`, { destination: '' })).status).toBe(204);

    const user = `${CS}/users/getByName/zo%C3%AB`;
    const good = { name: 'Out', type: 'away', note: 'back soon', returnTime: -1 };
    for (const unranged of [{ ...good, returnTime: -2 }, { ...good, name: '' }, { ...good, note: '' }]) {
      expect((await s.liberal.post(`${user}/status/set`, unranged)).status).toBe(412);
      expect((await s.plain.post(`${user}/status/set`, unranged)).status).toBe(204);
      expect(await s.plain.read(`${user}/status`)).toMatchObject(unranged);
    }
    // The written ranges hold on both.
    for (const api of [s.plain, s.liberal]) {
      expect((await api.post(`${user}/status/set`, { ...good, type: 'sleeping' })).status).toBe(412);
      expect((await api.post(`${CS}/queues/getByName/billing/login`, { extension: '101', penalty: -1 })).status).toBe(412);
    }
  });

  it('renews the status id, configurationId and userCreated on status/set (§5 status after status/set)', async () => {
    const user = `${CS}/users/getByName/john%20doe`;
    const next = { name: 'Meeting', type: 'dnd', note: 'until 3', returnTime: 1_700_000_000_000 };
    for (const [api, renewed] of [[s.plain, false], [s.liberal, true]] as const) {
      const before = await api.read(`${user}/status`);
      expect((await api.post(`${user}/status/set`, next)).status).toBe(204);
      const after = await api.read(`${user}/status`);
      expect(after).toMatchObject(next);
      expect(after.id !== before.id, `id renewed: ${renewed}`).toBe(renewed);
      expect(after.configurationId !== before.configurationId).toBe(renewed);
      if (renewed) expect(after.userCreated).toBe(true);
      else expect(after.userCreated).toBe(before.userCreated);
    }
  });

  it('ends the transferred segment and shows a new one at the destination (transfer)', async () => {
    for (const [api, sameId] of [[s.plain, true], [s.liberal, false]] as const) {
      const before: Json[] = await api.read(`${CS}/extensions/getByName/102/callSegments`);
      expect((await api.post(`${CS}/extensions/getByName/102/originate`, { destination: '+15550999' })).status).toBe(204);
      const [call] = added(await api.read(`${CS}/extensions/getByName/102/callSegments`), before);
      const at104: Json[] = await api.read(`${CS}/extensions/getByName/104/callSegments`);
      expect((await api.post(`${CS}/callSegments/${call.id}/transfer`, { destination: '104' })).status).toBe(204);
      expect(((await api.read(`${CS}/extensions/getByName/102/callSegments`)) as Json[]).some((x) => x.id === call.id)).toBe(false);
      const arrived = added(await api.read(`${CS}/extensions/getByName/104/callSegments`), at104);
      expect(arrived).toHaveLength(1);
      expect(arrived[0].id === call.id).toBe(sameId);
      expect((await api.request('GET', `${CS}/callSegments/${call.id}`)).status).toBe(sameId ? 200 : 404);
    }
  });
});

describe('liberal calls end by themselves (§5 calls made by an action)', () => {
  const s = bothServers({ callLifetimeMs: 300 });

  it('the calls of an originate vanish from every list after their lifetime; the default keeps them', async () => {
    expect(s.liberalServer.latitude.callLifetimeMs).toBe(300);
    expect(s.plainServer.latitude.callLifetimeMs).toBeNull();
    expect(LIBERAL_LATITUDE.callLifetimeMs).toBeGreaterThanOrEqual(2000);
    const made = async (api: Client) => {
      const [from, to] = [await api.read(`${CS}/extensions/getByName/101/callSegments`), await api.read(`${CS}/extensions/getByName/106/callSegments`)];
      expect((await api.post(`${CS}/extensions/getByName/101/originate`, { destination: '106' })).status).toBe(204);
      const ids = [
        ...added(await api.read(`${CS}/extensions/getByName/101/callSegments`), from),
        ...added(await api.read(`${CS}/extensions/getByName/106/callSegments`), to),
      ].map((x) => x.id as string);
      expect(ids).toHaveLength(2);
      return ids;
    };
    const plainIds = await made(s.plain);
    const liberalIds = await made(s.liberal);
    await new Promise((r) => setTimeout(r, 400));
    const listed = async (api: Client) => [
      ...(await api.read(`${CS}/callSegments`)), ...(await api.read(`${CS}/extensions/getByName/101/callSegments`)),
      ...(await api.read(`${CS}/extensions/getByName/106/callSegments`)),
    ].map((x: Json) => x.id);
    const liberalListed = await listed(s.liberal);
    for (const id of liberalIds) {
      expect(liberalListed).not.toContain(id);
      expect((await s.liberal.request('GET', `${CS}/callSegments/${id}`)).status).toBe(404);
    }
    const plainListed = await listed(s.plain);
    for (const id of plainIds) {
      expect(plainListed).toContain(id);
      expect((await s.plain.request('GET', `${CS}/callSegments/${id}`)).status).toBe(200);
    }
  });
});

describe('liberal churn (§5 which collections change on their own)', () => {
  it('logs agents in and out at their phones and connects clients, leaving stateFingerprint alone', async () => {
    const server = await startReferenceServer({ liberal: true, churn: { intervalMs: 5 } });
    const plain = await startReferenceServer({ churn: { intervalMs: 5 } });
    try {
      const api = client(server);
      const fingerprint = server.stateFingerprint();
      const plainFingerprint = plain.stateFingerprint();
      const agentSets = new Set<string>();
      const loginSets = new Set<string>();
      const plainAgentSets = new Set<string>();
      for (let i = 0; i < 20; i += 1) {
        await new Promise((r) => setTimeout(r, 15));
        for (const q of (await api.read(`${CS}/queues`)) as Json[]) {
          agentSets.add(`${q.identifier}:${((await api.read(`${CS}/queues/${q.id}/agents`)) as Json[]).map((a) => a.id).sort().join()}`);
        }
        for (const u of (await api.read(`${CS}/users`)) as Json[]) {
          loginSets.add(`${u.userName}:${((await api.read(`${CS}/users/${u.id}/logins`)) as Json[]).map((l) => l.id).sort().join()}`);
        }
        const cs = plain.liveState().coreServers[0];
        plainAgentSets.add(cs.queues.map((q) => q.agents.map((a) => a.id).sort().join()).join('|'));
      }
      const queues = (await api.read(`${CS}/queues`)).length;
      const users = (await api.read(`${CS}/users`)).length;
      expect(agentSets.size).toBeGreaterThan(queues);
      expect(loginSets.size).toBeGreaterThan(users);
      expect(plainAgentSets.size).toBe(1);
      expect(server.stateFingerprint()).toBe(fingerprint);
      expect(plain.stateFingerprint()).toBe(plainFingerprint);

      // A restart forgets the agents that logged in at their phones.
      server.setChurn(false);
      await server.restart();
      expect(server.liveState().coreServers.flatMap((c) => c.queues.flatMap((q) => q.agents)).some((a) => a.byPhone)).toBe(false);
      expect(server.stateFingerprint()).toBe(fingerprint);
    } finally {
      await server.stop();
      await plain.stop();
    }
  });

  it('adds only agents of extensions not yet in the queue, and removes only its own members', async () => {
    const server = await startReferenceServer({ liberal: true });
    try {
      const cs = server.liveState().coreServers[0];
      const own = () => ({
        agents: cs.queues.flatMap((q) => q.agents.filter((a) => !a.byPhone).map((a) => a.id)),
        logins: cs.users.flatMap((u) => u.logins.filter((l) => !l.byChurn).map((l) => l.id)),
      });
      const before = own();
      const rng = new Random(3);
      let phoneAgents = 0;
      for (let i = 0; i < 200; i += 1) {
        churnMembership(cs, rng);
        for (const q of cs.queues) expect(new Set(q.agents.map((a) => a.extension)).size).toBe(q.agents.length);
        phoneAgents = Math.max(phoneAgents, cs.queues.flatMap((q) => q.agents.filter((a) => a.byPhone)).length);
      }
      expect(phoneAgents).toBeGreaterThan(0);
      expect(own()).toEqual(before);
    } finally {
      await server.stop();
    }
  });
});
