/**
 * An interrupted run leaves the target as found: the action check that is running stops acting at once and puts
 * back what it changed, within the grace the run gives it. A proxy in front of the reference server interrupts
 * the run right after an action that changed the state (a DND switched), holding that action's answer until the
 * interrupt has reached the check; then it records what the checker posts afterwards.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { runConformance } from '../suites/runner/run-conformance.js';
import { BASE_PATH } from './reference-server/http-server.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer } from './reference-server/index.js';

test('an interrupt in the middle of the actions family: no new action, the change undone, the server as found', async () => {
  const reference = await startReferenceServer({ seed: 5 });
  const controller = new AbortController();
  const afterInterrupt: string[] = [];
  const proxy = http.createServer((req, res) => {
    const interrupted = controller.signal.aborted;
    if (interrupted && req.method === 'POST') afterInterrupt.push(req.url!.replace(/^.*\/coreServers\/[^/]+\//, ''));
    const upstream = http.request({ host: '127.0.0.1', port: reference.port, path: req.url, method: req.method, headers: req.headers }, async (answer) => {
      const trigger = !interrupted && req.method === 'POST' && answer.statusCode === 204 && /\/dnd\/(enable|disable)$/.test(req.url ?? '');
      if (trigger) {
        controller.abort();
        await delay(500); // the interrupt reaches the check before it hears that its action was carried out
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const fingerprint = reference.stateFingerprint();
    const run = await runConformance({
      target: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${BASE_PATH}`,
      user: DEFAULT_USER,
      password: DEFAULT_PASSWORD,
      reportDir: await mkdtemp(join(tmpdir(), 'isym-conform-interrupt-')),
      formats: ['json'],
      seed: 5,
      numRuns: 40,
      only: ['ACT-EFFECT'],
      signal: controller.signal,
    });
    expect(controller.signal.aborted).toBe(true);
    expect(run.report?.partial).toBe(true);
    // After the interrupt, only the action that undoes the DND change: no case goes on, nothing new starts.
    expect(afterInterrupt).toHaveLength(1);
    expect(afterInterrupt[0]).toMatch(/\/dnd\/(enable|disable)$/);
    expect(reference.stateFingerprint()).toBe(fingerprint);
  } finally {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await reference.stop();
  }
});
