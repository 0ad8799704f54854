/**
 * The reports of real runs against a mutant of the reference server: all four files written and valid (the JSON
 * against the schema, junit.xml through an XML parser with the JSON's counts), the contract coverage, the curl
 * lines (run by a real shell, they get what the checker got), --replay (the mutant's failures still fail against
 * the mutant, and no longer against the reference server) and --baseline (known, new, fixed). No file written
 * holds the password.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConformanceReport } from '../reporters/report-model.js';
import { runConformance, type ConformanceRunOptions, type ConformanceRunResult } from '../suites/runner/run-conformance.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';
import { reportSchemaErrors } from './support/report-schema.js';
import { checkWrittenFiles, junitVerdict, parseJunit, testOutputDir } from './reporters-support.js';

const run = promisify(execFile);
const fault = 'name-lookup-ignores-core-server';
/** The rules the fault breaks, and one it does not: enough to show every kind of line, fast. */
const rules = ['ADDR-NAME', 'ADDR-MIXED', 'SCHEMA-RESPONSE'];
const writtenDirs: string[] = [];

/** Runs the checker against a fresh reference server (with `faults`) and writes the reports into a new folder. */
async function checkServer(faults: string[], options: Partial<ConformanceRunOptions> = {}): Promise<ConformanceRunResult & { dir: string }> {
  const server = await startReferenceServer({ faults });
  const dir = await testOutputDir('run');
  writtenDirs.push(dir);
  try {
    const result = await runConformance({ target: server.baseUrl, user: DEFAULT_USER, password: DEFAULT_PASSWORD, reportDir: dir, seed: 42, numRuns: 40, only: rules, ...options });
    return { ...result, dir };
  } finally {
    await server.stop();
  }
}

async function readReport(dir: string): Promise<ConformanceReport> {
  return JSON.parse(await readFile(join(dir, 'conformance.json'), 'utf8')) as ConformanceReport;
}

