/**
 * Runs the whole checker (runConformance, the same path as the CLI) against a reference server started for
 * the purpose, with the faults given; returns the report and the server's state fingerprints around the run.
 * Every run can restart its server for real through a loopback control server, as `--embedded` does, so that
 * the restart rules are exercised everywhere (a row's `run.restart` replaces that).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformance, type ConformanceRunOptions, type ConformanceRunResult } from '../../suites/runner/run-conformance.js';
import { startControlServer } from '../reference-server/control-server.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type ReferenceServerOptions } from '../reference-server/index.js';

export interface ReferenceRun extends ConformanceRunResult {
  reportDir: string;
  fingerprintBefore: string;
  fingerprintAfter: string;
  /** How many times the run restarted the server through its control server. */
  restarts: number;
}

export async function runAgainstReference(
  server: ReferenceServerOptions,
  run: Partial<ConformanceRunOptions> = {},
): Promise<ReferenceRun> {
  const reference = await startReferenceServer(server);
  const control = await startControlServer(reference);
  const reportDir = await mkdtemp(join(tmpdir(), 'isym-conform-test-'));
  try {
    const fingerprintBefore = reference.stateFingerprint();
    const result = await runConformance({
      target: reference.baseUrl,
      user: DEFAULT_USER,
      password: DEFAULT_PASSWORD,
      reportDir,
      seed: 42,
      numRuns: 60,
      restart: { controlUrl: control.restartUrl, readyTimeoutS: 30 },
      ...run,
    });
    return { ...result, reportDir, fingerprintBefore, fingerprintAfter: reference.stateFingerprint(), restarts: control.restarts() };
  } finally {
    await control.stop();
    await reference.stop();
  }
}
