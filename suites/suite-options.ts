/**
 * The options the runner hands to the suites (through vitest's `provide` / `inject`): plain data only.
 */
import type { CheckSettings, RestartOptions } from './check.js';
import type { ReplayPlan } from './replay.js';
import type { Shard } from './work-split.js';

/** TLS settings of a run: a CA to trust (--cacert), or no certificate check at all (--insecure). */
export interface TlsOptions {
  /** The file --cacert named, absolute (curl lines carry it). */
  caFile?: string;
  /** Its PEM text. */
  ca?: string;
  /** --insecure: the target's certificate is not checked (curl's -k). */
  insecure?: boolean;
}

/** Everything a suite needs to check a target. */
export interface SuiteOptions extends CheckSettings {
  /** The Live API base URL. */
  target: string;
  user?: string;
  password?: string;
  contractPath: string;
  /** Rule ids or family prefixes to run (--only); empty: all. */
  only: string[];
  /** Rule ids or family prefixes not to run (--skip). */
  skip: string[];
  /** Per-request timeout, ms. */
  requestTimeoutMs: number;
  restart?: RestartOptions;
  /** --replay: the recorded failing cases to send again, by rule id; only these rules run. */
  replays?: ReplayPlan;
  /** --shard i/n: run only the rules of this shard (see work-split.ts); the others are absent from the report. */
  shard?: Shard;
  /** --concurrency: requests in flight at once, at most; above 1 the read-only rules also run at once. The runner's default is 8. */
  concurrency?: number;
  /** --cacert / --insecure: how an https target's certificate is checked. Default: by the system's CAs. */
  tls?: TlsOptions;
}

declare module 'vitest' {
  export interface ProvidedContext {
    isymConform: SuiteOptions;
  }
}