describe(`a run against the mutant ${fault}`, () => {
  let server: RunningReferenceServer;
  let dir: string;
  let result: ConformanceRunResult;
  let report: ConformanceReport;

  beforeAll(async () => {
    server = await startReferenceServer({ faults: [fault] });
    dir = await testOutputDir('mutant');
    writtenDirs.push(dir);
    result = await runConformance({ target: server.baseUrl, user: DEFAULT_USER, password: DEFAULT_PASSWORD, reportDir: dir, seed: 42, numRuns: 40, only: rules });
    report = await readReport(dir);
  });

  afterAll(async () => {
    await server?.stop();
  });

  test('fails, and writes the four reports', async () => {
    expect(result.message).toBeUndefined();
    expect(result.exitCode).toBe(1);
    expect(result.files.map((file) => file.slice(dir.length + 1)).sort()).toEqual(['conformance.json', 'junit.xml', 'report.html', 'summary.md']);
    expect(report.rules.find((rule) => rule.id === 'ADDR-NAME')!.verdict).toBe('fail');
    expect(await reportSchemaErrors(join(dir, 'conformance.json'))).toEqual([]);
  });

  test('junit.xml, read by an XML parser, counts what conformance.json says', async () => {
    const junit = parseJunit(await readFile(join(dir, 'junit.xml'), 'utf8')).testsuites;
    const cases = junit.testsuite.flatMap((suite) => suite.testcase);
    expect(cases.map((testCase) => [testCase.name, junitVerdict(testCase)]).sort()).toEqual(report.rules.map((rule) => [rule.id, rule.verdict]).sort());
    expect({ tests: Number(junit.tests), failures: Number(junit.failures), errors: Number(junit.errors), skipped: Number(junit.skipped) }).toEqual({
      tests: report.rules.length,
      failures: report.summary.fail,
      errors: report.summary.error,
      skipped: report.summary.skip,
    });
  });

  test('summary.md and report.html name the failed rules', async () => {
    const markdown = await readFile(join(dir, 'summary.md'), 'utf8');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    for (const rule of report.rules.filter((candidate) => candidate.verdict === 'fail')) {
      expect(markdown).toContain(`| ${rule.id} |`);
      expect(html).toContain(`id="rule-${rule.id}"`);
    }
  });

  test('the contract coverage maps each request to its path and addressing forms, and says why the rest was not exercised', () => {
    const coverage = report.coverage!;
    const instance = coverage.operations.find((op) => op.method === 'GET' && op.template === '/coreServers/{coreServerId}/extensions/{extensionId}')!;
    expect(instance.forms.possible).toEqual(['uuid/uuid', 'uuid/name', 'name/uuid', 'name/name']);
    expect(instance.forms.exercised).toContain('uuid/name');
    expect(instance.rules).toContain('ADDR-NAME');
    const sent = report.rules.reduce((sum, rule) => sum + (rule.requests ?? 0), 0);
    const counted = coverage.operations.reduce((sum, op) => sum + op.requests, 0) + coverage.unmatched.requests + coverage.outsideContract.reduce((sum, op) => sum + op.requests, 0);
    // Every request a rule counts is in the coverage (which also has the discovery reads done on a rule's behalf).
    expect(counted).toBeGreaterThanOrEqual(sent);
    const covering = new Set(coverage.operations.flatMap((op) => op.rules));
    for (const rule of report.rules.filter((candidate) => (candidate.requests ?? 0) > 0)) expect(covering.has(rule.id), rule.id).toBe(true);
    // These rules send no action, and the actions rules were not selected: every action says why.
    const actions = coverage.operations.filter((op) => op.kind === 'action');
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) {
      expect(action.requests).toBe(0);
      expect(action.reason).toBeTruthy();
    }
    expect(coverage.totals.operations.exercised).toBe(coverage.operations.filter((op) => op.requests > 0).length);
  });

  test('every curl line, run by a shell with ISYM_USER and ISYM_PASSWORD set, gets the status the checker recorded', async () => {
    const findings = report.rules.flatMap((rule) => rule.findings);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.curl).toHaveLength(finding.requests.length);
      for (const [index, line] of finding.curl.entries()) {
        expect(line).toContain('-u "$ISYM_USER:$ISYM_PASSWORD"');
        const { stdout } = await run('sh', ['-c', line], { env: { ...process.env, ISYM_USER: DEFAULT_USER, ISYM_PASSWORD: DEFAULT_PASSWORD } });
        const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(stdout)?.[1]);
        expect(status, line).toBe(finding.requests[index].status);
      }
    }
  });

  test('--replay against the same fault reproduces every recorded failure, exactly', async () => {
    const replayed = await checkServer([fault], { replayFrom: join(dir, 'conformance.json'), only: [] });
    expect(replayed.exitCode).toBe(1);
    const cases = replayed.report!.replay!.cases;
    const recorded = report.rules.filter((rule) => rule.verdict === 'fail').flatMap((rule) => rule.findings.map((finding) => [rule.id, finding.property, finding.path]));
    expect(cases.map((item) => [item.ruleId, item.property, item.path])).toEqual(recorded);
    expect(cases.every((item) => item.how === 'exact' && item.stillFails)).toBe(true);
    expect(await readFile(join(replayed.dir, 'summary.md'), 'utf8')).toMatch(new RegExp(`^## ❌ Still failing: [^\\n]*\\n\\n${cases.length} of ${cases.length} recorded case`));
    // Only the replayed rules are in the report, and it is valid.
    expect(replayed.report!.rules.map((rule) => rule.id).sort()).toEqual([...new Set(recorded.map(([id]) => id as string))].sort());
    expect(await reportSchemaErrors(join(replayed.dir, 'conformance.json'))).toEqual([]);
  });

  test('--replay against the reference server says the failures no longer fail', async () => {
    const replayed = await checkServer([], { replayFrom: join(dir, 'conformance.json'), only: ['ADDR-NAME'] });
    expect(replayed.exitCode).toBe(0);
    const cases = replayed.report!.replay!.cases;
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.every((item) => item.ruleId === 'ADDR-NAME' && !item.stillFails)).toBe(true);
    expect(replayed.report!.rules.map((rule) => [rule.id, rule.verdict])).toEqual([['ADDR-NAME', 'pass']]);
    expect(await readFile(join(replayed.dir, 'summary.md'), 'utf8')).toMatch(/^## ✅ No longer failing: /);
  });

  test('credentials written into the target URL are used, and no report shows them', async () => {
    const server = await startReferenceServer({});
    const dir = await testOutputDir('url-credentials');
    writtenDirs.push(dir);
    try {
      const url = new URL(server.baseUrl);
      url.username = DEFAULT_USER;
      url.password = DEFAULT_PASSWORD;
      const checked = await runConformance({ target: url.href, reportDir: dir, seed: 42, numRuns: 5, only: ['SCHEMA-RESPONSE'] });
      expect(checked.message).toBeUndefined();
      expect(checked.report!.rules.find((rule) => rule.id === 'SCHEMA-RESPONSE')!.verdict).toBe('pass');
      expect(checked.report!.target.url).toBe(server.baseUrl);
      expect(checked.report!.options.credentials).toBe('$ISYM_USER:$ISYM_PASSWORD');
    } finally {
      await server.stop();
    }
  });

  test('--replay of a report without failures, or of a file that is no report, is a usage error', async () => {
    const noFailure = await checkServer([], { replayFrom: join(dir, 'conformance.json'), only: ['SCHEMA-RESPONSE'] });
    expect(noFailure.exitCode).toBe(2);
    expect(noFailure.message).toMatch(/nothing to replay/);
    const notReport = await checkServer([], { replayFrom: join(dir, 'summary.md') });
    expect(notReport.exitCode).toBe(2);
    expect(notReport.message).toMatch(/cannot read it as JSON/);
  });

  test('--baseline: the same failures again are known and pass the run; on the fixed server they are listed as fixed', async () => {
    const again = await checkServer([fault], { baselineFile: join(dir, 'conformance.json') });
    expect(again.report!.baseline).toMatchObject({ new: 0, fixed: [] });
    expect(again.report!.baseline!.known).toBeGreaterThan(0);
    expect(again.report!.rules.filter((rule) => rule.verdict === 'fail').every((rule) => rule.baseline === 'known')).toBe(true);
    expect(again.exitCode).toBe(0);
    const fixed = await checkServer([], { baselineFile: join(dir, 'conformance.json') });
    expect(fixed.report!.baseline!.fixed.sort()).toEqual(report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id).sort());
    expect(fixed.exitCode).toBe(0);
    expect(await readFile(join(fixed.dir, 'summary.md'), 'utf8')).toMatch(/rule\(s\) fixed/);
    for (const checked of [again, fixed]) expect(await reportSchemaErrors(join(checked.dir, 'conformance.json'))).toEqual([]);
  });
});

afterAll(async () => {
  // Every file these runs wrote: no password, every conformance.json valid, every junit.xml well-formed.
  expect(await checkWrittenFiles(writtenDirs)).toBeGreaterThan(0);
});
