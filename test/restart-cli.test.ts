/**
 * The restart rules through the real CLI (spawned, as a user runs it): against the reference server run as a
 * separate process that a --restart-cmd kills and starts again (slowly: it listens only seconds after it
 * starts), and the verdicts when the command fails, when the target does not come back, when it does not restart
 * at all, and when no command is given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConformanceReport, ReportRule } from '../reporters/report-model.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';

const root = join(import.meta.dirname, '..');
const RESTART_RULES = ['RESTART-NEW-UUIDS', 'RESTART-OLD-404', 'RESTART-NAMES'];
/** The separate server listens only this long after it starts, at the start and after each restart. */
const START_DELAY_MS = 2000;
/** A CLI run is killed after this long; a test may take a little more (its server's start too). */
const CLI_BOUND_MS = 150_000;
const TEST_TIMEOUT_MS = 200_000;

/** Runs the CLI from source with a time bound; resolves with its exit code, its stderr and its JSON report. */
async function runCli(args: string[]): Promise<{ code: number | null; stderr: string; report?: ConformanceReport }> {
  const reportDir = await mkdtemp(join(tmpdir(), 'isym-conform-restart-cli-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'bin/isym-conform.ts'), '--seed', '42', '--runs', '20', '--format', 'json', '--report-dir', reportDir, ...args],
    { cwd: root, env: { ...process.env, NO_COLOR: '1', ISYM_USER: DEFAULT_USER, ISYM_PASSWORD: DEFAULT_PASSWORD }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_BOUND_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  const file = join(reportDir, 'conformance.json');
  return { code, stderr, report: existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as ConformanceReport) : undefined };
}

function rule(report: ConformanceReport | undefined, id: string): ReportRule {
  const found = report?.rules.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`${id} is not in the report`);
  return found;
}

/** A free loopback port. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls the Live API base until it answers, within a time bound. */
async function waitForServer(baseUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const auth = `Basic ${Buffer.from(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`).toString('base64')}`;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${baseUrl}/coreServers`, { headers: { Authorization: auth } })).ok) return;
    } catch {
      // Not listening yet.
    }
    await delay(100);
  }
  throw new Error(`the reference server at ${baseUrl} did not answer within ${timeoutMs} ms`);
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * The reference server as a separate process (node --import tsx, so that its pid is the server's), started by a
 * shell line that records its pid in a file: the same line, after a kill of the recorded pid, is the restart command.
 */
class SeparateReferenceServer {
  readonly pidFile: string;
  readonly baseUrl: string;
  private readonly startLine: string;

  constructor(folder: string, port: number, serverArgs: string[] = []) {
    this.pidFile = join(folder, 'server.pid');
    this.baseUrl = `http://127.0.0.1:${port}/communication_manager/rest/live`;
    const server = [process.execPath, '--import', 'tsx', join(root, 'test/reference-server/cli.ts'), '--port', String(port), '--start-delay', String(START_DELAY_MS), ...serverArgs];
    this.startLine = `${server.map(quote).join(' ')} >>${quote(join(folder, 'server.log'))} 2>&1 & echo $! >${quote(this.pidFile)}`;
  }

  /** Kills the running server, waits until it is gone, and starts a new one (which listens only after its delay). */
  get restartCommand(): string {
    const pid = `$(cat ${quote(this.pidFile)})`;
    return `kill ${pid}; while kill -0 ${pid} 2>/dev/null; do sleep 0.05; done; ${this.startLine}`;
  }

  /** Kills the running server and starts none. */
  get stopCommand(): string {
    return `kill $(cat ${quote(this.pidFile)})`;
  }

  async start(): Promise<void> {
    const shell: ChildProcess = spawn('sh', ['-c', this.startLine], { cwd: root, stdio: 'ignore' });
    await new Promise((resolve) => shell.on('exit', resolve));
    await waitForServer(this.baseUrl, 30_000);
  }

  async pid(): Promise<number> {
    return Number((await readFile(this.pidFile, 'utf8')).trim());
  }

  /** Stops the server the pid file names now, if it still runs. */
  async stop(): Promise<void> {
    try {
      process.kill(await this.pid(), 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

describe('restart rules against the reference server as a separate process', () => {
  let server: SeparateReferenceServer;

  beforeAll(async () => {
    server = new SeparateReferenceServer(await mkdtemp(join(tmpdir(), 'isym-conform-separate-')), await freePort());
    await server.start();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  test('a --restart-cmd that kills the server and starts it again (slowly): the restart rules pass', async () => {
    const pidBefore = await server.pid();
    const { code, stderr, report } = await runCli(['--target', server.baseUrl, '--only', 'RESTART,RECREATE', '--restart-cmd', server.restartCommand, '--ready-timeout', '30']);
    expect(report, stderr).toBeDefined();
    for (const id of [...RESTART_RULES, 'RECREATE-NEW-UUID']) expect(`${id}: ${rule(report, id).verdict} ${rule(report, id).reason ?? ''}`).toBe(`${id}: pass `);
    expect(code).toBe(0);
    // A new process answers now, and the rules noted how long it was away: at least its start delay.
    expect(await server.pid()).not.toBe(pidBefore);
    const note = rule(report, 'RESTART-NEW-UUIDS').notes.find((line) => line.startsWith('restart by --restart-cmd'));
    expect(note).toBeDefined();
    const seconds = Number(/took ([\d.]+) s/.exec(note!)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(START_DELAY_MS / 1000);
    expect(note).toMatch(/down for \d+ ms/);
  }, TEST_TIMEOUT_MS);

  test('a target that does not come back within --ready-timeout: the restart rules are error, with the reason', async () => {
    const { code, report } = await runCli(['--target', server.baseUrl, '--only', 'RESTART', '--restart-cmd', server.stopCommand, '--ready-timeout', '2']);
    for (const id of RESTART_RULES) {
      expect(rule(report, id).verdict).toBe('error');
      expect(rule(report, id).reason).toMatch(/did not answer GET \/coreServers with 200 within 2 s .*no response/);
    }
    expect(code).toBe(1);
    // Bring it back for any test after this one.
    await server.start();
  }, TEST_TIMEOUT_MS);
});

// The liberal server (every freedom of LIVE-API.md §5 taken the other way), churning, restarted by a command that
// kills its process and starts a new one: every rule passes with zero findings.
describe('the liberal reference server as a separate process, churning, restarted by --restart-cmd', () => {
  let server: SeparateReferenceServer;

  beforeAll(async () => {
    server = new SeparateReferenceServer(await mkdtemp(join(tmpdir(), 'isym-conform-liberal-')), await freePort(), ['--liberal', '--churn', '--seed', '5']);
    await server.start();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  test('every rule passes', async () => {
    const { code, stderr, report } = await runCli(['--target', server.baseUrl, '--restart-cmd', server.restartCommand, '--ready-timeout', '30']);
    expect(report, stderr).toBeDefined();
    const notPassed = report!.rules.filter((candidate) => candidate.verdict !== 'pass');
    expect(notPassed.map((candidate) => `${candidate.id}: ${candidate.verdict} ${candidate.reason ?? ''} ${candidate.findings[0]?.message ?? ''}`)).toEqual([]);
    expect(code).toBe(0);
  }, TEST_TIMEOUT_MS);
});

// Each case has its own in-process server and they run at once: a CLI run is mostly start-up time.
describe.concurrent('restart rules against an in-process reference server', () => {
  const servers: RunningReferenceServer[] = [];
  const newServer = async () => {
    const server = await startReferenceServer({ seed: 3 });
    servers.push(server);
    return server;
  };

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  test('a restart command that fails: the restart rules are error with its exit code and output; the rest of the run goes on', async () => {
    const reference = await newServer();
    const { code, report } = await runCli(['--target', reference.baseUrl, '--only', 'RESTART,RECREATE', '--restart-cmd', 'echo cannot restart here >&2; exit 3']);
    for (const id of RESTART_RULES) {
      expect(rule(report, id).verdict).toBe('error');
      expect(rule(report, id).reason).toMatch(/exited with code 3.*cannot restart here/);
    }
    expect(rule(report, 'RECREATE-NEW-UUID').verdict).toBe('pass');
    expect(code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('a restart command that restarts nothing: the UUIDs are kept, and RESTART-NEW-UUIDS fails', async () => {
    const reference = await newServer();
    const { code, report } = await runCli(['--target', reference.baseUrl, '--only', 'RESTART', '--restart-cmd', 'true']);
    expect(rule(report, 'RESTART-NEW-UUIDS').verdict).toBe('fail');
    expect(rule(report, 'RESTART-NEW-UUIDS').notes.join('\n')).toMatch(/may not have restarted at all/);
    expect(rule(report, 'RESTART-OLD-404').verdict).toBe('fail');
    expect(code).toBe(1);
  }, TEST_TIMEOUT_MS);

  test('without --restart-cmd the restart rules are skip with the reason, never pass', async () => {
    const reference = await newServer();
    const { code, report } = await runCli(['--target', reference.baseUrl, '--only', 'RESTART']);
    for (const id of RESTART_RULES) {
      expect(rule(report, id).verdict).toBe('skip');
      expect(rule(report, id).reason).toMatch(/--restart-cmd/);
    }
    expect(code).toBe(0);
  }, TEST_TIMEOUT_MS);

  test('--restart-cmd with --embedded is bad usage', async () => {
    const { code, stderr } = await runCli(['--embedded', '--restart-cmd', 'true']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--restart-cmd goes with --target/);
  }, TEST_TIMEOUT_MS);
});
