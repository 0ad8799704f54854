/**
 * `--skip ACT` makes a run read-only: not one action reaches the target. A proxy in front of the reference server
 * counts what the checker sends; the same proxy sees the actions of a run that does act, so its count can fail.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runConformance } from '../suites/runner/run-conformance.js';
import { BASE_PATH } from './reference-server/http-server.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';

const credentials = `Basic ${Buffer.from(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`).toString('base64')}`;

/** Forwards every request to the reference server, and records the authenticated POSTs (actions that would run). */
function countingProxy(reference: RunningReferenceServer) {
  const actions: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.headers.authorization === credentials) actions.push(req.url ?? '');
    const upstream = http.request({ host: '127.0.0.1', port: reference.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return { server, actions };
}

describe('a run with --skip ACT', () => {
  let reference: RunningReferenceServer;
  let proxy: ReturnType<typeof countingProxy>;
  let target: string;

  beforeAll(async () => {
    reference = await startReferenceServer({ seed: 3 });
    proxy = countingProxy(reference);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}${BASE_PATH}`;
  });

  afterAll(async () => {
    proxy.server.closeAllConnections();
    await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    await reference.stop();
  });

  const run = async (options: { only?: string[]; skip?: string[] }) =>
    runConformance({ target, user: DEFAULT_USER, password: DEFAULT_PASSWORD, reportDir: await mkdtemp(join(tmpdir(), 'isym-conform-ro-')), formats: ['json'], seed: 3, numRuns: 20, ...options });

  test('sends no action, and every ACT rule says it was skipped', async () => {
    const fingerprint = reference.stateFingerprint();
    const result = await run({ skip: ['ACT'] });
    const actRules = result.report!.rules.filter((rule) => rule.id.startsWith('ACT-'));
    expect(actRules.map((rule) => `${rule.id} ${rule.verdict}`)).toEqual(actRules.map((rule) => `${rule.id} skip`));
    expect(proxy.actions).toEqual([]);
    expect(reference.stateFingerprint()).toBe(fingerprint);
  });

  test('(the proxy does see the actions of a run that acts)', async () => {
    proxy.actions.length = 0;
    const result = await run({ only: ['ACT-CONFLICT'] });
    expect(result.report!.rules.find((rule) => rule.id === 'ACT-CONFLICT')?.verdict).toBe('pass');
    expect(proxy.actions.length).toBeGreaterThan(0);
  });
});
