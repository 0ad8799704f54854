/**
 * The arena of a run is built once and kept: an action that renews a member's UUID (an agent logged out and in
 * again) leaves it as a fresh discovery would build it; a restart, which renews every UUID, makes it fall.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import { buildArena, wholeArena } from '../suites/actions/arena.js';
import { observe } from '../suites/actions/arena-state.js';
import { arenaStands, forgetRunArena, runArena } from '../suites/actions/run-arena.js';
import { createCheckEnvironment, type CheckEnvironment } from '../suites/check.js';
import { discover } from '../suites/discovery.js';
import { TargetClient } from '../suites/target-client.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';

let server: RunningReferenceServer;
let environment: CheckEnvironment;

beforeAll(async () => {
  server = await startReferenceServer({ seed: 3 });
  const client = new TargetClient({ baseUrl: server.baseUrl, user: DEFAULT_USER, password: DEFAULT_PASSWORD, maxConcurrentRequests: 4 });
  environment = createCheckEnvironment(await loadContract(), client, { seed: 5, numRuns: 1 });
});

afterAll(async () => {
  await server.stop();
});

const paths = (arena: Awaited<ReturnType<typeof runArena>>['arena']) => [...arena.collections, ...arena.singletons].map((read) => read.path);

describe('the arena of a run', () => {
  test('is kept across an action that renews a member, and equals the arena of a fresh discovery', async () => {
    const first = await runArena(environment);
    expect(first.kept).toBe(false);
    // An agent logged out: a member gone, its UUID renewed when it logs in again; discovery is stale.
    const agents = wholeArena(first.arena).collections.find((collection) => collection.path.includes('/queues/') && collection.path.endsWith('/agents'))!;
    const listed = (await environment.client.get(agents.path)).json as { id: string }[];
    // Some agents cannot be logged out now (409: a conflict the contract names); one of them can.
    const statuses: number[] = [];
    for (const agent of listed) if (!statuses.includes(204)) statuses.push((await environment.client.post(`${agents.path}/${agent.id}/logout`)).status);
    expect(statuses).toContain(204);
    environment.invalidateDiscovery();

    const second = await runArena(environment);
    expect(second.kept).toBe(true);
    expect(second.arena).toBe(first.arena);
    const rebuilt = buildArena(environment.model, await discover(environment.client, environment.model, { seed: 5 }), { seed: 5 });
    expect(paths(rebuilt)).toEqual(paths(second.arena));
    expect(arenaStands(second.arena, (await observe(environment.client, wholeArena(second.arena))).state)).toBe(true);
  });

  test('does not stand after a restart (every UUID renewed); forgotten, it is built anew from discovery', async () => {
    const { arena } = await runArena(environment);
    await server.restart();
    environment.invalidateDiscovery();
    expect(arenaStands(arena, (await observe(environment.client, wholeArena(arena))).state)).toBe(false);
    forgetRunArena(environment);
    const renewed = await runArena(environment);
    expect(renewed.kept).toBe(false);
    expect(arenaStands(renewed.arena, (await observe(environment.client, wholeArena(renewed.arena))).state)).toBe(true);
  });
});
