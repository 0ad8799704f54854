/**
 * `npm run bench`: how fast the checker is, measured in one run on this machine (not a timed test).
 *
 *  1. Request rate: the checker's sustained request rate against the reference server (requests the server saw
 *     during a full default run, over the time from the first to the last of them), divided by the rate of a raw
 *     HTTP load generator (autocannon) sending the same GET requests to the same server with as many connections
 *     as the checker has requests in flight. The ratio is the overhead of the whole checking pipeline. Next to it,
 *     the ratio's ceiling: the checker's HTTP client alone (supertest) sending the same GETs, judging nothing.
 *  2. Scale: the wall time of a full default run at data-set sizes ×1, ×10 and ×100, and ×100 / ×1.
 *  3. Memory: the peak RSS of the checker's processes (the CLI and its vitest worker) during the ×100 run.
 *  4. The wall time of a default full run with --embedded.
 *  5. Latency: a full default run (restart included) against a reference server that holds each request 20-60 ms,
 *     as a real server on a network does: its wall time and the requests it sent, per rule too.
 *  6. --concurrency: the ×1 run again with other bounds of requests in flight, when the CLI has the option, and
 *     (without --quick) the latency row again at 12 and 16 in flight.
 *
 * Everything ends in one table, each figure next to its target.
 *
 * Each run is the CLI as a user starts it, a child process: the built one (`npm run build` first, then
 * `node dist/bin/isym-conform.js`, as the package's bin runs), or with --from-source `node --import tsx
 * bin/isym-conform.ts` (tsx's loader alone adds some 180 MiB to the CLI's process). The target is a reference
 * server in this process that counts the requests it serves (diagnostics_channel, no proxy in between).
 * Options: --quick (×1 and ×10 only, shorter load), --runs N (fast-check runs per property; default the CLI's).
 */
import { spawn } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import type http from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startControlServer } from '../reference-server/control-server.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer } from '../reference-server/index.js';
import { readOnlyRules } from '../../suites/work-split.js';
import { canMeasureProcessMemory, watchTreeMemory, type TreeMemory } from './process-memory.js';

const root = join(import.meta.dirname, '..', '..');
const MiB = 1024 * 1024;

/** The targets the figures are held against. */
const targets = { rateRatio: 0.5, scaleRatio: 2, peakRssMiB: 300, embeddedRunS: 10, latencyRunS: 60 };

/** The latency of the slow reference server of the latency row, ms. */
const benchLatency = { min: 20, max: 60 };

/** One request the reference server served. */
interface ServedRequest {
  at: number;
  method: string;
  url: string;
  authorized: boolean;
}

