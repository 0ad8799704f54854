/**
 * One conformance run, as the CLI and the self-tests start it: load the contract, make sure the target answers,
 * run the suites under vitest with the conformance reporter, build the report model and write the reports.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestSequencerConstructor, TestSpecification } from 'vitest/node';
import { ContractError } from '../../contracts/contract-error.js';
import { defaultContractPath, loadContract, type LoadedContract } from '../../contracts/load-contract.js';
import { ConformanceReporter } from '../../reporters/conformance-reporter.js';
import { formatByName, reportFormats } from '../../reporters/index.js';
import { buildReport, compareWithBaseline, reportFails, type ConformanceReport } from '../../reporters/report-model.js';
import type { RuleResult } from '../check.js';
import { checks } from '../checks/index.js';
import { buildContractCoverage } from '../coverage.js';
import { interruptedResult } from '../interruptible.js';
import type { ReplayPlan } from '../replay.js';
import { PreviousReportError, readPreviousReport, replayPlanFromReport } from './previous-report.js';
import { familyOrder, matchesSelector } from '../../reporters/vocabulary/rules.js';
import type { RestartOptions } from '../check.js';
import type { SuiteOptions, TlsOptions } from '../suite-options.js';
import { checkRunInputs, prepareReportDir } from './run-inputs.js';
import { certificateAdvice, TargetClient } from '../target-client.js';
import { formatShard, inShard, type Shard } from '../work-split.js';

/** Options of one run. */
export interface ConformanceRunOptions {
  /** The Live API base URL, e.g. `http://pbx:58080/communication_manager/rest/live`. */
  target: string;
  user?: string;
  password?: string;
  /** The contract file. Default: the shipped contracts/isymphony-live.yaml. */
  contractPath?: string;
  /** Where the reports go. Default `./conformance-report`. */
  reportDir?: string;
  /** Formats to write. Default: all. */
  formats?: string[];
  /** fast-check seed. Default: a random one, recorded in the report. */
  seed?: number;
  /** fast-check runs per property. Default 100. */
  numRuns?: number;
  only?: string[];
  skip?: string[];
  coreServer?: string;
  /** Per-request timeout, ms. Default 10000. */
  requestTimeoutMs?: number;
  restart?: RestartOptions;
  /** Fail the run on SHOULD rules too. */
  strict?: boolean;
  /** Called with each rule's result as it is decided. */
  onRuleDecided?: (result: RuleResult) => void;
  /** Called when a rule starts, with its id and family. */
  onRuleStarted?: (ruleId: string, family: string) => void;
  /** --replay: a previous conformance.json whose failing cases (of the rules `only` selects) are sent again. */
  replayFrom?: string;
  /** --baseline: a previous conformance.json; failures already in it do not fail the run. */
  baselineFile?: string;
  /** --max-time: the run stops after this long (ms) and writes a partial report. */
  maxTimeMs?: number;
  /** Aborting it interrupts the run as Ctrl-C does (a partial report is written). */
  signal?: AbortSignal;
  /** Listen for SIGINT during the run and interrupt it (the CLI sets this). Default false. */
  handleSigint?: boolean;
  /** --concurrency: requests in flight at once, at most; above 1 the read-only rules also run at once. Default {@link DEFAULT_CONCURRENCY}. */
  concurrency?: number;
  /** --shard i/n: run only this shard's rules (see work-split.ts); `isym-conform merge` joins the shards' reports. */
  shard?: Shard;
  /** --rule-timeout: how long one rule may run, ms. Default 600 s, or more when the restart's ready timeout needs it. */
  ruleTimeoutMs?: number;
  /** --require-all: a MUST rule that was not checked (skipped) fails the run. Default false. */
  requireAll?: boolean;
  /** --cacert: a PEM file of the CA that signed an https target's certificate. */
  caFile?: string;
  /** --insecure: do not check an https target's certificate. Default false. */
  insecure?: boolean;
  /** --sut "NAME VERSION": the system under test, recorded in the report as the user names it. */
  sut?: string;
  /** The config file the options came from in part (--config, or the one found), recorded in the report's options. */
  configFile?: string;
}

