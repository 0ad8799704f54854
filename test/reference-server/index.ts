/**
 * The reference server: a complete, in-memory implementation of LIVE-API.md, restartable, with optional churn,
 * optional named faults (one-fault mutants, see faults.ts), and a liberal mode that takes every freedom of
 * LIVE-API.md §5 the other way (see latitude.ts).
 */
import type http from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { startChurn, type Churn } from './churn.js';
import { generateConfiguration, mulberry32, type Configuration } from './data-set.js';
import { AgentsBackAtPhone, MomentaryAgents, PhoneRelogins } from './actions.js';
import { FaultSet } from './faults.js';
import { BASE_PATH, createLiveServer } from './http-server.js';
import { DEFAULT_LATITUDE, LIBERAL_LATITUDE, Latitude, type LatitudeSettings } from './latitude.js';
import { buildLiveState, stateFingerprint, type LiveState } from './live-state.js';
import { restartState } from './restart.js';

export { FAULTS, FAULT_NAMES, type FaultDefinition, type FaultName } from './faults.js';
export { generateConfiguration, type Configuration } from './data-set.js';
export { DEFAULT_LATITUDE, DEFAULT_LIBERAL_CALL_LIFETIME_MS, LIBERAL_LATITUDE, type LatitudeSettings } from './latitude.js';

export const DEFAULT_USER = 'manager';
export const DEFAULT_PASSWORD = 'manag3rpa55word';
export const DEFAULT_CHURN_INTERVAL_MS = 50;

export interface ReferenceServerOptions {
  /** Seed of the generated configuration (and of churn). Default 1. */
  seed?: number;
  /** Size of the configuration: 1 is small, N multiplies extensions, users and queues by about N. Default 1. */
  size?: number;
  /** TCP port; 0 picks any free port. Default 0. A restart listens again on the same port. */
  port?: number;
  /** Address to listen on. Default '127.0.0.1'. */
  host?: string;
  /** HTTP Basic user name. Default 'manager'. */
  user?: string;
  /** HTTP Basic password. Default 'manag3rpa55word'. */
  password?: string;
  /** Names of faults to switch on (see FAULTS); an unknown name throws. Default none: a correct server. */
  faults?: string[];
  /**
   * Churn: volatile live state changes on a timer. `true` means every 50 ms. Default false (off); it can be
   * switched later with setChurn().
   */
  churn?: boolean | { intervalMs: number };
  /** How long a restart leaves the port closed, in ms. Default 300. */
  restartDelayMs?: number;
  /**
   * A slow start: listen only this many ms after startReferenceServer() resolves (it resolves at once, with
   * the port already chosen; `ready` settles once it listens). Default 0 (listen before resolving).
   */
  startDelayMs?: number;
  /**
   * Liberal mode: take every freedom of LIVE-API.md §5 the other way from the default server (collections in a
   * fresh order on every read, extra properties, bare `application/json`, 403 without a challenge for missing
   * credentials, errors without bodies, 405 without `Allow`, originate typed the other way, 412 for values
   * with no written range, calls made by actions that end by themselves, ...), while staying correct by
   * LIVE-API.md. latitude.ts lists every freedom. With churn, agents and logins also come and go on their own.
   * Default false.
   */
  liberal?: boolean;
  /**
   * How long a call made by an action (originate, transfer) lasts before it ends by itself, in ms; null: until
   * it is transferred away. Default: 2500 with `liberal`, null without.
   */
  callLifetimeMs?: number | null;
  /**
   * Latency: each request is held a random time between `min` and `max` ms (drawn from a generator seeded with
   * `seed`) before it is handled, as a server on a slow network or a busy PBX answers. Default none.
   */
  latencyMs?: { min: number; max: number };
  /**
   * Each queue login that would succeed is first refused with 409 this many times in a row (per queue and
   * extension), as when an agent of the extension logs in at its phone for a moment and out again, unseen by any
   * read (LIVE-API.md §5: agents come and go on their own). Default 0.
   */
  momentaryAgentLogins?: number;
  /**
   * The first `times` accepted pause, unpause and penalty actions are each followed by the agent's logout and login
   * at its phone: a new agent of the same extension in the same queue, under a new UUID (LIVE-API.md §5: agents
   * come and go on their own); `when`: at once, or as the agent is next read at its own path (see PhoneRelogins).
   * Default none.
   */
  phoneRelogins?: { times: number; when: 'after-action' | 'at-next-read' };
  /**
   * The first `times` logouts of an agent (queue or agent logout) are each followed by the extension logging in
   * again at its phone, and out again as a queue login of it to that queue comes: before the login is handled, or
   * just after it was refused (see AgentsBackAtPhone). Default none.
   */
  agentsBackAtPhone?: { times: number; leaves: 'before-login' | 'after-login' };
}

/** Parses `MIN-MAX` (ms, e.g. `20-60`), or one number for a fixed latency; throws a RangeError naming `option`. */
export function parseLatencyRange(text: string, option = 'latency'): { min: number; max: number } {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  const min = Number(match?.[1]);
  const max = match?.[2] === undefined ? min : Number(match[2]);
  if (!match || max < min) throw new RangeError(`${option} takes MIN-MAX in ms (e.g. 20-60), MIN <= MAX, not "${text}"`);
  return { min, max };
}

