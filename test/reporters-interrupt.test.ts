/**
 * Interrupted runs: an abort in the middle, --max-time, and Ctrl-C sent to the CLI's process group as a terminal
 * does. Each writes every report of what was done, marked partial; the rules it did not decide are `error` with
 * the reason "interrupted"; the run exits 1.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { ConformanceReport } from '../reporters/report-model.js';
import { checks } from '../suites/checks/index.js';
import { interruptedReason } from '../suites/interruptible.js';
import { reportSchemaErrors } from './support/report-schema.js';
import { runAgainstReference } from './support/run-against-reference.js';
import { checkWrittenFiles, parseJunit, testOutputDir } from './reporters-support.js';

const root = join(import.meta.dirname, '..');
const writtenDirs: string[] = [];

/** What every partial report must show, whatever cut the run short. */
async function expectPartialReports(dir: string, reason: 'signal' | 'max-time'): Promise<ConformanceReport> {
  const report = JSON.parse(await readFile(join(dir, 'conformance.json'), 'utf8')) as ConformanceReport;
  expect(report.partial).toBe(true);
  expect(report.interrupted?.reason).toBe(reason);
  expect(await reportSchemaErrors(join(dir, 'conformance.json'))).toEqual([]);
  // Every registered rule is there: decided, or `error` "interrupted".
  expect(report.rules.map((rule) => rule.id).sort()).toEqual(checks.map((check) => check.ruleId).sort());
  for (const rule of report.rules.filter((candidate) => candidate.reason === interruptedReason)) {
    expect(rule.verdict).toBe('error');
    expect(rule.findings).toEqual([]);
  }
  const junit = parseJunit(await readFile(join(dir, 'junit.xml'), 'utf8')).testsuites;
  expect(Number(junit.errors)).toBe(report.summary.error);
  expect(await readFile(join(dir, 'summary.md'), 'utf8')).toMatch(/Partial run/);
  expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('class="partial"');
  return report;
}

describe('an interrupted run writes a partial report and fails', () => {
  test('aborted after its first rule: that rule keeps its verdict, the rest are "interrupted"', async () => {
    const abort = new AbortController();
    const decided: string[] = [];
    const run = await runAgainstReference(
      {},
      {
        signal: abort.signal,
        onRuleDecided: (result) => {
          decided.push(result.id);
          abort.abort();
        },
      },
    );
    writtenDirs.push(run.reportDir);
    expect(run.exitCode).toBe(1);
    const report = await expectPartialReports(run.reportDir, 'signal');
    const first = report.rules.find((rule) => rule.id === decided[0])!;
    expect(first.reason).not.toBe(interruptedReason);
    expect(first.verdict).toBe('pass');
    const interrupted = report.rules.filter((rule) => rule.reason === interruptedReason);
    expect(interrupted.length).toBeGreaterThan(0);
    expect(interrupted.length).toBeLessThan(report.rules.length);
    expect(report.runErrors).toEqual([]);
  });

  test('--max-time already spent: nothing runs, every rule is "interrupted"', async () => {
    const run = await runAgainstReference({}, { maxTimeMs: 1 });
    writtenDirs.push(run.reportDir);
    expect(run.exitCode).toBe(1);
    const report = await expectPartialReports(run.reportDir, 'max-time');
    expect(report.rules.every((rule) => rule.reason === interruptedReason)).toBe(true);
    expect(report.interrupted!.detail).toMatch(/--max-time/);
    expect(report.coverage!.totals.operations.exercised).toBe(0);
    expect(report.coverage!.operations.every((op) => op.reason !== undefined)).toBe(true);
  });

  test('Ctrl-C to the CLI (SIGINT to its process group) in the middle of the run', async () => {
    const dir = await testOutputDir('sigint');
    writtenDirs.push(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bin/isym-conform.ts'), '--embedded', '--seed', '42', '--report-dir', dir], {
      cwd: root,
      // Its own process group, as a terminal's foreground job: the signal reaches vitest's worker too.
      detached: true,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    let stdout = '';
    let signalled = false;
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 110_000);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      // The first family's line is out: the run is in its middle.
      if (!signalled && /^addressing +\d+ rule\(s\)/m.test(stderr)) {
        signalled = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    const code = await exit;
    clearTimeout(killer);
    expect(signalled, stderr).toBe(true);
    expect(code, stderr).toBe(1);
    // The progress went to stderr; the outcome and the files written go to stdout.
    expect(stdout).toContain('PARTIAL: The run was cut short (interrupted by SIGINT (Ctrl-C))');
    expect(stdout).toContain(`report: ${join(dir, 'report.html')}`);
    const report = await expectPartialReports(dir, 'signal');
    expect(report.rules.filter((rule) => rule.family === 'addressing').every((rule) => rule.reason !== interruptedReason)).toBe(true);
    expect(report.rules.some((rule) => rule.reason === interruptedReason)).toBe(true);
    expect(report.runErrors).toEqual([]);
  }, 120_000);
});

afterAll(async () => {
  expect(await checkWrittenFiles(writtenDirs)).toBeGreaterThan(0);
});
