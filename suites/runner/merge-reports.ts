/**
 * `isym-conform merge DIR...`: reads the conformance.json of each shard (a report folder or the file itself),
 * merges them (reporters/merge.ts) and writes the merged report in the formats asked. Exit codes as a run's:
 * 0 conformant, 1 not, 2 when the reports cannot be read or are not shards of one run.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MergeError, mergeReports, type NamedReport } from '../../reporters/merge.js';
import { reportFails, type ConformanceReport } from '../../reporters/report-model.js';
import { runDefaults } from '../run-defaults.js';
import { allFormatNames, formatsProblem, writeReports } from './write-reports.js';
import { prepareReportDir } from './run-inputs.js';

/** Options of {@link mergeReportFiles}. */
export interface MergeOptions {
  /** Report folders (holding conformance.json) or conformance.json files, one per shard. */
  inputs: string[];
  /** Where the merged report goes. Default: runDefaults.reportDir. */
  reportDir?: string;
  /** Formats to write. Default: all. */
  formats?: string[];
  /** Fail on SHOULD rules too. */
  strict?: boolean;
}

/** What a merge gives back. */
export interface MergeResult {
  exitCode: 0 | 1 | 2;
  report?: ConformanceReport;
  files: string[];
  message?: string;
}

async function readShardReport(input: string): Promise<NamedReport> {
  const path = resolve(input);
  const file = (await stat(path)).isDirectory() ? join(path, 'conformance.json') : path;
  const report = JSON.parse(await readFile(file, 'utf8')) as ConformanceReport;
  if (!report || !Array.isArray(report.rules) || typeof report.seed !== 'number') throw new Error(`${file} is not a conformance.json (no rules or seed)`);
  return { source: input, report };
}

/** Merges the shards' reports and writes the merged one. Never throws for a bad input: exit code 2 and a message. */
export async function mergeReportFiles(options: MergeOptions): Promise<MergeResult> {
  const formats = options.formats ?? allFormatNames();
  const formatProblem = formatsProblem(formats);
  if (formatProblem) return { exitCode: 2, files: [], message: formatProblem };
  const reportDir = resolve(options.reportDir ?? runDefaults.reportDir);
  const reportDirProblem = await prepareReportDir(reportDir);
  if (reportDirProblem) return { exitCode: 2, files: [], message: reportDirProblem };
  const reports: NamedReport[] = [];
  for (const input of options.inputs) {
    try {
      reports.push(await readShardReport(input));
    } catch (error) {
      return { exitCode: 2, files: [], message: `Cannot read the report ${input}: ${(error as Error).message}. Give the report folders (or conformance.json files) of the shards.` };
    }
  }
  let report: ConformanceReport;
  try {
    report = mergeReports(reports);
  } catch (error) {
    if (error instanceof MergeError) return { exitCode: 2, files: [], message: error.message };
    throw error;
  }
  const files = await writeReports(report, reportDir, formats);
  return { exitCode: reportFails(report, options.strict) ? 1 : 0, report, files };
}
