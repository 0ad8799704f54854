/**
 * Restarting a target and waiting for it: a target that resets connections and then answers 503 for a while is
 * restarting, not at fault; a command that returns before the target even went away does not make the old target
 * count as the restarted one; a command that overstays, or a target that never comes back, ends in a reason. And
 * the snapshot after a restart waits for a target that answers its root collection but still 503s elsewhere.
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import { createCheckEnvironment } from '../suites/check.js';
import { restartExperiment } from '../suites/restart-experiment.js';
import { restartTarget } from '../suites/restart-target.js';
import { TargetClient } from '../suites/target-client.js';
import { startControlServer } from './reference-server/control-server.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer } from './reference-server/index.js';

const BASE = '/communication_manager/rest/live';
const stops: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return (server.address() as net.AddressInfo).port;
}

type Phase = 'up' | 'resetting' | 'unavailable';

/**
 * A stand-in target whose GET /coreServers lists one core server. A restart starts when `trigger` (a file) appears,
 * `startsAfterMs` later: connections are reset for `resetMs`, then every request answers 503 for `unavailableMs`,
 * then it is up again with a new UUID (or the same, with `keepsIds`).
 */
async function fakeTarget(options: { trigger: string; startsAfterMs?: number; resetMs?: number; unavailableMs?: number; keepsIds?: boolean; neverBack?: boolean }) {
  let phase: Phase = 'up';
  let id = crypto.randomUUID();
  let restarts = 0;
  const server = http.createServer((request, response) => {
    if (phase === 'resetting') return request.socket.destroy();
    if (phase === 'unavailable') {
      response.writeHead(503, { 'Content-Type': 'text/plain' });
      return response.end('starting');
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify([{ id, slug: 'main', name: 'Main' }]));
  });
  const port = await listen(server);
  const watcher = setInterval(() => {
    if (!existsSync(options.trigger)) return;
    rmSync(options.trigger);
    setTimeout(() => {
      phase = 'resetting';
      setTimeout(() => {
        phase = 'unavailable';
        if (options.neverBack) return;
        setTimeout(() => {
          if (!options.keepsIds) id = crypto.randomUUID();
          restarts += 1;
          phase = 'up';
        }, options.unavailableMs ?? 0);
      }, options.resetMs ?? 0);
    }, options.startsAfterMs ?? 0);
  }, 10);
  stops.push(() => clearInterval(watcher));
  return { baseUrl: `http://127.0.0.1:${port}${BASE}`, currentId: () => id, restarts: () => restarts };
}

async function triggerFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'isym-conform-restart-target-')), 'restart-now');
}