/**
 * Requests in flight at once by default (--concurrency): enough to hide a network's latency, few enough for a
 * PBX that also serves its operators. `--concurrency 1` sends one at a time.
 */
export const DEFAULT_CONCURRENCY = 8;

/** What a run gives back. */
export interface ConformanceRunResult {
  /** 0 conformant, 1 a MUST rule failed, 2 bad usage or contract, 3 target unreachable. */
  exitCode: 0 | 1 | 2 | 3;
  /** The report, when the suites ran. */
  report?: ConformanceReport;
  /** Files written. */
  files: string[];
  /** What went wrong before the suites could run, for exit codes 2 and 3. */
  message?: string;
}

/** The folder of the package (where package.json and suites/ are), from source or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('isym-conform: cannot find the package root (no package.json above the code).');
    dir = up;
  }
  return dir;
}

/**
 * Where the suite files are: in the folder above the runner's. Run from source, they are the TypeScript files of
 * suites/; run from dist/ (the installed package), the compiled ones of dist/suites/, so the package ships no source.
 */
const suitesDir = dirname(dirname(fileURLToPath(import.meta.url)));
const suiteFileEnding = fileURLToPath(import.meta.url).endsWith('.ts') ? '.suite.ts' : '.suite.js';

/** The tool's name and version, from package.json. */
export async function toolInfo(): Promise<{ name: string; version: string }> {
  const pkg = JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

/** A sequencer that runs the suite files in family order: reads first, actions next, the restart last. */
function familyOrderSequencer(BaseSequencer: typeof import('vitest/node').BaseSequencer): TestSequencerConstructor {
  return class FamilyOrderSequencer extends BaseSequencer {
    async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const rank = (file: TestSpecification) => {
        const index = familyOrder.findIndex((family) => file.moduleId.endsWith(`${family}${suiteFileEnding}`));
        return index === -1 ? familyOrder.length : index;
      };
      return [...files].sort((a, b) => rank(a) - rank(b));
    }
  };
}

/**
 * Asks the target for its core servers: tells an unreachable target (3), an untrusted certificate (3), a URL that
 * is not the Live API base (2), and missing or refused credentials (2) early.
 */
async function probeTarget(options: ConformanceRunOptions, tls: TlsOptions | undefined): Promise<ConformanceRunResult | undefined> {
  const client = new TargetClient({
    baseUrl: options.target,
    user: options.user,
    password: options.password,
    requestTimeoutMs: options.requestTimeoutMs,
    ca: tls?.ca,
    caFile: tls?.caFile,
    insecure: tls?.insecure,
  });
  try {
    const probe = await client.get('/coreServers');
    if (probe.status === 0 && probe.transportError?.includes(certificateAdvice)) {
      return { exitCode: 3, files: [], message: `Cannot reach the target ${options.target} over TLS: ${probe.transportError}.` };
    }
    if (probe.status === 0) {
      return {
        exitCode: 3,
        files: [],
        message: `Cannot reach the target ${options.target}: ${probe.transportError}. Check that the server runs and that --target is the Live API base (e.g. http://HOST:58080/communication_manager/rest/live).`,
      };
    }
    if (probe.status === 404) {
      return {
        exitCode: 2,
        files: [],
        message: `GET ${client.baseUrl}/coreServers answered 404: is --target the Live API base, …/communication_manager/rest/live?`,
      };
    }
    if ((probe.status === 401 || probe.status === 403) && options.user === undefined) {
      return {
        exitCode: 2,
        files: [],
        message: `The target asks for credentials (GET /coreServers answered ${probe.status} without any): set ISYM_USER and ISYM_PASSWORD (or give --user and --password).`,
      };
    }
    if (probe.status === 401 || probe.status === 403) {
      return {
        exitCode: 2,
        files: [],
        message: `The target refused the credentials given (GET /coreServers answered ${probe.status}). Check --user/--password (or ISYM_USER/ISYM_PASSWORD), and that the server's ACL admits this machine.`,
      };
    }
    return undefined;
  } finally {
    client.close();
  }
}


/**
 * How long one rule may run, ms: --rule-timeout, else 10 minutes, or more when a restart may take longer (the
 * restart rules wait up to the ready timeout, after the restart command's own time, which is bounded by it too).
 */