/** Every request served by an HTTP server of this process, while recording. */
class RequestLog {
  private recording = false;
  readonly served: ServedRequest[] = [];
  private readonly authorization = `Basic ${Buffer.from(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`).toString('base64')}`;

  constructor() {
    diagnostics.subscribe('http.server.request.start', (message) => {
      if (!this.recording) return;
      const request = (message as { request: http.IncomingMessage }).request;
      this.served.push({
        at: performance.now(),
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        authorized: request.headers.authorization === this.authorization,
      });
    });
  }

  start(): void {
    this.served.length = 0;
    this.recording = true;
  }

  stop(): ServedRequest[] {
    this.recording = false;
    return [...this.served];
  }
}

/**
 * The tree without the restart command's processes (the user's command, here a `node -e fetch(...)`, and its
 * shell): they are not the checker's.
 */
function withoutRestartCommand(tree: TreeMemory): TreeMemory {
  // By the start of the command line: the checker's own command line holds the restart command as an argument.
  const processes = new Map([...tree.processes].filter(([, p]) => !/^\S*node -e fetch\(|^\/bin\/sh -c/.test(p.command)));
  const peaks = [...processes.values()].map((p) => p.peakBytes);
  return { processes, largestPeakBytes: Math.max(0, ...peaks), sumOfPeaksBytes: peaks.reduce((a, b) => a + b, 0) };
}

/** What one CLI run gave. */
interface CliRun {
  exitCode: number | null;
  wallS: number;
  memory?: TreeMemory;
  stderr: string;
  report?: {
    durationMs: number;
    summary: Record<string, number>;
    options?: { concurrency?: number };
    rules: { id: string; verdict: string; durationMs: number; requests: number; reason?: string; findings: { message: string; actual: string }[] }[];
  };
}

/** How the CLI is started: built (dist/) or from source through tsx. */
let cliEntry: string[] = [join(root, 'dist/bin/isym-conform.js')];

/** Builds the CLI (tsc, as `npm run build`); false when the build fails. */
function buildCli(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'ignore' });
    child.on('close', (code) => resolve(code === 0));
  });
}

/** Runs the CLI as a child process, sampling the memory of its process tree. */
async function runCli(args: string[]): Promise<CliRun> {
  const reportDir = await mkdtemp(join(tmpdir(), 'isym-bench-'));
  const started = performance.now();
  const child = spawn(process.execPath, [...cliEntry, ...args, '--format', 'json', '--report-dir', reportDir], {
    cwd: root,
    // Credentials by the environment, as a CI passes them: no password in a command line this bench prints.
    env: { ...process.env, NO_COLOR: '1', ISYM_USER: DEFAULT_USER, ISYM_PASSWORD: DEFAULT_PASSWORD },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const memory = canMeasureProcessMemory() && child.pid !== undefined ? watchTreeMemory(child.pid, 25) : undefined;
  const checkerOnly = (tree: TreeMemory | undefined) => (tree ? withoutRestartCommand(tree) : undefined);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // 'exit' comes before the process is reaped: the last memory sample still finds it.
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const tree = checkerOnly(memory?.stop());
  const wallS = (performance.now() - started) / 1000;
  let report: CliRun['report'];
  try {
    report = JSON.parse(await readFile(join(reportDir, 'conformance.json'), 'utf8'));
  } catch {
    report = undefined;
  }
  await rm(reportDir, { recursive: true, force: true });
  return { exitCode, wallS, memory: tree, stderr, report };
}

/** A full default run of the checker against a reference server of `size`, with the server's request log. */
async function checkerRun(
  size: number,
  log: RequestLog,
  extraArgs: string[],
  latencyMs?: { min: number; max: number },
): Promise<CliRun & { served: ServedRequest[]; size: number }> {
  const reference = await startReferenceServer({ size, seed: 1, latencyMs });
  const control = await startControlServer(reference);
  const restartCommand = `node -e "fetch('${control.restartUrl}', { method: 'POST' }).then((r) => process.exit(r.ok ? 0 : 1))"`;
  try {
    log.start();
    const run = await runCli([
      '--target', reference.baseUrl,
      '--restart-cmd', restartCommand, '--seed', '42', ...extraArgs,
    ]);
    return { ...run, served: log.stop(), size };
  } finally {
    await control.stop();
    await reference.stop();
  }
}

/** Requests per second over the span from the first to the last request. */
function sustainedRate(served: ServedRequest[]): number {
  if (served.length < 2) return 0;
  return (served.length - 1) / ((served[served.length - 1].at - served[0].at) / 1000);
}

/** autocannon's rate for `paths` (GET, valid credentials, in the checker's order, cycled) on a fresh server of `size`. */
async function rawRate(size: number, paths: string[], connections: number, durationS: number): Promise<number> {
  const reference = await startReferenceServer({ size, seed: 1 });
  try {
    const base = new URL(reference.baseUrl);
    const result = await autocannon({
      url: base.origin,
      connections,
      duration: durationS,
      headers: { authorization: `Basic ${Buffer.from(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`).toString('base64')}`, accept: 'application/json' },
      requests: paths.map((path) => ({ method: 'GET' as const, path })),
    });
    return result.requests.total / durationS;
  } finally {
    await reference.stop();
  }
}

/**
 * The request rate of the checker's HTTP client alone over `paths` (GET, valid credentials), in a child process as
 * the checker runs, against a fresh server of `size` in this process as in the other rows; undefined if it failed.
 */