describe('restartTarget', () => {
  test('a target that resets connections, then answers 503, then comes back: a restart, with its down time', async () => {
    const trigger = await triggerFile();
    const target = await fakeTarget({ trigger, resetMs: 400, unavailableMs: 400 });
    const client = new TargetClient({ baseUrl: target.baseUrl, requestTimeoutMs: 2000 });
    const outcome = await restartTarget(client, { command: `touch '${trigger}'`, readyTimeoutS: 10 }, { pollIntervalMs: 50 });
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    if (!outcome.ok) return;
    expect(target.restarts()).toBe(1);
    expect((outcome.readyExchange.json as { id: string }[])[0].id).toBe(target.currentId());
    expect(outcome.downMs).toBeGreaterThanOrEqual(600);
    expect(outcome.polls).toBeGreaterThan(5);
    expect(outcome.neverSeenAway).toBe(false);
  });

  test('a command that returns before the target goes away: the old target does not count as restarted', async () => {
    const trigger = await triggerFile();
    const target = await fakeTarget({ trigger, startsAfterMs: 800, resetMs: 100, unavailableMs: 100 });
    const client = new TargetClient({ baseUrl: target.baseUrl, requestTimeoutMs: 2000 });
    const outcome = await restartTarget(client, { command: `touch '${trigger}'`, readyTimeoutS: 10 }, { pollIntervalMs: 50 });
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    if (!outcome.ok) return;
    expect(target.restarts()).toBe(1);
    expect((outcome.readyExchange.json as { id: string }[])[0].id).toBe(target.currentId());
  });

  test('a target that keeps its UUIDs and never goes away is taken after the settle time, and says so', async () => {
    const trigger = await triggerFile();
    const target = await fakeTarget({ trigger, keepsIds: true });
    const client = new TargetClient({ baseUrl: target.baseUrl, requestTimeoutMs: 2000 });
    const outcome = await restartTarget(client, { command: 'true', readyTimeoutS: 10 }, { pollIntervalMs: 50, settleMs: 300 });
    expect(outcome.ok && outcome.neverSeenAway).toBe(true);
  });

  test('a target that never comes back: the reason says how long it waited and what it got last', async () => {
    const trigger = await triggerFile();
    const target = await fakeTarget({ trigger, resetMs: 100, neverBack: true });
    const client = new TargetClient({ baseUrl: target.baseUrl, requestTimeoutMs: 2000 });
    const started = Date.now();
    const outcome = await restartTarget(client, { command: `touch '${trigger}'`, readyTimeoutS: 1 }, { pollIntervalMs: 50 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.reason).toMatch(/did not answer GET \/coreServers with 200 within 1 s .*last answer: 503/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a command that does not return within the ready timeout is killed, with its output in the reason', async () => {
    const trigger = await triggerFile();
    const target = await fakeTarget({ trigger });
    const client = new TargetClient({ baseUrl: target.baseUrl, requestTimeoutMs: 2000 });
    const started = Date.now();
    const outcome = await restartTarget(client, { command: 'echo stopping; sleep 30', readyTimeoutS: 1 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.reason).toMatch(/did not return within 1 s .*killed.*stopping/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a halted client (an interrupted run) ends the wait at once', async () => {
    const trigger = await triggerFile();
    const target = await fakeTarget({ trigger, resetMs: 100, neverBack: true });
    const client = new TargetClient({ baseUrl: target.baseUrl, requestTimeoutMs: 2000 });
    setTimeout(() => client.halt('not sent: the run was interrupted'), 500);
    const started = Date.now();
    const outcome = await restartTarget(client, { command: `touch '${trigger}'`, readyTimeoutS: 60 }, { pollIntervalMs: 50 });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.reason).toMatch(/cut short: not sent: the run was interrupted/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('the restart experiment', () => {
  test('waits for a restarted target that answers its root collection but still 503s elsewhere', async () => {
    const reference = await startReferenceServer({ seed: 5 });
    stops.push(() => reference.stop());
    // In front of it: after a restart, every path but /coreServers answers 503 for a while.
    let warmUntil = 0;
    const upstream = new URL(reference.baseUrl);
    const proxy = http.createServer((request, response) => {
      if (Date.now() < warmUntil && request.url !== `${BASE}/coreServers`) {
        response.writeHead(503, { 'Content-Type': 'text/plain' });
        return response.end('warming up');
      }
      const forwarded = http.request({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      forwarded.on('error', () => response.destroy());
      request.pipe(forwarded);
    });
    const port = await listen(proxy);
    const control = await startControlServer({
      restart: async () => {
        const done = await reference.restart();
        warmUntil = Date.now() + 1500;
        return done;
      },
    });
    stops.push(() => control.stop());

    const contract = await loadContract();
    const client = new TargetClient({ baseUrl: `http://127.0.0.1:${port}${BASE}`, user: DEFAULT_USER, password: DEFAULT_PASSWORD });
    const environment = createCheckEnvironment(contract, client, { seed: 1, numRuns: 1, restart: { controlUrl: control.restartUrl, readyTimeoutS: 20 } });
    const started = Date.now();
    const experiment = await restartExperiment(environment);
    expect(experiment.restart.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(experiment.after!.listings.every((listing) => listing.ok)).toBe(true);
    expect(experiment.after!.listings.length).toBe(experiment.before.listings.length);
    // Shared: asking again neither restarts nor reads again.
    expect(await restartExperiment(environment)).toBe(experiment);
    expect(control.restarts()).toBe(1);
  });
});
