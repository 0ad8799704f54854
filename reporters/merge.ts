/**
 * Merging the reports of a sharded run (`isym-conform merge DIR...`): each shard's conformance.json holds the
 * rules of its shard; the merged report holds them all, as one unsharded run with the same seed would, and is
 * rendered in every format like any report. Only report models are read: nothing is run again.
 */
import { buildReport, type ConformanceReport, type ReportRule } from './report-model.js';
import { coverageTotals, type ContractCoverage, type OperationCoverage } from './vocabulary/coverage.js';

/** Thrown when the reports cannot be merged; `code` is stable. */
export class MergeError extends Error {
  readonly code: 'MERGE_NOTHING' | 'MERGE_MISMATCH' | 'MERGE_DUPLICATE_RULE' | 'MERGE_DUPLICATE_SHARD';
  constructor(code: MergeError['code'], message: string) {
    super(message);
    this.name = 'MergeError';
    this.code = code;
  }
}

/** A report with where it came from, for messages. */
export interface NamedReport {
  source: string;
  report: ConformanceReport;
}

/** The shard a report says it ran (`options.shard`, `i/n`), if any. */
function shardOf(report: ConformanceReport): { index: number; count: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(String(report.options?.shard ?? ''));
  return match ? { index: Number(match[1]), count: Number(match[2]) } : undefined;
}

/** The reports must come from one run split in shards: same contract, seed, runs, selection and target kind. */
function checkSameRun(reports: readonly NamedReport[]): void {
  const first = reports[0];
  const sameness: [string, (report: ConformanceReport) => unknown][] = [
    ['contract (sha256)', (report) => report.contract.sha256],
    ['seed', (report) => report.seed],
    ['fast-check runs', (report) => report.options?.runs],
    ['--only', (report) => JSON.stringify(report.options?.only ?? [])],
    ['--skip', (report) => JSON.stringify(report.options?.skip ?? [])],
    ['tool version', (report) => report.tool.version],
  ];
  for (const { source, report } of reports.slice(1)) {
    for (const [what, read] of sameness) {
      if (read(report) !== read(first.report)) {
        throw new MergeError(
          'MERGE_MISMATCH',
          `${source} and ${first.source} are not shards of one run: their ${what} differ (${String(read(report))} vs ${String(read(first.report))}). Merge the reports of one sharded run only.`,
        );
      }
    }
  }
}

/** Sums the coverage of the shards: requests and statuses add up, forms and rules unite, totals are counted again. */
export function mergeCoverage(parts: readonly ContractCoverage[]): ContractCoverage | undefined {
  if (parts.length === 0) return undefined;
  const operations = new Map<string, OperationCoverage>();
  for (const part of parts) {
    for (const op of part.operations) {
      const key = `${op.method} ${op.template}`;
      const known = operations.get(key);
      if (!known) {
        operations.set(key, { ...op, statuses: { ...op.statuses }, forms: { possible: [...op.forms.possible], exercised: [...op.forms.exercised] }, rules: [...op.rules] });
        continue;
      }
      known.requests += op.requests;
      for (const [status, count] of Object.entries(op.statuses)) known.statuses[status] = (known.statuses[status] ?? 0) + count;
      known.forms.exercised = known.forms.possible.filter((forms) => known.forms.exercised.includes(forms) || op.forms.exercised.includes(forms));
      known.rules = [...new Set([...known.rules, ...op.rules])].sort();
      // A reason says why a part was not exercised: it stands only while no shard exercised it fully.
      if (known.requests > 0 && known.forms.exercised.length === known.forms.possible.length) delete known.reason;
      else if (op.requests > 0 && known.reason === undefined) known.reason = op.reason;
    }
  }
  const merged = [...operations.values()];
  const outside = new Map<string, { method: string; template: string; requests: number }>();
  for (const part of parts) {
    for (const entry of part.outsideContract) {
      const key = `${entry.method} ${entry.template}`;
      const known = outside.get(key) ?? { ...entry, requests: 0 };
      known.requests += entry.requests;
      outside.set(key, known);
    }
  }
  return {
    operations: merged,
    totals: coverageTotals(merged),
    outsideContract: [...outside.values()],
    unmatched: {
      requests: parts.reduce((sum, part) => sum + part.unmatched.requests, 0),
      examples: parts.flatMap((part) => part.unmatched.examples).slice(0, 5),
    },
  };
}

