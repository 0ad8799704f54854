/**
 * Restarting the target: run the user's restart command (a shell, bounded in time) or, for the embedded
 * reference server, POST to its loopback control URL; then poll `GET /coreServers` until the target answers 200
 * again, up to the ready timeout. A target that refuses connections or answers 503 for a while is restarting,
 * not at fault. Measures how long the target was away.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describeOutcome } from './finding.js';
import type { RestartOptions } from './check.js';
import type { Exchange, TargetClient } from './target-client.js';

/** The path polled to tell whether the target is back: the root collection of every Live API. */
export const READINESS_PATH = '/coreServers';

/** Timing knobs of {@link restartTarget}; the defaults suit a real server. */
export interface RestartTiming {
  /** Pause between two polls, ms. Default 100. */
  pollIntervalMs?: number;
  /**
   * When the command returned and the target kept answering with the same core server UUIDs, without ever
   * being seen away: how long to keep polling before taking that as the restarted target (a server that keeps
   * its UUIDs looks just so; the rules judge it then). Default 3000 ms.
   */
  settleMs?: number;
}

/** A restart that was done and after which the target answers again. */
export interface RestartDone {
  ok: true;
  /** `command` (--restart-cmd) or `control` (the embedded server's control URL). */
  mechanism: 'command' | 'control';
  /** From the start of the restart until the target answered 200 again, ms. */
  totalMs: number;
  /** How long the command (or the control request) took, ms. */
  triggerMs: number;
  /**
   * How long the target was away, ms: as the embedded server measured it, or from the first poll that got no
   * 200 to the first that did. Undefined when no poll ever saw it away.
   */
  downMs?: number;
  /** Polls sent until it answered. */
  polls: number;
  /** True when no poll saw the target away and its core server UUIDs did not change (see settleMs). */
  neverSeenAway: boolean;
  /** The first 200 answer after the restart. */
  readyExchange: Exchange;
}

/** A restart that could not be done, or after which the target did not come back in time. */
export interface RestartFailed {
  ok: false;
  /** One sentence for the `error` verdict. */
  reason: string;
  /** The last poll, when the target was polled. */
  lastExchange?: Exchange;
}

export type RestartOutcome = RestartDone | RestartFailed;

/** The reason given to the restart rules when no restart mechanism is configured. */
export const NO_RESTART_REASON =
  'no restart command given: pass --restart-cmd "SHELL" (and --ready-timeout S) to check the restart rules';

/** The core server UUIDs of a `GET /coreServers` answer, sorted; undefined when the body is no such list. */
function coreServerIds(exchange: Exchange): string[] | undefined {
  if (exchange.status !== 200 || !Array.isArray(exchange.json)) return undefined;
  return (exchange.json as { id?: unknown }[]).map((item) => String(item?.id)).sort();
}

/** Restarts the target and waits until it answers again. Never throws for a problem of the target. */
export async function restartTarget(client: TargetClient, options: RestartOptions, timing: RestartTiming = {}): Promise<RestartOutcome> {
  const timeoutMs = options.readyTimeoutS * 1000;
  const baseline = coreServerIds(await client.get(READINESS_PATH));
  const started = performance.now();
  const mechanism = options.controlUrl !== undefined ? 'control' : 'command';
  let triggered: TriggerResult;
  if (options.controlUrl !== undefined) triggered = await requestControlRestart(options.controlUrl, timeoutMs);
  else if (options.command !== undefined) triggered = await runRestartCommand(options.command, timeoutMs);
  else return { ok: false, reason: NO_RESTART_REASON };
  if (!triggered.ok) return { ok: false, reason: triggered.reason };
  const triggerMs = Math.round(performance.now() - started);

  // The embedded server answers the control request once it listens again: no need to see it go away.
  const waited = await waitUntilAnswering(client, {
    deadline: performance.now() + timeoutMs,
    timeoutS: options.readyTimeoutS,
    baseline,
    restartKnownDone: mechanism === 'control',
    pollIntervalMs: timing.pollIntervalMs ?? 100,
    settleMs: timing.settleMs ?? 3000,
  });
  if (!waited.ok) return waited;
  return {
    ok: true,
    mechanism,
    totalMs: Math.round(performance.now() - started),
    triggerMs,
    downMs: triggered.downMs ?? waited.downMs,
    polls: waited.polls,
    neverSeenAway: waited.neverSeenAway,
    readyExchange: waited.readyExchange,
  };
}

/** A short account of a restart for the rules' notes, e.g. `restart by --restart-cmd: back after 3.2 s, ...`. */
export function describeRestart(restart: RestartDone): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const how = restart.mechanism === 'command' ? '--restart-cmd' : 'the embedded server\'s control URL';
  const trigger = restart.mechanism === 'command' ? `the command returned after ${seconds(restart.triggerMs)}` : `restart requested in ${seconds(restart.triggerMs)}`;
  const down = restart.downMs !== undefined ? `down for ${restart.downMs} ms` : 'never seen down';
  const settle = restart.neverSeenAway ? '; the core server UUIDs did not change, so it may not have restarted at all' : '';
  return `restart by ${how} took ${seconds(restart.totalMs)} until the target answered again (${trigger}, ${down}, ${restart.polls} poll(s))${settle}`;
}