function ruleTimeoutMs(options: ConformanceRunOptions): number {
  return options.ruleTimeoutMs ?? Math.max(600_000, 2 * (options.restart?.readyTimeoutS ?? 0) * 1000 + 120_000);
}

/** Options as the report shows them: no credentials. */
function publicOptions(options: ConformanceRunOptions, seed: number, numRuns: number): Record<string, unknown> {
  return {
    target: options.target,
    contract: options.contractPath ?? 'built-in',
    formats: options.formats ?? reportFormats.map((f) => f.name),
    seed,
    runs: numRuns,
    only: options.only ?? [],
    skip: options.skip ?? [],
    coreServer: options.coreServer,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    restart: options.restart ? { command: options.restart.command ? '(given)' : undefined, embedded: Boolean(options.restart.controlUrl), readyTimeoutS: options.restart.readyTimeoutS } : undefined,
    strict: options.strict ?? false,
    maxTimeMs: options.maxTimeMs,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    shard: options.shard ? formatShard(options.shard) : undefined,
    ruleTimeoutMs: ruleTimeoutMs(options),
    replay: options.replayFrom,
    baseline: options.baselineFile,
    credentials: options.user !== undefined ? '$ISYM_USER:$ISYM_PASSWORD' : 'none',
    requireAll: options.requireAll || undefined,
    cacert: options.caFile !== undefined ? resolve(options.caFile) : undefined,
    insecure: options.insecure || undefined,
    config: options.configFile,
  };
}

/** Writes the report in each selected format; returns the files written. */
export async function writeReports(report: ConformanceReport, reportDir: string, formats: string[]): Promise<string[]> {
  const problem = await prepareReportDir(reportDir);
  if (problem) throw new Error(problem);
  const files: string[] = [];
  for (const name of formats) {
    const format = formatByName(name);
    if (!format) continue;
    const file = join(reportDir, format.fileName);
    await writeFile(file, format.render(report));
    files.push(file);
  }
  return files;
}

