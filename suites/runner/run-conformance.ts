/**
 * One conformance run, as the CLI and the self-tests start it: judge the inputs, load the contract, read the
 * previous reports, make the run plan, probe the target, run the suites under vitest, build the report model,
 * compare it with the baseline and write the reports. Each step is a module of this folder.
 */
import { ContractError } from '../../contracts/contract-error.js';
import { loadContract, type LoadedContract } from '../../contracts/load-contract.js';
import { ConformanceReporter } from '../../reporters/conformance-reporter.js';
import { buildReport, compareWithBaseline, reportFails, type ConformanceReport } from '../../reporters/report-model.js';
import type { RuleResult } from '../../reporters/vocabulary/rule-result.js';
import { buildContractCoverage } from '../coverage.js';
import { contractPathOf, makeRunPlan, type RunPlan, type RunRequest } from '../run-plan.js';
import { watchForInterrupt } from './interrupt-watch.js';
import { PreviousReportError, readPreviousReports, type PreviousReports } from './previous-report.js';
import { probeTarget } from './probe-target.js';
import { checkRunInputs, withoutUrlCredentials } from './run-inputs.js';
import { probeFailureReport, runReportContext, withUndecidedRules } from './run-report.js';
import { loadVitest, runSuites, type VitestLoading } from './start-vitest.js';
import { allFormatNames, formatsProblem, writeReports } from './write-reports.js';

/** Options of one run: what the caller asks (the plan is made from it), and how the caller follows the run. */
export interface ConformanceRunOptions extends RunRequest {
  /** Called with the plan once it is made, before the first request. */
  onPlanned?: (plan: RunPlan) => void;
  /** Called with each rule's result as it is decided. */
  onRuleDecided?: (result: RuleResult) => void;
  /** Called when a rule starts, with its id and family. */
  onRuleStarted?: (ruleId: string, family: string) => void;
  /** Aborting it interrupts the run as Ctrl-C does (a partial report is written). */
  signal?: AbortSignal;
  /** Listen for SIGINT during the run and interrupt it (the CLI sets this). Default false. */
  handleSigint?: boolean;
}

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

/** A run that ends before the suites, with its exit code and why. */
class EarlyExit extends Error {
  constructor(
    readonly exitCode: 2 | 3,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a run reads before its first request: the contract, the previous reports; the plan made of them. Once the
 * inputs are judged sound, vitest starts loading, alongside the contract's validation and the probe.
 */
async function prepareRun(options: ConformanceRunOptions): Promise<{ plan: RunPlan; contract: LoadedContract; previous: PreviousReports; vitestLoading: VitestLoading }> {
  const formats = options.formats ?? allFormatNames();
  const formatProblem = formatsProblem(formats);
  if (formatProblem) throw new EarlyExit(2, formatProblem);
  const inputs = await checkRunInputs(options);
  if (inputs.problem) throw new EarlyExit(2, inputs.problem);
  const vitestLoading = loadVitest();
  const contractPath = contractPathOf(options);
  let contract: LoadedContract;
  let previous: PreviousReports;
  try {
    contract = await loadContract(contractPath);
    previous = await readPreviousReports(options);
  } catch (error) {
    if (error instanceof ContractError) throw new EarlyExit(2, `Invalid contract ${contractPath}: ${error.message}`);
    if (error instanceof PreviousReportError) throw new EarlyExit(2, error.message);
    throw error;
  }
  const source = previous.replay?.source;
  const recordedCoreServer = source?.options?.coreServer;
  const replay = previous.replay && { plan: previous.replay.plan, seed: source!.seed, coreServer: typeof recordedCoreServer === 'string' ? recordedCoreServer : undefined };
  return { plan: makeRunPlan(options, { formats, tls: inputs.tls, replay }), contract, previous, vitestLoading };
}

/** Runs the checker against a target and writes the reports. Never throws for a problem of the target. */
export async function runConformance(given: ConformanceRunOptions): Promise<ConformanceRunResult> {
  // --max-time counts from here: loading the contract and starting vitest are part of the run.
  const runStarted = performance.now();
  const options = withoutUrlCredentials(given);
  let prepared: Awaited<ReturnType<typeof prepareRun>>;
  try {
    prepared = await prepareRun(options);
  } catch (error) {
    if (error instanceof EarlyExit) return { exitCode: error.exitCode, files: [], message: error.message };
    throw error;
  }
  const { plan, contract, previous, vitestLoading } = prepared;
  options.onPlanned?.(plan);
  const probed = await probeTarget(plan);
  if (probed) {
    const report = await probeFailureReport(plan, contract, probed.message);
    return { ...probed, report, files: await writeReports(report, plan.reportDir, plan.formats) };
  }

  const reporter = new ConformanceReporter({ onRuleDecided: options.onRuleDecided, onRuleStarted: options.onRuleStarted });
  const startedAt = new Date();
  const interruption = watchForInterrupt({ signal: options.signal, handleSigint: options.handleSigint, maxTimeMs: plan.maxTimeMs }, runStarted);
  try {
    await runSuites(plan, reporter, interruption, Boolean(options.handleSigint), vitestLoading);
  } finally {
    interruption.stop();
  }
  const interrupted = interruption.interrupted();
  const results = interrupted ? withUndecidedRules(plan, reporter.results) : [...reporter.results];
  const partial = interrupted !== undefined;
  let report = buildReport(results, {
    ...(await runReportContext(plan, contract)),
    startedAt,
    finishedAt: new Date(),
    runErrors: reporter.runErrors,
    partial,
    interrupted,
    coverage: buildContractCoverage(contract.model, { tallies: reporter.coverage, rules: results, partial }),
    replay: previous.replay ? { source: plan.replayFrom!, sourceSeed: previous.replay.source.seed, cases: reporter.replayCases } : undefined,
  });
  if (previous.baseline) report = compareWithBaseline(report, previous.baseline, plan.baselineFile!);
  const files = await writeReports(report, plan.reportDir, plan.formats);
  return { exitCode: reportFails(report, plan.strict, plan.requireAll) ? 1 : 0, report, files };
}