type TriggerResult = { ok: true; downMs?: number } | { ok: false; reason: string };

/** The last lines of a command's output, for an error reason. */
function tail(text: string, lines = 3): string {
  const kept = text.trim().split('\n').slice(-lines).join(' / ');
  return kept.length > 400 ? `…${kept.slice(-400)}` : kept;
}

/**
 * Runs the restart command in a shell, in its own process group so that a command that overstays the time bound
 * is killed whole. Its output goes to a file, not a pipe: a server that the command leaves running in the
 * background keeps writing there without ever blocking or breaking on a closed pipe.
 */
export async function runRestartCommand(command: string, timeoutMs: number): Promise<TriggerResult> {
  const folder = mkdtempSync(join(tmpdir(), 'isym-conform-restart-'));
  const logFile = join(folder, 'output.log');
  const output = openSync(logFile, 'w');
  try {
    const child = spawn(command, { shell: true, detached: true, stdio: ['ignore', output, output] });
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error; timedOut: boolean }>((resolve) => {
      const timer = setTimeout(() => {
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
        resolve({ code: null, signal: 'SIGKILL', timedOut: true });
      }, timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve({ code: null, signal: null, error, timedOut: false });
      });
      // 'exit', not 'close': a background server started by the command holds the output open for its life.
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, timedOut: false });
      });
    });
    child.unref();
    const printed = tail(readFileSync(logFile, 'utf8'));
    const said = printed ? `; it printed: ${printed}` : '';
    if (ended.timedOut) return { ok: false, reason: `the restart command did not return within ${timeoutMs / 1000} s (--ready-timeout) and was killed${said}` };
    if (ended.error) return { ok: false, reason: `the restart command could not be started: ${ended.error.message}` };
    if (ended.code !== 0) {
      const how = ended.code !== null ? `exited with code ${ended.code}` : `was ended by ${ended.signal}`;
      return { ok: false, reason: `the restart command ${how}${said}` };
    }
    return { ok: true };
  } finally {
    closeSync(output);
    rmSync(folder, { recursive: true, force: true });
  }
}

/** POSTs to the embedded server's control URL, which answers once the server listens again, with `{ downMs }`. */
export async function requestControlRestart(url: string, timeoutMs: number): Promise<TriggerResult> {
  try {
    const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    if (!response.ok) return { ok: false, reason: `the restart request to the embedded server answered ${response.status}: ${tail(text)}` };
    const body = JSON.parse(text || '{}') as { downMs?: unknown };
    return { ok: true, downMs: typeof body.downMs === 'number' ? body.downMs : undefined };
  } catch (error) {
    return { ok: false, reason: `the restart request to the embedded server failed: ${(error as Error).message}` };
  }
}

interface WaitOptions {
  deadline: number;
  timeoutS: number;
  /** Core server UUIDs before the restart (undefined when they could not be read). */
  baseline: string[] | undefined;
  restartKnownDone: boolean;
  pollIntervalMs: number;
  settleMs: number;
}

type WaitResult =
  | { ok: true; polls: number; downMs?: number; neverSeenAway: boolean; readyExchange: Exchange }
  | RestartFailed;

/**
 * Polls until the restarted target answers 200. The command may return before the target even went away, so a
 * 200 counts only once the target was seen away or its core server UUIDs changed (or, failing both, after the
 * settle time: a server that keeps its UUIDs is then judged by the rules, not waited for).
 */
async function waitUntilAnswering(client: TargetClient, options: WaitOptions): Promise<WaitResult> {
  const waitStarted = performance.now();
  let polls = 0;
  let awaySince: number | undefined;
  let last: Exchange | undefined;
  for (;;) {
    // An interrupted run halts the client: every poll would fail at once until the deadline.
    if (client.haltedReason !== undefined) return { ok: false, reason: `the wait for the restarted target was cut short: ${client.haltedReason}`, lastExchange: last };
    const pollStarted = performance.now();
    last = await client.get(READINESS_PATH);
    polls += 1;
    const ids = coreServerIds(last);
    if (ids === undefined) {
      awaySince ??= pollStarted;
    } else {
      const changed = options.baseline === undefined || ids.join(',') !== options.baseline.join(',');
      const settled = performance.now() - waitStarted >= options.settleMs;
      if (options.restartKnownDone || awaySince !== undefined || changed || settled) {
        return {
          ok: true,
          polls,
          downMs: awaySince !== undefined ? Math.round(performance.now() - awaySince) : undefined,
          neverSeenAway: awaySince === undefined && !changed && !options.restartKnownDone,
          readyExchange: last,
        };
      }
    }
    if (performance.now() + options.pollIntervalMs > options.deadline) {
      return {
        ok: false,
        reason: `the target did not answer GET ${READINESS_PATH} with 200 within ${options.timeoutS} s (--ready-timeout) after the restart; last answer: ${describeOutcome(last)}`,
        lastExchange: last,
      };
    }
    await delay(options.pollIntervalMs);
  }
}