async function transportRate(size: number, paths: string[], inFlight: number, durationS: number): Promise<number | undefined> {
  const reference = await startReferenceServer({ size, seed: 1 });
  const directory = await mkdtemp(join(tmpdir(), 'isym-bench-paths-'));
  try {
    const base = new URL(reference.baseUrl).pathname;
    const pathsFile = join(directory, 'paths.json');
    await writeFile(pathsFile, JSON.stringify(paths.map((path) => (path.startsWith(base) ? path.slice(base.length) : path))));
    const output = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/bench/transport-rate.ts'), reference.baseUrl, pathsFile, String(inFlight), String(durationS)], {
        cwd: root,
        env: { ...process.env, ISYM_USER: DEFAULT_USER, ISYM_PASSWORD: DEFAULT_PASSWORD },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.on('close', () => resolve(text));
    });
    return (JSON.parse(output) as { rate: number }).rate;
  } catch {
    return undefined;
  } finally {
    await rm(directory, { recursive: true, force: true });
    await reference.stop();
  }
}

/** The paths of the checker's GETs with valid credentials (the load generator's request mix). */
function checkerGetPaths(served: ServedRequest[]): string[] {
  return served.filter((request) => request.method === 'GET' && request.authorized).map((request) => request.url);
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${(bytes / MiB).toFixed(0)} MiB`;
}

function verdicts(run: CliRun): string {
  const summary = run.report?.summary;
  return summary ? `${summary.pass} pass, ${summary.fail} fail, ${summary.skip} skip, ${summary.error} error` : `no report (exit ${run.exitCode})`;
}

function meets(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

/** Whether the CLI knows an option (it is listed in --help). */
async function cliHasOption(option: string): Promise<boolean> {
  const help = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [...cliEntry, '--help'], { cwd: root });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', () => resolve(out));
  });
  return help.includes(option);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, runs: { type: 'string' }, 'from-source': { type: 'boolean' } }, strict: true });
  const quick = Boolean(values.quick);
  const extra = values.runs ? ['--runs', values.runs] : [];
  const sizes = quick ? [1, 10] : [1, 10, 100];
  const log = new RequestLog();
  const out = (line = '') => process.stdout.write(`${line}\n`);

  out(`isym-conform bench — node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${(await loadAverage()).join(' ')}`);
  if (values['from-source'] || !(await buildCli())) {
    cliEntry = ['--import', 'tsx', join(root, 'bin/isym-conform.ts')];
    out(`the CLI runs from source through tsx${values['from-source'] ? '' : ' (the build failed)'}: its memory includes tsx's loader`);
  } else {
    out('the CLI runs built (npm run build; node dist/bin/isym-conform.js)');
  }
  out();

  // A warm-up run, not measured: vite's transform cache for the suites is filled on the first run of a machine.
  await checkerRun(1, log, [...extra, '--only', 'ADDR-UUID']);

  const runs: (CliRun & { served: ServedRequest[]; size: number })[] = [];
  for (const size of sizes) {
    const run = await checkerRun(size, log, extra);
    runs.push(run);
    const ruleS = (run.report?.rules ?? []).reduce((sum, rule) => sum + rule.durationMs, 0) / 1000;
    out(
      `×${String(size).padEnd(3)} full run: ${run.wallS.toFixed(1)} s wall (rules ${ruleS.toFixed(1)} s), ${run.served.length} requests, ` +
        `${verdicts(run)}, peak RSS largest process ${mib(run.memory?.largestPeakBytes)}, all processes ${mib(run.memory?.sumOfPeaksBytes)}`,
    );
    if (run.exitCode !== 0) out(`   (exit ${run.exitCode}: ${run.stderr.trim().split('\n').slice(-3).join(' / ')})`);
    for (const rule of run.report?.rules ?? []) {
      if (rule.verdict === 'fail' || rule.verdict === 'error') {
        out(`   ${rule.verdict} ${rule.id}: ${(rule.reason ?? `${rule.findings[0]?.message} — ${rule.findings[0]?.actual}`).split('\n')[0].slice(0, 300)}`);
      }
    }
    out(`   slowest rules: ${perRule(run, 6)}`);
  }

  // 1. Request rate against the raw load generator, on the ×1 run's own request mix.
  const base = runs[0];
  const inFlight = base.report?.options?.concurrency ?? 1;
  const checkerRate = sustainedRate(base.served);
  const paths = checkerGetPaths(base.served);
  const loadRate = await rawRate(1, paths, inFlight, quick ? 3 : 8);
  const rateRatio = checkerRate / loadRate;
  out();
  out(`request rate: checker ${checkerRate.toFixed(0)} req/s sustained (${base.served.length} requests, ${inFlight} in flight at most), ` +
    `autocannon ${loadRate.toFixed(0)} req/s (${paths.length} GET paths cycled, ${inFlight} connection(s)): ratio ${rateRatio.toFixed(2)} ` +
    `(target ≥ ${targets.rateRatio}: ${meets(rateRatio >= targets.rateRatio)})`);

  // The ceiling of that ratio: the checker's HTTP client alone (supertest, as every rule sends), judging nothing.
  const transport = await transportRate(1, paths, inFlight, quick ? 3 : 8);
  out(`   the checker's HTTP client alone (TargetClient on supertest, same paths, ${inFlight} in flight, nothing judged): ` +
    `${transport === undefined ? 'not measured' : `${transport.toFixed(0)} req/s, ratio ${(transport / loadRate).toFixed(2)}: the most any checker on this client reaches`}`);

  // The same inside the read-only rules: they start together and run beside each other (and beside the rules that
  // act), so their own requests over the time until the last of them ended (discovery's are not theirs).
  const readOnly = (base.report?.rules ?? []).filter((rule) => readOnlyRules.has(rule.id) && rule.requests > 0);
  const readOnlyRate = readOnly.reduce((sum, rule) => sum + rule.requests, 0) / (Math.max(0, ...readOnly.map((rule) => rule.durationMs)) / 1000);
  out(`   inside the read-only rules (their requests until the last of them ended): ${readOnlyRate.toFixed(0)} req/s, ratio ${(readOnlyRate / loadRate).toFixed(2)}`);

  // 2. Scale.
  const largest = runs[runs.length - 1];
  const scaleRatio = largest.wallS / base.wallS;
  out(`scale: ×${largest.size} / ×1 wall time = ${largest.wallS.toFixed(1)} s / ${base.wallS.toFixed(1)} s = ${scaleRatio.toFixed(2)} ` +
    `(target ≤ ${targets.scaleRatio}: ${meets(scaleRatio <= targets.scaleRatio)}); requests ×1 ${base.served.length}, ×${largest.size} ${largest.served.length}`);

  // 3. Memory at the largest size.
  const peak = largest.memory ? largest.memory.sumOfPeaksBytes / MiB : undefined;
  if (largest.memory && peak !== undefined) {
    out(`peak RSS at ×${largest.size}: ${peak.toFixed(0)} MiB over the checker's processes (sum of each one's peak; largest one ${mib(largest.memory.largestPeakBytes)}) ` +
      `(target < ${targets.peakRssMiB} MB: ${meets(peak * 1.048576 < targets.peakRssMiB)})`);
    for (const [pid, process] of largest.memory.processes) out(`   pid ${pid}: ${mib(process.peakBytes)}  ${process.command.replace(root, '.')}`);
  } else {
    out('peak RSS: not measurable here (no /proc)');
  }

  // 4. --embedded, as a user tries the tool.
  const embedded = await runCli(['--embedded', '--seed', '42', ...extra]);
  out(`--embedded default full run: ${embedded.wallS.toFixed(1)} s wall, ${verdicts(embedded)} (target < ${targets.embeddedRunS} s: ${meets(embedded.wallS < targets.embeddedRunS)})`);

  // 5. Latency: a full default run against a server that answers in 20-60 ms.
  const slow = await checkerRun(1, log, extra, benchLatency);
  out();
  out(`latency ${benchLatency.min}-${benchLatency.max} ms, ×1 full run: ${slow.wallS.toFixed(1)} s wall, ${slow.served.length} requests, ${verdicts(slow)} ` +
    `(target < ${targets.latencyRunS} s: ${meets(slow.wallS < targets.latencyRunS)})`);
  for (const rule of slow.report?.rules ?? []) {
    if (rule.verdict === 'fail' || rule.verdict === 'error') out(`   ${rule.verdict} ${rule.id}: ${(rule.reason ?? rule.findings[0]?.message ?? '').split('\n')[0].slice(0, 300)}`);
  }
  out(`   rules by time: ${perRule(slow, Infinity)}`);

  // The figures and their targets, in one table.
  const rows: [string, string, string, boolean | undefined][] = [
    [`latency ${benchLatency.min}-${benchLatency.max} ms, full default run`, `${slow.wallS.toFixed(1)} s, ${slow.served.length} requests`, `< ${targets.latencyRunS} s`, slow.wallS < targets.latencyRunS],
    [`scale ×${largest.size} / ×1 wall time`, `${scaleRatio.toFixed(2)} (${largest.wallS.toFixed(1)} s / ${base.wallS.toFixed(1)} s; ${largest.served.length} / ${base.served.length} requests)`, `≤ ${targets.scaleRatio}`, scaleRatio <= targets.scaleRatio],
    [`peak RSS at ×${largest.size} (checker's processes)`, peak === undefined ? 'n/a' : `${peak.toFixed(0)} MiB`, `< ${targets.peakRssMiB} MiB`, peak === undefined ? undefined : peak < targets.peakRssMiB],
    [`request rate / autocannon (${inFlight} in flight)`, `${rateRatio.toFixed(2)} (${checkerRate.toFixed(0)} / ${loadRate.toFixed(0)} req/s)`, `≥ ${targets.rateRatio}`, rateRatio >= targets.rateRatio],
    [
      `  its ceiling: the HTTP client (supertest) alone / autocannon`,
      transport === undefined ? 'not measured' : `${(transport / loadRate).toFixed(2)} (${transport.toFixed(0)} / ${loadRate.toFixed(0)} req/s)`,
      'none (the most the row above can reach)',
      undefined,
    ],
    ['--embedded default run', `${embedded.wallS.toFixed(1)} s`, `< ${targets.embeddedRunS} s`, embedded.wallS < targets.embeddedRunS],
  ];
  out();
  out('| figure | value | target | |');
  out('|---|---|---|---|');
  for (const [figure, value, target, ok] of rows) out(`| ${figure} | ${value} | ${target} | ${ok === undefined ? 'n/a' : meets(ok)} |`);
  out();
  const heavy = [...(slow.report?.rules ?? [])].sort((a, b) => b.durationMs - a.durationMs).slice(0, 8).map((rule) => rule.id);
  out(`| rule | latency run: requests | s | ×1: requests | s | ×${largest.size}: requests | s |`);
  out('|---|---|---|---|---|---|---|');
  const ruleOf = (run: CliRun, id: string) => run.report?.rules.find((rule) => rule.id === id);
  const cell = (run: CliRun, id: string) => {
    const rule = ruleOf(run, id);
    return rule ? `${rule.requests} | ${(rule.durationMs / 1000).toFixed(1)}` : '- | -';
  };
  for (const id of heavy) out(`| ${id} | ${cell(slow, id)} | ${cell(base, id)} | ${cell(largest, id)} |`);

  // 6. --concurrency.
  if (await cliHasOption('--concurrency')) {
    out();
    for (const concurrency of [1, 2, 4, 8, 16]) {
      const run = await checkerRun(1, log, [...extra, '--concurrency', String(concurrency)]);
      const ruleS = (run.report?.rules ?? []).reduce((sum, rule) => sum + rule.durationMs, 0) / 1000;
      out(`--concurrency ${concurrency}: ${run.wallS.toFixed(1)} s wall, report ${(run.report?.durationMs ?? 0) / 1000} s, rules ${ruleS.toFixed(1)} s, ` +
        `${sustainedRate(run.served).toFixed(0)} req/s sustained, ${verdicts(run)}`);
    }
    // On a network the bound decides the latency row (on loopback, above, it hardly matters): the same row with
    // more in flight, for whoever weighs the default against what a production PBX takes.
    if (!quick) {
      for (const concurrency of [12, 16]) {
        const run = await checkerRun(1, log, [...extra, '--concurrency', String(concurrency)], benchLatency);
        out(`latency ${benchLatency.min}-${benchLatency.max} ms with --concurrency ${concurrency}: ${run.wallS.toFixed(1)} s wall, ${run.served.length} requests, ${verdicts(run)}`);
      }
    }
  }
}

/** The rules of a run, slowest first (at most `count`): id, seconds and requests. */
function perRule(run: CliRun, count: number): string {
  return [...(run.report?.rules ?? [])]
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, count)
    .map((rule) => `${rule.id} ${(rule.durationMs / 1000).toFixed(1)} s / ${rule.requests} req`)
    .join(', ');
}

async function loadAverage(): Promise<string[]> {
  const { loadavg } = await import('node:os');
  return loadavg().map((value) => value.toFixed(2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