/**
 * Merges the reports of the shards of one run into one report. Each rule must come from one shard only; a shard
 * missing from the set (by its `options.shard`) makes the merged report partial, with a run error saying which.
 */
export function mergeReports(reports: readonly NamedReport[]): ConformanceReport {
  if (reports.length === 0) throw new MergeError('MERGE_NOTHING', 'No reports to merge: give the report folders (or conformance.json files) of the shards.');
  checkSameRun(reports);

  const rules: ReportRule[] = [];
  const ruleSource = new Map<string, string>();
  for (const { source, report } of reports) {
    for (const rule of report.rules) {
      const earlier = ruleSource.get(rule.id);
      if (earlier !== undefined) {
        throw new MergeError('MERGE_DUPLICATE_RULE', `Rule ${rule.id} is in both ${earlier} and ${source}: a rule belongs to one shard. Were these reports made with --shard i/n of one n?`);
      }
      ruleSource.set(rule.id, source);
      rules.push(rule);
    }
  }

  const runErrors: string[] = [];
  const shards = reports.map(({ source, report }) => ({ source, shard: shardOf(report) }));
  const counts = new Set(shards.map(({ shard }) => shard?.count ?? 1));
  const count = Math.max(...counts);
  const seen = new Map<number, string>();
  for (const { source, shard } of shards) {
    if (!shard) continue;
    const earlier = seen.get(shard.index);
    if (earlier !== undefined) throw new MergeError('MERGE_DUPLICATE_SHARD', `${earlier} and ${source} are both shard ${shard.index}/${shard.count}.`);
    seen.set(shard.index, source);
  }
  if (counts.size > 1) runErrors.push(`the reports were made with different shard counts (${[...counts].join(', ')}): the merged report may lack rules`);
  const missing = [...Array(count).keys()].map((i) => i + 1).filter((index) => count > 1 && !seen.has(index));
  if (missing.length > 0) runErrors.push(`shard(s) ${missing.map((index) => `${index}/${count}`).join(', ')} missing from the merge: their rules are not in this report`);
  for (const { source, report } of reports) for (const error of report.runErrors) runErrors.push(`${source}: ${error}`);

  const first = reports[0].report;
  const startedAt = new Date(Math.min(...reports.map(({ report }) => Date.parse(report.startedAt))));
  const finishedAt = new Date(Math.max(...reports.map(({ report }) => Date.parse(report.finishedAt))));
  const interrupted = reports.find(({ report }) => report.interrupted)?.report.interrupted;
  const targets = [...new Set(reports.map(({ report }) => report.target.url))];
  const { shard: _shard, ...options } = first.options ?? {};
  const coverages = reports.map(({ report }) => report.coverage).filter((coverage): coverage is ContractCoverage => coverage !== undefined);
  const merged = buildReport(rules, {
    tool: first.tool,
    contract: first.contract,
    // Shards on separate machines check one build each: the report names every target it was built from.
    targetUrl: targets.join(' '),
    sut: first.sut,
    startedAt,
    finishedAt,
    seed: first.seed,
    partial: reports.some(({ report }) => report.partial) || missing.length > 0,
    interrupted,
    options: { ...options, target: targets.join(' '), mergedFrom: shards.map(({ source, shard }) => (shard ? `${source} (shard ${shard.index}/${shard.count})` : source)) },
    runErrors,
    coverage: coverages.length === reports.length ? mergeCoverage(coverages) : undefined,
  });
  return merged;
}