export interface RunningReferenceServer {
  /** The Live API base, e.g. http://127.0.0.1:PORT/communication_manager/rest/live (no trailing slash). */
  baseUrl: string;
  port: number;
  /** Settles when the server listens (at once unless startDelayMs was given). */
  ready: Promise<void>;
  /** The configuration the server was built from (pure data, no UUIDs). */
  configuration: Configuration;
  /**
   * Close the listener, rebuild the live state from the same configuration with new UUIDs (keeping DND, agents'
   * membership, paused and penalty, and the users' statuses; calls and logins start again from the
   * configuration), wait restartDelayMs, and listen again on the same port. `downMs`: how long it was closed.
   */
  restart(): Promise<{ downMs: number }>;
  /** Stop churn and close the listener and every open connection. Safe to call more than once. */
  stop(): Promise<void>;
  /** Switch churn on (at the configured interval, or 50 ms) or off. */
  setChurn(on: boolean): void;
  /**
   * Canonical JSON of the non-volatile and action-controlled state, keyed by names and configuration ids (no
   * UUIDs; no call segments, device states, statistics or login times), to check that a run left it unchanged.
   */
  stateFingerprint(): string;
  /** The live state itself, for tests that need to look inside. */
  liveState(): LiveState;
  /** Which way this server takes each freedom of LIVE-API.md §5. */
  latitude: Readonly<LatitudeSettings>;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A free port, for a slow start that must announce its port before it listens. */
async function freePort(host: string): Promise<number> {
  const probe = net.createServer();
  const port = await new Promise<number>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host, () => resolve((probe.address() as net.AddressInfo).port));
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<RunningReferenceServer> {
  const faults = new FaultSet(options.faults ?? []);
  const seed = options.seed ?? 1;
  const host = options.host ?? '127.0.0.1';
  const restartDelayMs = options.restartDelayMs ?? 300;
  const churnIntervalMs = typeof options.churn === 'object' ? options.churn.intervalMs : DEFAULT_CHURN_INTERVAL_MS;
  const configuration = generateConfiguration({ seed, size: options.size ?? 1 });
  const base = options.liberal ? LIBERAL_LATITUDE : DEFAULT_LATITUDE;
  const latitude = new Latitude(
    { ...base, callLifetimeMs: options.callLifetimeMs === undefined ? base.callLifetimeMs : options.callLifetimeMs },
    seed,
  );
  const loginCounter = { value: 0 };
  let state = buildLiveState(configuration, { faults, loginCounter });
  const latency = options.latencyMs;
  if (latency && !(Number.isFinite(latency.min) && Number.isFinite(latency.max) && latency.min >= 0 && latency.max >= latency.min)) {
    throw new RangeError(`latencyMs needs 0 <= min <= max, not ${latency.min}-${latency.max}`);
  }
  const latencyRandom = mulberry32(seed ^ 0x5eed1a7);
  const server = createLiveServer({
    faults,
    latitude,
    user: options.user ?? DEFAULT_USER,
    password: options.password ?? DEFAULT_PASSWORD,
    state: () => state,
    staged: {
      momentaryAgents: options.momentaryAgentLogins ? new MomentaryAgents(options.momentaryAgentLogins) : undefined,
      phoneRelogins: options.phoneRelogins ? new PhoneRelogins(options.phoneRelogins.times, options.phoneRelogins.when) : undefined,
      backAtPhone: options.agentsBackAtPhone ? new AgentsBackAtPhone(options.agentsBackAtPhone.times, options.agentsBackAtPhone.leaves) : undefined,
    },
    latencyMs: latency && latency.max > 0 ? () => Math.round(latency.min + latencyRandom() * (latency.max - latency.min)) : undefined,
  });

  let churn: Churn | null = null;
  let churnWanted = Boolean(options.churn);
  let stopped = false;
  const runChurn = (on: boolean) => {
    churn?.stop();
    churn = on && !stopped ? startChurn(() => state, churnIntervalMs, seed, latitude.settings) : null;
  };

  const startDelayMs = options.startDelayMs ?? 0;
  let port: number;
  let ready: Promise<void>;
  if (startDelayMs > 0) {
    port = options.port || (await freePort(host));
    ready = delay(startDelayMs).then(async () => {
      if (!stopped) await listen(server, port, host);
    });
    ready.catch(() => {});
  } else {
    port = await listen(server, options.port ?? 0, host);
    ready = Promise.resolve();
  }
  runChurn(churnWanted);

  // Restarts run one after the other, never interleaved.
  let restarting: Promise<unknown> = Promise.resolve();

  return {
    baseUrl: `http://${urlHost(host)}:${port}${BASE_PATH}`,
    port,
    ready,
    configuration,
    restart() {
      const run = restarting.then(async () => {
        const began = Date.now();
        churn?.stop();
        await close(server);
        state = restartState(state, configuration, { faults, loginCounter });
        await delay(restartDelayMs);
        if (!stopped) {
          await listen(server, port, host);
          runChurn(churnWanted);
        }
        return { downMs: Date.now() - began };
      });
      restarting = run.catch(() => {});
      return run;
    },
    async stop() {
      stopped = true;
      runChurn(false);
      await close(server);
    },
    setChurn(on: boolean) {
      churnWanted = on;
      runChurn(on);
    },
    stateFingerprint: () => stateFingerprint(state),
    liveState: () => state,
    latitude: latitude.settings,
  };
}
