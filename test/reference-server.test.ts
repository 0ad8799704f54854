import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateConfiguration } from './reference-server/data-set.js';
import { FAULTS, parseLatencyRange, startReferenceServer, type ReferenceServerOptions, type RunningReferenceServer } from './reference-server/index.js';
import { AUTH, client, type Client, type Json } from './support/reference-client.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const enc = encodeURIComponent;


async function withServer<T>(options: ReferenceServerOptions, run: (api: Client, server: RunningReferenceServer) => Promise<T>): Promise<T> {
  const server = await startReferenceServer(options);
  try {
    return await run(client(server), server);
  } finally {
    await server.stop();
  }
}

/** A dynamic agent of a queue of core server `cs` with its queue and extension number. */
function dynamicAgent(server: RunningReferenceServer, slug = 'main') {
  const cs = server.liveState().coreServers.find((c) => c.slug === slug)!;
  for (const q of cs.queues) {
    const agent = q.agents.find((a) => a.dynamic);
    if (agent) return { queue: q, agent, number: agent.extension.extensionNumber };
  }
  throw new Error('no dynamic agent');
}

describe('data set', () => {
  it('is deterministic, has the names that exercise addressing, and scales fast', () => {
    const a = generateConfiguration({ seed: 7, size: 1 });
    expect(generateConfiguration({ seed: 7, size: 1 })).toEqual(a);
    expect(generateConfiguration({ seed: 8, size: 1 })).not.toEqual(a);
    const [main, branch] = a.coreServers;
    expect([main.slug, branch.slug]).toEqual(['main', 'branch']);
    const numbers = (cs: typeof main) => cs.extensions.map((e) => e.extensionNumber);
    expect(numbers(main)).toEqual(expect.arrayContaining(['100', '107']));
    expect(numbers(branch)).toEqual(expect.arrayContaining(['100', '107']));
    const names = main.users.map((u) => u.userName);
    expect(names).toEqual(expect.arrayContaining(['john doe', 'a+b', 'zoë', 'José', '100%sure', 'getByName']));
    expect(names.some((n) => UUID.test(n))).toBe(true);
    expect(main.users.filter((u) => u.extensionNumbers.length > 1).length).toBeGreaterThanOrEqual(2);
    expect(main.users.some((u) => !u.licensed)).toBe(true);
    expect(main.queues.filter((q) => q.enabled)).toHaveLength(3);
    expect(main.queues.filter((q) => !q.enabled)).toHaveLength(1);
    const started = Date.now();
    const big = generateConfiguration({ seed: 1, size: 100 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(big.coreServers[0].extensions.length).toBeGreaterThan(700);
  });
});

describe('reference server', () => {
  let server: RunningReferenceServer;
  let api: Client;
  beforeAll(async () => {
    server = await startReferenceServer({ restartDelayMs: 200 });
    api = client(server);
  });
  afterAll(() => server.stop());

  it('serves JSON arrays and instances with both addressing forms, mixed freely', async () => {
    const list = await api.get('coreServers');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const [main, branch] = list.body;
    expect(main.slug).toBe('main');
    const byUuid = await api.read(`coreServers/${main.id}/extensions`);
    const ext = byUuid[0];
    const forms = [
      `coreServers/${main.id}/extensions/${ext.id}`,
      `coreServers/getByName/main/extensions/getByName/${ext.extensionNumber}`,
      `coreServers/getByName/main/extensions/${ext.id}`,
      `coreServers/${main.id}/extensions/getByName/${ext.extensionNumber}`,
    ];
    for (const path of forms) expect(await api.read(path)).toEqual(ext);
    // The same number on the other core server is another extension.
    const other = await api.read(`coreServers/getByName/branch/extensions/getByName/${ext.extensionNumber}`);
    expect(other.id).not.toBe(ext.id);
    expect((await api.get(`coreServers/${branch.id}/extensions/${ext.id}`)).status).toBe(404);

    // Deep mixed path: queue by name, agent by UUID, its extension and statistics.
    const agents = await api.read('coreServers/getByName/main/queues/getByName/sales/agents');
    const agent = agents[0];
    expect(await api.read(`coreServers/${main.id}/queues/getByName/sales/agents/${agent.id}`)).toEqual(agent);
    const agentExt = await api.read(`coreServers/getByName/main/queues/getByName/sales/agents/${agent.id}/extension`);
    expect(await api.read(`coreServers/getByName/main/extensions/${agentExt.id}/agents/${agent.id}`)).toEqual(agent);
    expect(typeof (await api.read(`coreServers/getByName/main/queues/getByName/sales/agents/${agent.id}/statistics`))).toBe('object');
  });

  it('reaches encoded names, and only by their decoded value', async () => {
    const users: Json[] = await api.read('coreServers/getByName/main/users');
    for (const user of users) {
      expect(await api.read(`coreServers/getByName/main/users/getByName/${enc(user.userName)}`)).toEqual(user);
    }
    expect((await api.read('coreServers/getByName/main/users/getByName/john%20doe')).userName).toBe('john doe');
    expect((await api.read('coreServers/getByName/main/users/getByName/a+b')).userName).toBe('a+b');
    expect((await api.read('coreServers/getByName/main/users/getByName/a%2Bb')).userName).toBe('a+b');
    expect((await api.read('coreServers/getByName/main/users/getByName/100%25sure')).userName).toBe('100%sure');
    expect((await api.read('coreServers/getByName/main/users/getByName/getByName')).userName).toBe('getByName');
    expect((await api.read(`coreServers/getByName/branch/queues/getByName/${enc('überlauf')}`)).identifier).toBe('überlauf');
    const uuidNamed = users.find((u) => UUID.test(u.userName))!;
    expect((await api.get(`coreServers/getByName/main/users/${uuidNamed.userName}`)).status).toBe(404);
    expect((await api.get('coreServers/getByName/main/users/getByName/100%sure')).status).toBe(404);
    expect((await api.get('coreServers/getByName/main/users/getByName/john')).status).toBe(404);
    // A user's extensions by number and by UUID.
    const johns: Json[] = await api.read('coreServers/getByName/main/users/getByName/john%20doe/extensions');
    expect(johns.length).toBeGreaterThan(1);
    expect(await api.read(`coreServers/getByName/main/users/getByName/john%20doe/extensions/getByName/${johns[1].extensionNumber}`)).toEqual(johns[1]);
  });

  it('requires HTTP Basic credentials', async () => {
    const none = await api.request('GET', 'coreServers', undefined, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="iSymphony"');
    const wrong = await api.request('GET', 'coreServers', undefined, { Authorization: `Basic ${Buffer.from('manager:nope').toString('base64')}` });
    expect(wrong.status).toBe(403);
    expect(wrong.text).not.toContain('main');
    expect((await api.request('POST', 'coreServers/getByName/main/extensions/getByName/100/dnd/enable', undefined, {})).status).toBe(401);
  });

  it('answers 404 for unknown, malformed, unlicensed and misplaced instances, and unknown paths', async () => {
    const paths = [
      `coreServers/${randomUUID()}`,
      'coreServers/not-a-uuid',
      'coreServers/getByName/nowhere/extensions',
      `coreServers/getByName/main/extensions/${randomUUID()}`,
      'coreServers/getByName/main/extensions/getByName/999',
      'coreServers/getByName/main/extensions/getByName/107', // bound only to an unlicensed user
      'coreServers/getByName/main/users/getByName/ghost', // unlicensed
      'coreServers/getByName/main/queues/getByName/archive', // disabled
      'coreServers/getByName/main/extensions/getByName/109', // only on branch
      'coreServers/getByName/main/users/getByName/a%2', // does not decode
      'coreServers/getByName/main/nothing',
      'coreServers/getByName/main/extensions/getByName',
      'coreServers/getByName/main/extensions/',
      'somewhere',
    ];
    for (const path of paths) expect((await api.get(path)).status, path).toBe(404);
    // An extension not bound to the user, under that user.
    expect((await api.get('coreServers/getByName/main/users/getByName/a+b/extensions/getByName/100')).status).toBe(404);
    // An agent under a queue it does not belong to.
    const sales: Json[] = await api.read('coreServers/getByName/main/queues/getByName/sales/agents');
    const billing: Json[] = await api.read('coreServers/getByName/main/queues/getByName/billing/agents');
    const foreign = sales.find((a) => !billing.some((b) => b.id === a.id))!;
    expect((await api.get(`coreServers/getByName/main/queues/getByName/billing/agents/${foreign.id}`)).status).toBe(404);
    expect((await api.get('coreServers/getByName/main/users/getByName/john%20doe/status/set')).status).toBe(405);
  });

  it('answers 405 with Allow for wrong methods', async () => {
    const onResource = await api.post('coreServers/getByName/main/extensions');
    expect(onResource.status).toBe(405);
    expect(onResource.headers.get('allow')).toBe('GET');
    const onAction = await api.get('coreServers/getByName/main/extensions/getByName/100/dnd/enable');
    expect(onAction.status).toBe(405);
    expect(onAction.headers.get('allow')).toBe('POST');
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      expect((await api.request(method, 'coreServers/getByName/main/extensions/getByName/100', '{}', { Authorization: AUTH })).status).toBe(405);
    }
  });

  it('carries out actions, with 412 / 404 / 409 for bad requests that change nothing', async () => {
    const before = server.stateFingerprint();
    const q = 'coreServers/getByName/main/queues/getByName/billing';
    const agents: Json[] = await api.read(`${q}/agents`);
    const billing = server.liveState().coreServers[0].queues.find((x) => x.identifier === 'billing')!;
    const outsider = server.liveState().coreServers[0].extensions.find((e) => !billing.agents.some((a) => a.extension === e))!;
    const n = outsider.extensionNumber;

    expect((await api.post(`${q}/login`, 'nope')).status).toBe(412);
    expect((await api.post(`${q}/login`, {})).status).toBe(412);
    expect((await api.post(`${q}/login`, { extension: null })).status).toBe(412);
    expect((await api.post(`${q}/login`, { extension: n, penalty: -1 })).status).toBe(412);
    expect((await api.post(`${q}/login`, { extension: n, paused: 'yes' })).status).toBe(412);
    expect((await api.post(`${q}/login`, { extension: '999' })).status).toBe(404);
    expect((await api.post(`${q}/login`, { extension: '107' })).status).toBe(404); // hidden by licensing
    expect(server.stateFingerprint()).toBe(before);

    expect((await api.post(`${q}/login`, { extension: n, penalty: 2 })).status).toBe(204);
    const added = (await api.read(`${q}/agents`)).find((a: Json) => !agents.some((b) => b.id === a.id));
    expect(added).toMatchObject({ dynamic: true, paused: false, penalty: 2 });
    expect(await api.read(`coreServers/getByName/main/extensions/${outsider.id}/agents/${added.id}`)).toEqual(added);
    expect((await api.post(`${q}/login`, { extension: n })).status).toBe(409);

    expect((await api.post(`${q}/agents/${added.id}/pause`)).status).toBe(204);
    expect((await api.read(`${q}/agents/${added.id}`)).paused).toBe(true);
    expect((await api.post(`${q}/agents/${added.id}/penalty`, { penalty: 1.5 })).status).toBe(412);
    expect((await api.post(`${q}/agents/${added.id}/penalty`, { penalty: 4 })).status).toBe(204);
    expect((await api.read(`${q}/agents/${added.id}`)).penalty).toBe(4);
    expect((await api.post(`${q}/agents/${added.id}/pause`, 'not json')).status).toBe(412);

    expect((await api.post(`${q}/logout`, { extension: n })).status).toBe(204);
    expect((await api.get(`${q}/agents/${added.id}`)).status).toBe(404);
    expect((await api.post(`${q}/agents/${added.id}/pause`)).status).toBe(404);
    expect((await api.post(`${q}/logout`, { extension: n })).status).toBe(409);
    expect((await api.post(`${q}/login`, { extension: n })).status).toBe(204);
    const again = (await api.read(`${q}/agents`)).find((a: Json) => !agents.some((b) => b.id === a.id));
    expect(again.id).not.toBe(added.id);
    expect(again).toMatchObject({ paused: false, penalty: 0 });
    expect((await api.post(`${q}/logout`, { extension: n })).status).toBe(204);

    const staticAgent = agents.find((a) => !a.dynamic)!;
    expect((await api.post(`${q}/agents/${staticAgent.id}/logout`)).status).toBe(409);
    expect(server.stateFingerprint()).toBe(before);
  });

  it('originates and transfers calls', async () => {
    const cs = 'coreServers/getByName/main';
    const segmentsOf = (n: string) => api.read(`${cs}/extensions/getByName/${n}/callSegments`) as Promise<Json[]>;
    // A destination with no written range (LIVE-API.md §5) is dialled as sent: a call out of the server.
    const beforeEmpty = await segmentsOf('101');
    expect((await api.post(`${cs}/extensions/getByName/101/originate`, { destination: '' })).status).toBe(204);
    expect((await segmentsOf('101')).filter((s) => !beforeEmpty.some((f) => f.id === s.id))).toMatchObject([{ type: 'EXTERNAL', incoming: false }]);
    const [from, to] = [await segmentsOf('101'), await segmentsOf('106')];
    expect((await api.post(`${cs}/extensions/getByName/101/originate`, { destination: '106' })).status).toBe(204);
    const outgoing = (await segmentsOf('101')).find((s) => !from.some((f) => f.id === s.id));
    const incoming = (await segmentsOf('106')).find((s) => !to.some((f) => f.id === s.id));
    expect(outgoing).toMatchObject({ type: 'INTERNAL', incoming: false });
    expect(incoming).toMatchObject({ type: 'INTERNAL', incoming: true });

    expect((await api.post(`${cs}/callSegments/${incoming.id}/transfer`, { destination: '106' })).status).toBe(409);
    expect((await api.post(`${cs}/extensions/getByName/106/callSegments/${incoming.id}/transfer`, { destination: '104' })).status).toBe(204);
    expect((await segmentsOf('106')).some((s) => s.id === incoming.id)).toBe(false);
    expect((await segmentsOf('104')).some((s) => s.id === incoming.id)).toBe(true);
    expect((await api.post(`${cs}/callSegments/${outgoing.id}/transfer`, { destination: '+15550123' })).status).toBe(204);
    expect((await api.get(`${cs}/callSegments/${outgoing.id}`)).status).toBe(404);

    const external = await segmentsOf('103');
    expect((await api.post(`${cs}/extensions/getByName/103/originate`, { destination: '5550000' })).status).toBe(204);
    const added = (await segmentsOf('103')).filter((s) => !external.some((f) => f.id === s.id));
    expect(added).toMatchObject([{ type: 'EXTERNAL', incoming: false }]);
  });

  it('sets DND and statuses, validating the status body', async () => {
    const ext = 'coreServers/getByName/main/extensions/getByName/103';
    const was = (await api.read(ext)).dnd;
    expect((await api.post(`${ext}/dnd/enable`)).status).toBe(204);
    expect((await api.post(`${ext}/dnd/enable`, {})).status).toBe(204);
    expect((await api.read(ext)).dnd).toBe(true);
    expect((await api.post(`${ext}/dnd/disable`)).status).toBe(204);
    expect((await api.read(ext)).dnd).toBe(false);
    if (was) await api.post(`${ext}/dnd/enable`);

    const user = 'coreServers/getByName/main/users/getByName/zo%C3%AB';
    const old = await api.read(`${user}/status`);
    const next = { name: 'Out', type: 'away', note: 'back soon', returnTime: -1 };
    for (const bad of [{ ...next, type: 'sleeping' }, { ...next, type: null }, { name: 'Out', note: '', returnTime: -1 }, { ...next, returnTime: '-1' }, []]) {
      expect((await api.post(`${user}/status/set`, bad)).status).toBe(412);
    }
    expect(await api.read(`${user}/status`)).toEqual(old);
    // Values with no written range (LIVE-API.md §5) are stored as sent; the status keeps its id.
    const unranged = { name: '', type: 'away', note: '', returnTime: -2 };
    expect((await api.post(`${user}/status/set`, unranged)).status).toBe(204);
    expect(await api.read(`${user}/status`)).toEqual({ ...old, ...unranged });
    expect((await api.post(`${user}/status/set`, next)).status).toBe(204);
    expect(await api.read(`${user}/status`)).toMatchObject(next);
    const { name, type, note, returnTime } = old;
    expect((await api.post(`${user}/status/set`, { name, type, note, returnTime })).status).toBe(204);
  });

  it('keeps stateFingerprint across pause and unpause', async () => {
    const before = server.stateFingerprint();
    const { queue, agent } = dynamicAgent(server);
    const path = `coreServers/getByName/main/queues/${queue.id}/agents/${agent.id}`;
    const paused = agent.paused;
    expect((await api.post(`${path}/${paused ? 'unpause' : 'pause'}`)).status).toBe(204);
    expect(server.stateFingerprint()).not.toBe(before);
    expect((await api.post(`${path}/${paused ? 'pause' : 'unpause'}`)).status).toBe(204);
    expect(server.stateFingerprint()).toBe(before);
  });

  it('restarts with new UUIDs, the same names, and no answer while down', async () => {
    const fingerprint = server.stateFingerprint();
    const cs: Json[] = await api.read('coreServers');
    const exts: Json[] = await api.read(`coreServers/${cs[0].id}/extensions`);
    const users: Json[] = await api.read(`coreServers/${cs[0].id}/users`);
    const restarting = server.restart();
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${server.baseUrl}/coreServers`, { headers: { Authorization: AUTH } })).rejects.toThrow();
    const { downMs } = await restarting;
    expect(downMs).toBeGreaterThanOrEqual(200);

    const cs2: Json[] = await api.read('coreServers');
    expect(cs2.map((c) => c.slug)).toEqual(cs.map((c) => c.slug));
    expect(cs2[0].id).not.toBe(cs[0].id);
    expect((await api.get(`coreServers/${cs[0].id}`)).status).toBe(404);
    const exts2: Json[] = await api.read('coreServers/getByName/main/extensions');
    expect(exts2.map((e) => [e.extensionNumber, e.configurationId])).toEqual(exts.map((e) => [e.extensionNumber, e.configurationId]));
    for (const e of exts) expect(exts2.some((n) => n.id === e.id)).toBe(false);
    expect((await api.get(`coreServers/getByName/main/extensions/${exts[0].id}`)).status).toBe(404);
    const users2: Json[] = await api.read('coreServers/getByName/main/users');
    expect(users2.map((u) => u.userName)).toEqual(users.map((u) => u.userName));
    expect(server.stateFingerprint()).toBe(fingerprint);
  });
});

describe('churn', () => {
  it('moves volatile state only and never breaks identities', async () => {
    await withServer({ churn: { intervalMs: 5 } }, async (api, server) => {
      const fingerprint = server.stateFingerprint();
      const agentIds = (slug: string) => server.liveState().coreServers.find((c) => c.slug === slug)!.queues.flatMap((q) => q.agents.map((a) => a.id));
      const before = agentIds('main');
      const states = new Set<string>();
      const initial = new Set(server.liveState().coreServers[0].callSegments.map((s) => s.id));
      const seen = new Set<string>();
      for (let i = 0; i < 8; i += 1) {
        await new Promise((r) => setTimeout(r, 15));
        const segments: Json[] = await api.read('coreServers/getByName/main/callSegments');
        for (const s of segments) {
          if (!initial.has(s.id)) seen.add(s.id);
          const one = await api.get(`coreServers/getByName/main/callSegments/${s.id}`);
          if (one.status === 200) expect(one.body.id).toBe(s.id); // it may have just ended
        }
        for (const a of await api.read('coreServers/getByName/main/queues/getByName/sales/agents')) states.add(a.state);
        expect(new Set(segments.map((s) => s.id)).size).toBe(segments.length);
      }
      expect(agentIds('main')).toEqual(before);
      expect(server.stateFingerprint()).toBe(fingerprint);
      expect(seen.size).toBeGreaterThan(0);
      expect(states.size).toBeGreaterThan(1);
      server.setChurn(false);
    });
  });
});

describe('start options', () => {
  it('holds each request within the latency range it was given', async () => {
    await withServer({ latencyMs: { min: 40, max: 60 } }, async (api) => {
      const times = await Promise.all(
        [0, 1, 2].map(async () => {
          const began = performance.now();
          await api.read('coreServers');
          return performance.now() - began;
        }),
      );
      for (const ms of times) expect(ms).toBeGreaterThanOrEqual(39);
    });
    expect(parseLatencyRange('20-60')).toEqual({ min: 20, max: 60 });
    expect(parseLatencyRange('25')).toEqual({ min: 25, max: 25 });
    expect(() => parseLatencyRange('60-20')).toThrow(RangeError);
    await expect(startReferenceServer({ latencyMs: { min: 5, max: 1 } })).rejects.toThrow(RangeError);
  });

  it('rejects an unknown fault name, listing the known ones', async () => {
    await expect(startReferenceServer({ faults: ['no-such-fault'] })).rejects.toThrow(/uuid-read-wrong-id/);
  });

  it('honours a slow start and other credentials', async () => {
    const server = await startReferenceServer({ startDelayMs: 150, user: 'u', password: 'p' });
    try {
      await expect(fetch(`${server.baseUrl}/coreServers`)).rejects.toThrow();
      await server.ready;
      const ok = await fetch(`${server.baseUrl}/coreServers`, { headers: { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } });
      expect(ok.status).toBe(200);
      expect((await fetch(`${server.baseUrl}/coreServers`, { headers: { Authorization: AUTH } })).status).toBe(403);
    } finally {
      await server.stop();
    }
  });
});

/**
 * One probe per fault: it returns something that differs between the correct server and the mutant. Each probe
 * runs on both, so a probe that does not tell them apart (or a fault that changes nothing) fails here.
 */
const PROBES: Record<string, (api: Client, server: RunningReferenceServer) => Promise<unknown>> = {
  'uuid-read-wrong-id': async (api) => {
    const [q] = await api.read('coreServers/getByName/main/queues');
    return (await api.read(`coreServers/getByName/main/queues/${q.id}`)).id === q.id;
  },
  'name-lookup-ignores-core-server': async (api) => {
    const [e] = await api.read('coreServers/getByName/branch/extensions');
    return (await api.read(`coreServers/getByName/branch/extensions/getByName/${e.extensionNumber}`)).id === e.id;
  },
  'mixed-parent-by-name-broken': async (api) => {
    const [e] = await api.read('coreServers/getByName/main/extensions');
    return (await api.get(`coreServers/getByName/main/extensions/${e.id}`)).status;
  },
  'list-item-stale-display-name': async (api) => (await api.read('coreServers/getByName/main/extensions'))[0].displayName,
  'name-prefix-match': async (api) => (await api.get('coreServers/getByName/main/users/getByName/john')).status,
  'login-port-as-string': async (api) => typeof (await api.read('coreServers/getByName/main/users/getByName/a+b/logins'))[0].port,
  'queues-content-type-text': async (api) => (await api.get('coreServers/getByName/main/queues')).headers.get('content-type'),
  'restart-keeps-uuids': async (api, server) => {
    const [before] = await api.read('coreServers/getByName/main/users');
    await server.restart();
    return (await api.read('coreServers/getByName/main/users'))[0].id === before.id;
  },
  'restart-keeps-queue-uuids': async (api, server) => {
    const [q] = await api.read('coreServers/getByName/main/queues');
    const [e] = await api.read('coreServers/getByName/main/extensions');
    await server.restart();
    return [(await api.read('coreServers/getByName/main/queues'))[0].id === q.id, (await api.read('coreServers/getByName/main/extensions'))[0].id === e.id];
  },
  'restart-old-uuids-resolve': async (api, server) => {
    const [e] = await api.read('coreServers/getByName/main/extensions');
    await server.restart();
    return (await api.get(`coreServers/getByName/main/extensions/${e.id}`)).status;
  },
  'restart-loses-name': async (api, server) => {
    await server.restart();
    return (await api.read('coreServers/getByName/main/extensions')).length;
  },
  'recreate-keeps-uuid': async (api, server) => {
    const { queue, agent, number } = dynamicAgent(server);
    await api.post(`coreServers/getByName/main/queues/${queue.id}/logout`, { extension: number });
    await api.post(`coreServers/getByName/main/queues/${queue.id}/login`, { extension: number });
    return (await api.read(`coreServers/getByName/main/queues/${queue.id}/agents`)).some((a: Json) => a.id === agent.id);
  },
  'duplicate-conference-identifier': async (api) => (await api.read('coreServers/getByName/main/conferences')).map((r: Json) => r.identifier),
  'duplicate-ids': async (api) => {
    const [q] = await api.read('coreServers/getByName/main/queues');
    const [r] = await api.read('coreServers/getByName/main/conferences');
    return [q.id === r.id, (await api.get(`coreServers/getByName/main/conferences/${r.id}`)).status];
  },
  'non-uuid-login-ids': async (api) => {
    const [l] = await api.read('coreServers/getByName/main/users/getByName/a+b/logins');
    return [UUID.test(l.id), (await api.get(`coreServers/getByName/main/users/getByName/a+b/logins/${l.id}`)).status];
  },
  'names-not-decoded': async (api) => (await api.get('coreServers/getByName/main/users/getByName/john%20doe')).status,
  'get-shifts-login-port': async (api) => {
    const [l] = await api.read('coreServers/getByName/main/users/getByName/john%20doe/logins');
    const path = `coreServers/getByName/main/users/getByName/john%20doe/logins/${l.id}`;
    return (await api.read(path)).port === (await api.read(path)).port;
  },
  'malformed-id-500': async (api) => (await api.get('coreServers/getByName/main/extensions/xyz')).status,
  'put-accepted': async (api) => (await api.request('PUT', 'coreServers/getByName/main/extensions/getByName/100', '{}', { Authorization: AUTH })).status,
  'core-servers-open': async (api) => (await api.request('GET', 'coreServers', undefined, {})).status,
  'pause-noop': async (api, server) => {
    const { queue, agent } = dynamicAgent(server);
    const path = `coreServers/getByName/main/queues/${queue.id}/agents/${agent.id}`;
    await api.post(`${path}/unpause`);
    await api.post(`${path}/pause`);
    return (await api.read(path)).paused;
  },
  'action-by-name-noop': async (api) => {
    const ext = 'coreServers/getByName/main/extensions/getByName/104';
    const { id } = await api.read(ext);
    await api.post(`coreServers/getByName/main/extensions/${id}/dnd/disable`);
    return [(await api.post(`${ext}/dnd/enable`)).status, (await api.read(ext)).dnd];
  },
  'dnd-hits-other-core-server': async (api) => {
    const [main, branch] = ['main', 'branch'].map((s) => `coreServers/getByName/${s}/extensions/getByName/104`);
    const mainId = (await api.read(main)).id;
    await api.post(`coreServers/getByName/main/extensions/${mainId}/dnd/disable`);
    await api.post(`${branch}/dnd/disable`);
    await api.post(`${main}/dnd/enable`);
    return [(await api.read(main)).dnd, (await api.read(branch)).dnd];
  },
  'pause-pauses-all-agents-of-extension': async (api) => {
    const path = 'coreServers/getByName/main/extensions/getByName/100/agents';
    const agents: Json[] = await api.read(path);
    for (const a of agents) await api.post(`${path}/${a.id}/unpause`);
    await api.post(`${path}/${agents[0].id}/pause`);
    return (await api.read(path)).map((a: Json) => a.paused);
  },
  'counted-pause': async (api, server) => {
    const { queue, agent } = dynamicAgent(server);
    const path = `coreServers/getByName/main/queues/${queue.id}/agents/${agent.id}`;
    await api.post(`${path}/pause`);
    await api.post(`${path}/pause`);
    await api.post(`${path}/unpause`);
    return (await api.read(path)).paused;
  },
  'login-inherits-old-agent-state': async (api, server) => {
    const { queue, agent, number } = dynamicAgent(server);
    const q = `coreServers/getByName/main/queues/${queue.id}`;
    await api.post(`${q}/agents/${agent.id}/penalty`, { penalty: 7 });
    await api.post(`${q}/logout`, { extension: number });
    await api.post(`${q}/login`, { extension: number });
    return queue.agents.find((a) => a.extension === agent.extension)!.penalty;
  },
  'invalid-json-500': async (api) => (await api.post('coreServers/getByName/main/users/getByName/a+b/status/set', '{oops')).status,
  'status-missing-type-accepted': async (api) =>
    (await api.post('coreServers/getByName/main/users/getByName/a+b/status/set', { name: 'x', note: '', returnTime: -1 })).status,
  'unknown-agent-action-204': async (api) =>
    (await api.post(`coreServers/getByName/main/queues/getByName/sales/agents/${randomUUID()}/pause`)).status,
  'double-login-accepted': async (api, server) => {
    const { queue, number } = dynamicAgent(server);
    return (await api.post(`coreServers/getByName/main/queues/${queue.id}/login`, { extension: number })).status;
  },
  'pause-changes-agent-uuid': async (api, server) => {
    const { queue, agent } = dynamicAgent(server);
    const path = `coreServers/getByName/main/queues/${queue.id}/agents/${agent.id}`; // agent.id is live: read it now
    await api.post(`${path}/pause`);
    return (await api.get(path)).status;
  },
  'extension-ignores-core-server': async (api) => {
    const [e] = await api.read('coreServers/getByName/main/extensions');
    return (await api.get(`coreServers/getByName/branch/extensions/${e.id}`)).status;
  },
  'agent-ignores-queue': async (api) => {
    const sales: Json[] = await api.read('coreServers/getByName/main/queues/getByName/sales/agents');
    const billing: Json[] = await api.read('coreServers/getByName/main/queues/getByName/billing/agents');
    const foreign = sales.find((a) => !billing.some((b) => b.id === a.id))!;
    return (await api.get(`coreServers/getByName/main/queues/getByName/billing/agents/${foreign.id}`)).status;
  },
  'user-extension-ignores-user': async (api) =>
    (await api.get('coreServers/getByName/main/users/getByName/a+b/extensions/getByName/100')).status,
  'segment-ignores-extension': async (api) => {
    const all: Json[] = await api.read('coreServers/getByName/main/callSegments');
    const mine: Json[] = await api.read('coreServers/getByName/main/extensions/getByName/108/callSegments');
    const foreign = all.find((s) => !mine.some((m) => m.id === s.id))!;
    return (await api.get(`coreServers/getByName/main/extensions/getByName/108/callSegments/${foreign.id}`)).status;
  },
  'segment-ignores-queue': async (api) => {
    const all: Json[] = await api.read('coreServers/getByName/main/callSegments');
    const mine: Json[] = await api.read('coreServers/getByName/main/queues/getByName/support/callSegments');
    const foreign = all.find((s) => !mine.some((m) => m.id === s.id))!;
    return (await api.get(`coreServers/getByName/main/queues/getByName/support/callSegments/${foreign.id}`)).status;
  },
  'agent-ignores-extension': async (api) => {
    const sales: Json[] = await api.read('coreServers/getByName/main/queues/getByName/sales/agents');
    const mine: Json[] = await api.read('coreServers/getByName/main/extensions/getByName/100/agents');
    const foreign = sales.find((a) => !mine.some((m) => m.id === a.id))!;
    return (await api.get(`coreServers/getByName/main/extensions/getByName/100/agents/${foreign.id}`)).status;
  },
  'penalty-missing-accepted': async (api, server) => {
    const { queue, agent } = dynamicAgent(server);
    return (await api.post(`coreServers/getByName/main/queues/${queue.id}/agents/${agent.id}/penalty`, {})).status;
  },
  'login-default-paused-inherited': async (api, server) => {
    const { queue, agent, number } = dynamicAgent(server);
    const q = `coreServers/getByName/main/queues/${queue.id}`;
    await api.post(`${q}/agents/${agent.id}/pause`);
    await api.post(`${q}/logout`, { extension: number });
    const others = new Set(((await api.read(`${q}/agents`)) as Json[]).map((a) => a.id));
    await api.post(`${q}/login`, { extension: number });
    return ((await api.read(`${q}/agents`)) as Json[]).find((a) => !others.has(a.id))?.paused;
  },
  'status-note-leaks-to-other-user': async (api) => {
    await api.post('coreServers/getByName/main/users/getByName/a+b/status/set', { name: 'x', type: 'away', note: 'probe-note', returnTime: -1 });
    const users: Json[] = await api.read('coreServers/getByName/main/users');
    const statuses = await Promise.all(users.map((user) => api.read(`coreServers/getByName/main/users/${user.id}/status`)));
    return statuses.filter((status: Json) => status.note === 'probe-note').length;
  },
  'user-extension-name-on-first-core-server': async (api) => {
    // A user of the second core server holding a number that the first core server has too.
    const mainNumbers = new Set((await api.read('coreServers/getByName/main/extensions')).map((e: Json) => e.extensionNumber));
    for (const user of (await api.read('coreServers/getByName/branch/users')) as Json[]) {
      const path = `coreServers/getByName/branch/users/${user.id}/extensions`;
      const namesake = ((await api.read(path)) as Json[]).find((e) => mainNumbers.has(e.extensionNumber));
      if (namesake) return (await api.read(`${path}/getByName/${namesake.extensionNumber}`)).id === namesake.id;
    }
    throw new Error('no user of the second core server holds a namesake extension');
  },
  'login-agent-missing-under-extension': async (api, server) => {
    const { queue, number } = dynamicAgent(server);
    const q = `coreServers/getByName/main/queues/${queue.id}`;
    await api.post(`${q}/logout`, { extension: number });
    await api.post(`${q}/login`, { extension: number });
    const underQueue = ((await api.read(`${q}/agents`)) as Json[]).map((a) => a.id);
    const underExtension = ((await api.read(`coreServers/getByName/main/extensions/getByName/${number}/agents`)) as Json[]).map((a) => a.id);
    return underQueue.filter((id) => underExtension.includes(id)).length;
  },
};

describe('faults', () => {
  it('has a probe for every fault, and every fault names a rule', () => {
    expect(Object.keys(PROBES).sort()).toEqual(FAULTS.map((f) => f.name).sort());
    for (const f of FAULTS) expect(f.rule).toMatch(/^[A-Z]+(-[A-Z0-9]+)+$/);
  });

  it.each(FAULTS.map((f) => f.name))('%s changes what its probe sees', async (name) => {
    const probe = PROBES[name];
    const correct = await withServer({ restartDelayMs: 20 }, probe);
    const faulty = await withServer({ restartDelayMs: 20, faults: [name] }, probe);
    expect(faulty).not.toEqual(correct);
  });
});
