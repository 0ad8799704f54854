/**
 * The restart snapshot at its bound: a server too large to list every collection under every parent still has
 * every collection listed, under an even share of the bound each, and two snapshots choose the same parents (by
 * the keys that survive a restart), so the listings before and after a restart pair up.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContract, type LoadedContract } from '../contracts/load-contract.js';
import { snapshotTarget } from '../suites/restart-experiment.js';
import { TargetClient } from '../suites/target-client.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer } from './reference-server/index.js';

describe('snapshotTarget', () => {
  let server: Awaited<ReturnType<typeof startReferenceServer>>;
  let contract: LoadedContract;
  let paths: string[];
  let client: TargetClient;

  beforeAll(async () => {
    server = await startReferenceServer({ size: 1, seed: 3 });
    contract = await loadContract();
    paths = [];
    client = new TargetClient({ baseUrl: server.baseUrl, user: DEFAULT_USER, password: DEFAULT_PASSWORD, requestTimeoutMs: 10_000, onExchange: (exchange) => paths.push(exchange.path) });
  });
  afterAll(async () => {
    await server.stop();
  });

  test('lists every collection under every parent, each once, within the bound', async () => {
    paths.length = 0;
    const snapshot = await snapshotTarget(client, contract.model);
    expect(snapshot.truncated).toBe(false);
    expect(new Set(paths).size).toBe(paths.length);
    expect(snapshot.listings.length).toBe(paths.length);
    expect(new Set(snapshot.listings.map((listing) => listing.node.template))).toEqual(new Set(contract.model.collections.map((c) => c.template)));
  });

  test('at a bound below that, still lists every collection, and twice the same ones', async () => {
    const full = await snapshotTarget(client, contract.model);
    const maxListings = Math.floor(full.listings.length / 3);
    const first = await snapshotTarget(client, contract.model, { maxListings });
    const second = await snapshotTarget(client, contract.model, { maxListings });
    expect(first.truncated).toBe(true);
    expect(first.listings.length).toBeLessThanOrEqual(maxListings);
    expect(new Set(first.listings.map((listing) => listing.node.template))).toEqual(new Set(contract.model.collections.map((c) => c.template)));
    expect(second.listings.map((listing) => listing.key)).toEqual(first.listings.map((listing) => listing.key));
    expect(first.listings.every((listing) => listing.key === undefined || second.listingByKey(listing.key) !== undefined)).toBe(true);
  });

  test('with a cap on parents per collection, reads each collection under that many parents at most, spread over both core servers', async () => {
    const maxParentsPerCollection = 3;
    const capped = await snapshotTarget(client, contract.model, { maxParentsPerCollection });
    const again = await snapshotTarget(client, contract.model, { maxParentsPerCollection });
    expect(capped.truncated).toBe(true);
    const perTemplate = new Map<string, typeof capped.listings>();
    for (const listing of capped.listings) perTemplate.set(listing.node.template, [...(perTemplate.get(listing.node.template) ?? []), listing]);
    expect(new Set(perTemplate.keys())).toEqual(new Set(contract.model.collections.map((c) => c.template)));
    for (const listings of perTemplate.values()) {
      expect(listings.length).toBeLessThanOrEqual(maxParentsPerCollection);
      // Each nested collection under more than one core server's parents is read under both core servers.
      if (listings[0].parentRefs.length > 1) expect(new Set(listings.map((listing) => listing.parentRefs[0].id)).size).toBe(2);
    }
    expect(again.listings.map((listing) => listing.key)).toEqual(capped.listings.map((listing) => listing.key));
  });
});
