/**
 * The defaults of a run, stated once: the CLI's option declarations, the run plan and the target client all read
 * them here. It imports nothing, so that any layer may read it.
 */
export const runDefaults = {
  /** --runs: fast-check runs per property. */
  numRuns: 100,
  /** --request-timeout: time one request may take in all, ms. */
  requestTimeoutMs: 10_000,
  /**
   * --concurrency: requests in flight at once. Enough to hide a network's latency, few enough for a PBX that also
   * serves its operators; `--concurrency 1` sends one at a time.
   */
  concurrency: 8,
  /** --ready-timeout: how long a restart may take before the target answers again, s. */
  readyTimeoutS: 120,
  /** --rule-timeout: how long one rule may run, ms, unless the restart's ready timeout needs more (see run-plan.ts). */
  ruleTimeoutMs: 600_000,
  /**
   * --max-calls: phone calls the checker may place in one run (originate). Each rings a real phone, and the contract
   * has no action that hangs one up; 16 is two for each rule of the actions family, enough for each to send every
   * action that needs a call (one to originate, one for a transfer to move).
   */
  maxCalls: 16,
  /** --report-dir: where the reports go. */
  reportDir: 'conformance-report',
} as const;
