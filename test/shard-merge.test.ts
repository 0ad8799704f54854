/**
 * Sharding and merging: three shards run one after another against one reference server (with faults, so that
 * failing rules fall in different shards), `isym-conform merge` joins their reports, and the merged report has
 * the same rules with the same verdicts and findings as one unsharded run with the same seed.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MergeError, mergeReports } from '../reporters/merge.js';
import type { ConformanceReport } from '../reporters/report-model.js';
import { checks } from '../suites/checks/index.js';
import { runConformance } from '../suites/runner/run-conformance.js';
import { reportedRulesPerFamily } from '../suites/run-plan.js';
import { ruleCatalogue } from '../reporters/vocabulary/rules.js';
import { inShard, parseShard, readOnlyRules, shardOfRule } from '../suites/work-split.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';
import { reportSchemaErrors } from './support/report-schema.js';
import { runCli } from './support/run-cli.js';

/** Faults whose rules fall in different shards: ADDR-PARENT may change state (shard 1), the others are read-only. */
const faults = ['list-item-stale-display-name', 'queues-content-type-text', 'extension-ignores-core-server'];

/** What must be equal between the merged and the unsharded report: per rule, its verdict and its findings' messages. */
function verdictsAndFindings(report: ConformanceReport) {
  const noUuids = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>');
  return report.rules.map((rule) => ({
    id: rule.id,
    level: rule.level,
    verdict: rule.verdict,
    reason: rule.reason,
    findings: rule.findings.map((finding) => ({ message: noUuids(finding.message), seed: finding.seed, path: finding.path })),
  }));
}

describe('shards', () => {
  test('every rule is in exactly one shard, rules that may change state all in shard 1', () => {
    for (let count = 1; count <= 6; count += 1) {
      for (const rule of ruleCatalogue) {
        const shards = [...Array(count).keys()].map((i) => i + 1).filter((index) => inShard(rule.id, { index, count }));
        expect(shards, `${rule.id} in ${count} shards`).toHaveLength(1);
        if (!readOnlyRules.has(rule.id)) expect(shards[0]).toBe(1);
      }
    }
    // The read-only rules are dealt out: with 3 shards, shards 2 and 3 each get some.
    const perShard = [1, 2, 3].map((index) => ruleCatalogue.filter((rule) => shardOfRule(rule.id, 3) === index).length);
    expect(Math.min(perShard[1], perShard[2])).toBeGreaterThanOrEqual(3);
  });

  test('--shard takes i/n with 1 ≤ i ≤ n', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('0/3')).toThrow(/between 1 and n/);
    expect(() => parseShard('4/3')).toThrow(/between 1 and n/);
    expect(() => parseShard('two')).toThrow(/takes i\/n/);
  });
});

describe('a 3-shard run merged equals the unsharded run with the same seed', () => {
  let reference: RunningReferenceServer;
  let unsharded: ConformanceReport;
  const shardDirs: string[] = [];
  /** Per shard: the progress totals its plan gave, and the rules its report holds. */
  const shardRuns: { totals: Map<string, number>; report: ConformanceReport }[] = [];

  beforeAll(async () => {
    reference = await startReferenceServer({ seed: 3, faults });
    const common = { target: reference.baseUrl, user: DEFAULT_USER, password: DEFAULT_PASSWORD, seed: 7, numRuns: 15, formats: ['json'] };
    const whole = await runConformance({ ...common, reportDir: await mkdtemp(join(tmpdir(), 'isym-unsharded-')) });
    unsharded = whole.report!;
    for (let index = 1; index <= 3; index += 1) {
      const reportDir = await mkdtemp(join(tmpdir(), `isym-shard-${index}-`));
      let totals = new Map<string, number>();
      const part = await runConformance({ ...common, reportDir, shard: { index, count: 3 }, onPlanned: (plan) => (totals = reportedRulesPerFamily(plan.rules)) });
      expect(part.report!.options.shard).toBe(`${index}/3`);
      shardDirs.push(reportDir);
      shardRuns.push({ totals, report: part.report! });
    }
  });
  afterAll(async () => {
    await reference?.stop();
  });

  test("the progress totals of a shard are the shard's rules, family by family", () => {
    expect(shardRuns).toHaveLength(3);
    for (const { totals, report } of shardRuns) {
      const reported = new Map<string, number>();
      for (const rule of report.rules) reported.set(rule.family, (reported.get(rule.family) ?? 0) + 1);
      expect(totals).toEqual(reported);
    }
    // The read-only shards hold fewer rules than the registry: totals of every registered rule would be wrong there.
    const shardTwoTotal = [...shardRuns[1].totals.values()].reduce((sum, count) => sum + count, 0);
    expect(shardTwoTotal).toBeGreaterThan(0);
    expect(shardTwoTotal).toBeLessThan(checks.length);
  });

  test('isym-conform merge writes one report with every rule, the same verdicts and findings, in every format', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'isym-merged-'));
    const { code, stdout, stderr } = await runCli(['merge', ...shardDirs, '--report-dir', reportDir]);
    // The faults fail MUST rules: the merged report is not conformant, as the unsharded one.
    expect(code, stderr).toBe(1);
    const merged = JSON.parse(await readFile(join(reportDir, 'conformance.json'), 'utf8')) as ConformanceReport;
    expect(await reportSchemaErrors(join(reportDir, 'conformance.json'))).toEqual([]);
    expect(merged.rules.map((rule) => rule.id)).toEqual(unsharded.rules.map((rule) => rule.id));
    expect(merged.rules).toHaveLength(checks.length);
    expect(verdictsAndFindings(merged)).toEqual(verdictsAndFindings(unsharded));
    expect(merged.summary).toEqual(unsharded.summary);
    expect(merged.seed).toBe(7);
    expect(merged.partial).toBe(false);
    expect(merged.runErrors).toEqual([]);
    // Failing rules came from more than one shard: the test compares real work of each.
    const failing = merged.rules.filter((rule) => rule.verdict === 'fail').map((rule) => shardOfRule(rule.id, 3));
    expect(new Set(failing).size).toBeGreaterThanOrEqual(2);
    // The merged result on stdout, as a run's.
    for (const file of ['junit.xml', 'report.html', 'summary.md']) expect(stdout).toContain(join(reportDir, file));
  });

  test('a missing shard makes the merged report partial; shards of different runs do not merge', async () => {
    const reports = await Promise.all(shardDirs.map(async (dir) => ({ source: dir, report: JSON.parse(await readFile(join(dir, 'conformance.json'), 'utf8')) as ConformanceReport })));
    const two = mergeReports([reports[0], reports[2]]);
    expect(two.partial).toBe(true);
    expect(two.runErrors.join('\n')).toMatch(/shard\(s\) 2\/3 missing/);
    expect(() => mergeReports([reports[0], { ...reports[1], report: { ...reports[1].report, seed: 8 } }])).toThrow(MergeError);
    expect(() => mergeReports([reports[0], reports[0]])).toThrow(/is in both/);
    const other = await runCli(['merge', shardDirs[0], join(tmpdir(), 'no-such-report-dir')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/Cannot read the report/);
  });
});
