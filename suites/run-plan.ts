/**
 * The run plan: everything one run is asked to do, with every default filled in (run-defaults.ts) and every rule's
 * fate decided once. The runner makes it from the caller's options; it travels to the suites as it is (plain data,
 * through vitest's `provide` / `inject`), and the checks read their settings from it (`CheckEnvironment.settings`
 * is the plan itself).
 */
import { resolve as resolvePath } from 'node:path';
import { defaultContractPath } from '../contracts/load-contract.js';
import type { CheckSettings, RestartOptions } from './check.js';
import { checks } from './checks/index.js';
import type { ReplayPlan } from './replay.js';
import type { TargetClientOptions } from './target-client.js';
import { runDefaults } from './run-defaults.js';
import { formatShard, inShard, type Shard } from './work-split.js';
import { matchesSelector, ruleById, ruleCatalogue, type RuleFamily } from '../reporters/vocabulary/rules.js';

/** TLS settings of a run: a CA to trust (--cacert), or no certificate check at all (--insecure). */
export interface TlsOptions {
  /** The file --cacert named, absolute (curl lines carry it). */
  caFile?: string;
  /** Its PEM text. */
  ca?: string;
  /** --insecure: the target's certificate is not checked (curl's -k). */
  insecure?: boolean;
}

/** What a caller asks of a run, as the CLI's options say it: plain data, each default left to the plan. */
export interface RunRequest {
  /** The Live API base URL, e.g. `http://pbx:58080/communication_manager/rest/live`. */
  target: string;
  user?: string;
  password?: string;
  /** The contract file. Default: the shipped contracts/isymphony-live.yaml. */
  contractPath?: string;
  /** Where the reports go. */
  reportDir?: string;
  /** Formats to write. Default: all. */
  formats?: string[];
  /** fast-check seed. Default: the replayed report's, else a random one, recorded in the report. */
  seed?: number;
  /** fast-check runs per property. */
  numRuns?: number;
  only?: string[];
  skip?: string[];
  coreServer?: string;
  /** Per-request timeout, ms. */
  requestTimeoutMs?: number;
  restart?: RestartOptions;
  /** Fail the run on SHOULD rules too. */
  strict?: boolean;
  /** --replay: a previous conformance.json whose failing cases (of the rules `only` selects) are sent again. */
  replayFrom?: string;
  /** --baseline: a previous conformance.json; failures already in it do not fail the run. */
  baselineFile?: string;
  /** --max-time: the run stops after this long (ms) and writes a partial report. */
  maxTimeMs?: number;
  /** --concurrency: requests in flight at once, at most; above 1 the read-only rules also run at once. */
  concurrency?: number;
  /** --shard i/n: run only this shard's rules (see work-split.ts); `isym-conform merge` joins the shards' reports. */
  shard?: Shard;
  /** --rule-timeout: how long one rule may run, ms. Default: see {@link ruleTimeoutMs}. */
  ruleTimeoutMs?: number;
  /** --require-all: a MUST rule that was not checked (skipped) fails the run. */
  requireAll?: boolean;
  /** --cacert: a PEM file of the CA that signed an https target's certificate. */
  caFile?: string;
  /** --insecure: do not check an https target's certificate. */
  insecure?: boolean;
  /** --sut "NAME VERSION": the system under test, recorded in the report as the user names it. */
  sut?: string;
  /** --max-calls: phone calls the run may place. Default {@link runDefaults.maxCalls}. */
  maxCalls?: number;
  /** The config file the options came from in part (--config, or the one found), recorded in the report's options. */
  configFile?: string;
}

/**
 * What the run does with a rule: `run` it; report it as `skip` with the reason (--only, --skip); or leave it
 * `absent` from the report (another shard's rule, a rule with nothing to replay).
 */
export type RuleDisposition = 'run' | 'skip' | 'absent';

/** One registered rule and what the run does with it. */
export interface PlannedRule {
  id: string;
  family: RuleFamily;
  disposition: RuleDisposition;
  /** Why it is not run: the report's reason of a `skip`. */
  reason?: string;
}

/** One run, every default filled in. */
export interface RunPlan extends CheckSettings {
  target: string;
  user?: string;
  password?: string;
  /** The contract file, absolute. */
  contractPath: string;
  /** --contract as given; undefined: the shipped contract. */
  contractGiven?: string;
  /** Where the reports go, absolute. */
  reportDir: string;
  formats: string[];
  seed: number;
  numRuns: number;
  requestTimeoutMs: number;
  concurrency: number;
  ruleTimeoutMs: number;
  /** Whether checks outside the ACT family may post actions: false when every ACT rule is skipped (a read-only run). */
  actionsAllowed: boolean;
  tls?: TlsOptions;
  /** Rule ids or family prefixes to run (--only); empty: all. */
  only: string[];
  /** Rule ids or family prefixes not to run (--skip). */
  skip: string[];
  shard?: Shard;
  /** --replay: the recorded failing cases to send again, by rule id; only these rules run. */
  replays?: ReplayPlan;
  replayFrom?: string;
  baselineFile?: string;
  strict: boolean;
  requireAll: boolean;
  maxTimeMs?: number;
  sut?: string;
  configFile?: string;
  /** Every registered rule, in registry order, with what the run does with it. */
  rules: PlannedRule[];
}

/** What the runner read before it could plan: the formats it checked, the --cacert file, the replayed report. */
export interface RunPlanInputs {
  formats: string[];
  tls?: TlsOptions;
  replay?: { plan: ReplayPlan; seed: number; coreServer?: string };
}

