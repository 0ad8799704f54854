/**
 * The test that tells churn from a fault after a read missed a listed instance: no longer listed, or back at
 * the same UUID a moment later (logged out and in again), is churn; still listed and still missed is a fault.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { missedWhileListed, type DiscoveredInstance } from '../suites/discovery.js';
import { TargetClient } from '../suites/target-client.js';
import type { InstanceNode } from '../contracts/resource-model.js';

const AGENT = '7d42737e-a5ef-4682-9a47-08f1d80a8600';

/** A server whose listing and instance answers follow a script, one answer per request. */
async function scriptedServer(script: { listed: boolean[]; instance: number[] }): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const listing = request.url === '/agents';
    const status = listing ? 200 : (script.instance.shift() ?? 404);
    const body = listing ? (script.listed.shift() ? [{ id: AGENT }] : []) : status === 200 ? { id: AGENT } : { error: 'not found' };
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const instance: DiscoveredInstance = { node: {} as InstanceNode, refs: [{ id: AGENT }], listed: { id: AGENT }, collectionPath: '/agents' };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function judge(script: { listed: boolean[]; instance: number[] }) {
  const server = await scriptedServer(script);
  closers.push(server.close);
  const client = new TargetClient({ baseUrl: server.baseUrl });
  const again = () => client.get(`/agents/${AGENT}`);
  return missedWhileListed(client, instance, again, (exchange) => exchange.status === 200);
}

describe('missedWhileListed', () => {
  test('an instance no longer listed went away meanwhile: churn', async () => {
    expect(await judge({ listed: [false], instance: [] })).toBeUndefined();
  });

  test('an instance listed and reached when read again was away for a moment: churn', async () => {
    expect(await judge({ listed: [true], instance: [200] })).toBeUndefined();
  });

  test('an instance listed and still missed is a fault: the listing and the second read show it', async () => {
    const evidence = await judge({ listed: [true], instance: [404] });
    expect(evidence?.map((exchange) => `${exchange.path} ${exchange.status}`)).toEqual(['/agents 200', `/agents/${AGENT} 404`]);
  });
});