/** What interrupts a run: SIGINT (when asked), the caller's signal, or --max-time (counted from `runStarted`). */
function watchForInterrupt(options: ConformanceRunOptions, runStarted: number, cancel: (reason: 'signal' | 'max-time') => unknown) {
  let interrupted: ConformanceReport['interrupted'];
  const interrupt = (reason: 'signal' | 'max-time', detail: string) => {
    if (interrupted) return;
    interrupted = { reason, detail };
    void cancel(reason);
  };
  const onSigint = () => interrupt('signal', 'interrupted by SIGINT (Ctrl-C)');
  const onAbort = () => interrupt('signal', 'interrupted by the caller');
  // Only the first Ctrl-C is caught: a second one ends the process at once, as usual.
  if (options.handleSigint) process.once('SIGINT', onSigint);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const remainingMs = options.maxTimeMs !== undefined ? Math.max(0, options.maxTimeMs - (performance.now() - runStarted)) : undefined;
  const timer =
    remainingMs !== undefined ? setTimeout(() => interrupt('max-time', `stopped by --max-time after ${options.maxTimeMs! / 1000} s`), remainingMs) : undefined;
  return {
    interrupted: () => interrupted,
    stop() {
      clearTimeout(timer);
      process.removeListener('SIGINT', onSigint);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Moves credentials written into the target URL (`http://user:pass@pbx/...`) to user and password (unless those
 * are given), so that the URL every report and curl line shows holds none.
 */
function withoutUrlCredentials(options: ConformanceRunOptions): ConformanceRunOptions {
  let url: URL;
  try {
    url = new URL(options.target);
  } catch {
    return options;
  }
  if (!url.username && !url.password) return options;
  const user = options.user ?? decodeURIComponent(url.username);
  const password = options.password ?? decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { ...options, target: url.href, user, password };
}

/**
 * The report of a run that the probe stopped (target unreachable, credentials refused): every rule the run was
 * to decide is `error` with the probe's message, so a CI job's JUnit tab and summary say why nothing passed.
 */
async function writeProbeFailureReport(options: ConformanceRunOptions, contract: LoadedContract, message: string): Promise<{ report: ConformanceReport; files: string[] }> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const numRuns = options.numRuns ?? 100;
  const selected = checks.filter(
    (check) =>
      inShard(check.ruleId, options.shard) &&
      !(options.only?.length && !matchesSelector(check.ruleId, options.only)) &&
      !matchesSelector(check.ruleId, options.skip ?? []),
  );
  const now = new Date();
  const report = buildReport(
    selected.map((check) => ({ ...interruptedResult(check.ruleId), reason: `not run: ${message}` })),
    {
      tool: await toolInfo(),
      contract: { title: contract.title, version: contract.version, sha256: contract.sha256 },
      targetUrl: options.target,
      sut: options.sut,
      startedAt: now,
      finishedAt: now,
      seed,
      options: publicOptions(options, seed, numRuns),
      runErrors: [message],
    },
  );
  const formats = options.formats ?? reportFormats.map((f) => f.name);
  return { report, files: await writeReports(report, resolve(options.reportDir ?? 'conformance-report'), formats) };
}

/** Runs the checker against a target and writes the reports. Never throws for a problem of the target. */
export async function runConformance(given: ConformanceRunOptions): Promise<ConformanceRunResult> {
  // --max-time counts from here: loading the contract and starting vitest are part of the run.
  const runStarted = performance.now();
  const options = withoutUrlCredentials(given);
  const formats = options.formats ?? reportFormats.map((f) => f.name);
  const unknownFormat = formats.find((name) => !formatByName(name));
  if (unknownFormat) {
    return { exitCode: 2, files: [], message: `Unknown report format "${unknownFormat}". Use one or more of: ${reportFormats.map((f) => f.name).join(', ')}.` };
  }
  const inputs = await checkRunInputs(options);
  if (inputs.problem) return { exitCode: 2, files: [], message: inputs.problem };
  const contractPath = resolve(options.contractPath ?? defaultContractPath);
  let contract: LoadedContract;
  try {
    contract = await loadContract(contractPath);
  } catch (error) {
    if (error instanceof ContractError) return { exitCode: 2, files: [], message: `Invalid contract ${contractPath}: ${error.message}` };
    throw error;
  }
  let replay: { plan: ReplayPlan; source: ConformanceReport } | undefined;
  let baseline: ConformanceReport | undefined;
  try {
    if (options.replayFrom) {
      const source = await readPreviousReport(options.replayFrom, '--replay');
      const plan = replayPlanFromReport(source, options.only);
      if (Object.keys(plan).length === 0) {
        return { exitCode: 2, files: [], message: `--replay ${options.replayFrom}: it records no failing rule${options.only?.length ? ` among ${options.only.join(',')}` : ''}, so there is nothing to replay.` };
      }
      replay = { plan, source };
    }
    if (options.baselineFile) baseline = await readPreviousReport(options.baselineFile, '--baseline');
  } catch (error) {
    if (error instanceof PreviousReportError) return { exitCode: 2, files: [], message: error.message };
    throw error;
  }
  const probed = await probeTarget(options, inputs.tls);
  if (probed) return { ...probed, ...(await writeProbeFailureReport(options, contract, probed.message!)) };

  // A replay rebuilds its cases from the instances that discovery samples with the recorded seed (and core server).
  const seed = options.seed ?? replay?.source.seed ?? Math.floor(Math.random() * 2 ** 31);
  const recordedCoreServer = replay?.source.options?.coreServer;
  const coreServer = options.coreServer ?? (typeof recordedCoreServer === 'string' ? recordedCoreServer : undefined);
  const numRuns = options.numRuns ?? 100;
  const suiteOptions: SuiteOptions = {
    target: options.target,
    user: options.user,
    password: options.password,
    contractPath,
    seed,
    numRuns,
    only: options.only ?? [],
    skip: options.skip ?? [],
    coreServer,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    restart: options.restart,
    ruleTimeoutMs: ruleTimeoutMs(options),
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    shard: options.shard,
    tls: inputs.tls,
  };
  if (replay) suiteOptions.replays = replay.plan;
  const reporter = new ConformanceReporter({ onRuleDecided: options.onRuleDecided, onRuleStarted: options.onRuleStarted });
  const root = packageRoot();
  const startedAt = new Date();
  const exitCodeBefore = process.exitCode;
  // Loaded here, not at the top: --help and the early exits (2, 3) should not pay for vitest's start-up.
  const { createVitest, BaseSequencer } = await import('vitest/node');
  let vitest: Awaited<ReturnType<typeof createVitest>> | undefined;
  const interruption = watchForInterrupt(options, runStarted, (reason) => vitest?.cancelCurrentRun(reason === 'signal' ? 'keyboard-input' : (reason as never)));
  const sigintListenersBefore = new Set(process.listeners('SIGINT'));
  vitest = await createVitest(
    'test',
    {
      root,
      dir: suitesDir,
      include: [`*${suiteFileEnding}`],
      exclude: [],
      config: false,
      watch: false,
      reporters: [reporter],
      provide: { isymConform: suiteOptions },
      // One worker thread, in this process: a forked worker would be a second Node process, with its own copy of
      // vitest and of the modules, for no isolation the suites need (they share one environment anyway).
      pool: 'threads',
      maxWorkers: 1,
      fileParallelism: false,
      // Read-only rules run at once with --concurrency above 1; the request semaphore bounds the load anyway.
      maxConcurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
      isolate: false,
      testTimeout: 60 * 60 * 1000,
      hookTimeout: 60 * 60 * 1000,
      sequence: { sequencer: familyOrderSequencer(BaseSequencer) },
      passWithNoTests: true,
    },
    { cacheDir: join(tmpdir(), 'isym-conform-vite-cache'), logLevel: 'silent' },
  );
  if (options.handleSigint) {
    // vitest's logger ends the process on SIGINT; this run handles Ctrl-C itself: cancel, then write the partial report.
    for (const listener of process.listeners('SIGINT')) if (!sigintListenersBefore.has(listener)) process.off('SIGINT', listener);
  }
  try {
    // An interrupt that came while vitest was starting (or a --max-time already spent) leaves nothing to run.
    if (!interruption.interrupted()) await vitest.start();
  } catch (error) {
    // A cancelled run may end in an error of vitest's own; the partial report is still written.
    if (!interruption.interrupted()) throw error;
  } finally {
    interruption.stop();
    await vitest.close();
    process.exitCode = exitCodeBefore;
  }
  const interrupted = interruption.interrupted();
  const results = [...reporter.results];
  if (interrupted) {
    // Every rule the run was to decide and did not is reported as `error`, "interrupted".
    const decided = new Set(results.map((result) => result.id));
    for (const check of checks) {
      if (decided.has(check.ruleId) || (replay && !replay.plan[check.ruleId]) || !inShard(check.ruleId, options.shard)) continue;
      const unselected = !replay && ((options.only?.length && !matchesSelector(check.ruleId, options.only)) || matchesSelector(check.ruleId, options.skip ?? []));
      results.push(unselected ? { ...interruptedResult(check.ruleId), verdict: 'skip', reason: 'not selected by --only / --skip' } : interruptedResult(check.ruleId));
    }
  }
  let report = buildReport(results, {
    tool: await toolInfo(),
    contract: { title: contract.title, version: contract.version, sha256: contract.sha256 },
    targetUrl: options.target,
    sut: options.sut,
    startedAt,
    finishedAt: new Date(),
    seed,
    options: publicOptions(options, seed, numRuns),
    runErrors: reporter.runErrors,
    partial: interrupted !== undefined,
    interrupted,
    coverage: buildContractCoverage(contract.model, { tallies: reporter.coverage, rules: results, partial: interrupted !== undefined }),
    replay: replay ? { source: options.replayFrom!, sourceSeed: replay.source.seed, cases: reporter.replayCases } : undefined,
  });
  if (baseline) report = compareWithBaseline(report, baseline, options.baselineFile!);
  const files = await writeReports(report, resolve(options.reportDir ?? 'conformance-report'), formats);
  return { exitCode: reportFails(report, options.strict, options.requireAll) ? 1 : 0, report, files };
}