/** The contract file a run reads, absolute: --contract, else the shipped one. */
export function contractPathOf(request: Pick<RunRequest, 'contractPath'>): string {
  return resolvePath(request.contractPath ?? defaultContractPath);
}

/**
 * How long one rule may run, ms: --rule-timeout, else the default, or more when a restart may take longer (the
 * restart rules wait up to the ready timeout, after the restart command's own time, which is bounded by it too).
 */
export function ruleTimeoutMs(request: Pick<RunRequest, 'ruleTimeoutMs' | 'restart'>): number {
  return request.ruleTimeoutMs ?? Math.max(runDefaults.ruleTimeoutMs, 2 * (request.restart?.readyTimeoutS ?? 0) * 1000 + 120_000);
}

/** The rule selection of a run: --only, --skip, --shard, and the rules --replay replays. */
export interface RuleSelection {
  only: readonly string[];
  skip: readonly string[];
  shard?: Shard;
  replays?: ReplayPlan;
}

/** What a run does with `ruleId`, and why, in the one wording the reports use. */
export function ruleDisposition(ruleId: string, selection: RuleSelection): Omit<PlannedRule, 'id' | 'family'> {
  if (!inShard(ruleId, selection.shard)) return { disposition: 'absent', reason: `not in shard ${formatShard(selection.shard!)}` };
  if (selection.replays && !selection.replays[ruleId]) return { disposition: 'absent', reason: 'no failing case recorded to replay' };
  // A replay's rules are already those --only names among the recorded ones.
  if (selection.only.length > 0 && !selection.replays && !matchesSelector(ruleId, selection.only)) {
    return { disposition: 'skip', reason: `not selected by --only ${selection.only.join(',')}` };
  }
  if (matchesSelector(ruleId, selection.skip)) return { disposition: 'skip', reason: `skipped by --skip ${selection.skip.join(',')}` };
  return { disposition: 'run' };
}

/** Every registered rule with what a run of `selection` does with it. */
export function planRules(selection: RuleSelection): PlannedRule[] {
  return checks.map((check) => ({ id: check.ruleId, family: ruleById(check.ruleId).family, ...ruleDisposition(check.ruleId, selection) }));
}

/** `--skip ACT` keeps a run read-only: when every rule of the actions family is skipped, no other check posts actions either. */
export function actionsAllowed(skip: readonly string[]): boolean {
  return !ruleCatalogue.filter((rule) => rule.family === 'actions').every((rule) => matchesSelector(rule.id, skip));
}

/** How many rules of each family the run reports (run or skipped): the totals of the progress lines. */
export function reportedRulesPerFamily(rules: readonly PlannedRule[]): Map<RuleFamily, number> {
  const counts = new Map<RuleFamily, number>();
  for (const rule of rules) if (rule.disposition !== 'absent') counts.set(rule.family, (counts.get(rule.family) ?? 0) + 1);
  return counts;
}

/** A fresh fast-check seed, when neither the caller nor a replayed report gives one. */
function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** The plan of a run: the request with every default filled in, and every rule's disposition. */
export function makeRunPlan(request: RunRequest, inputs: RunPlanInputs): RunPlan {
  const only = request.only ?? [];
  const skip = request.skip ?? [];
  const replays = inputs.replay?.plan;
  const rules = planRules({ only, skip, shard: request.shard, replays });
  return {
    target: request.target,
    user: request.user,
    password: request.password,
    contractPath: contractPathOf(request),
    contractGiven: request.contractPath,
    reportDir: resolvePath(request.reportDir ?? runDefaults.reportDir),
    formats: inputs.formats,
    // A replay rebuilds its cases from the instances that discovery samples with the recorded seed (and core server).
    seed: request.seed ?? inputs.replay?.seed ?? randomSeed(),
    numRuns: request.numRuns ?? runDefaults.numRuns,
    coreServer: request.coreServer ?? inputs.replay?.coreServer,
    requestTimeoutMs: request.requestTimeoutMs ?? runDefaults.requestTimeoutMs,
    concurrency: request.concurrency ?? runDefaults.concurrency,
    ruleTimeoutMs: ruleTimeoutMs(request),
    restart: request.restart,
    actionsAllowed: actionsAllowed(skip),
    tls: inputs.tls,
    only,
    skip,
    shard: request.shard,
    replays,
    replayFrom: request.replayFrom,
    baselineFile: request.baselineFile,
    strict: request.strict ?? false,
    requireAll: request.requireAll ?? false,
    maxTimeMs: request.maxTimeMs,
    sut: request.sut,
    configFile: request.configFile,
    rules,
    calls: { max: request.maxCalls ?? runDefaults.maxCalls, sharedBy: rules.filter((rule) => rule.family === 'actions' && rule.disposition === 'run').length },
  };
}

/** The target client of a run of `plan`: its target, credentials, timeout, concurrency and TLS settings. */
export function clientOptionsOf(plan: RunPlan): TargetClientOptions {
  return {
    baseUrl: plan.target,
    user: plan.user,
    password: plan.password,
    requestTimeoutMs: plan.requestTimeoutMs,
    maxConcurrentRequests: plan.concurrency,
    ca: plan.tls?.ca,
    caFile: plan.tls?.caFile,
    insecure: plan.tls?.insecure,
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run plan, as the runner made it. */
    isymConform: RunPlan;
  }
}
