/**
 * A previous conformance.json, as --replay and --baseline read it: checked to be a report, and, for --replay, the
 * plan of its failing cases that the suites send again (../replay.ts).
 */
import { readFile } from 'node:fs/promises';
import type { ConformanceReport } from '../../reporters/report-model.js';
import { matchesSelector } from '../../reporters/vocabulary/rules.js';
import type { ReplayPlan, ReplayRequest } from '../replay.js';

/**
 * The failing cases of `report`, by rule id: every finding of every failed rule, limited to the rules that
 * `only` selects (ids or family prefixes; empty: all).
 */
export function replayPlanFromReport(report: Pick<ConformanceReport, 'rules' | 'seed'>, only: readonly string[] = []): ReplayPlan {
  const plan: ReplayPlan = {};
  for (const rule of report.rules) {
    if (rule.verdict !== 'fail') continue;
    if (only.length > 0 && !matchesSelector(rule.id, only)) continue;
    plan[rule.id] = rule.findings.map((finding) => {
      const request: ReplayRequest = { message: finding.message, seed: finding.seed ?? report.seed };
      if (finding.property !== undefined) request.property = finding.property;
      if (finding.path !== undefined) request.path = finding.path;
      return request;
    });
  }
  return plan;
}

/** Thrown when a previous report given to --replay or --baseline cannot be used. */
export class PreviousReportError extends Error {
  readonly code = 'PREVIOUS_REPORT_UNUSABLE';
}

/** Reads a previous conformance.json (for --replay or --baseline); throws {@link PreviousReportError} naming what is wrong. */
export async function readPreviousReport(file: string, option: string): Promise<ConformanceReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new PreviousReportError(`${option} ${file}: cannot read it as JSON (${(error as Error).message}). Give the conformance.json of an earlier run.`);
  }
  const report = parsed as Partial<ConformanceReport>;
  if (!report || !Array.isArray(report.rules) || typeof report.seed !== 'number') {
    throw new PreviousReportError(`${option} ${file}: this is not a conformance report (it needs "rules" and "seed"). Give the conformance.json of an earlier run.`);
  }
  return report as ConformanceReport;
}

/** The previous reports a run reads: the one --replay sends again (with its plan), the one --baseline compares with. */
export interface PreviousReports {
  replay?: { plan: ReplayPlan; source: ConformanceReport };
  baseline?: ConformanceReport;
}

/**
 * Reads the reports --replay and --baseline name; throws {@link PreviousReportError} when one cannot be used, or
 * when the replayed one records no failing rule (of those --only selects), which leaves nothing to replay.
 */
export async function readPreviousReports(request: { replayFrom?: string; baselineFile?: string; only?: readonly string[] }): Promise<PreviousReports> {
  const previous: PreviousReports = {};
  if (request.replayFrom) {
    const source = await readPreviousReport(request.replayFrom, '--replay');
    const plan = replayPlanFromReport(source, request.only);
    if (Object.keys(plan).length === 0) {
      const among = request.only?.length ? ` among ${request.only.join(',')}` : '';
      throw new PreviousReportError(`--replay ${request.replayFrom}: it records no failing rule${among}, so there is nothing to replay.`);
    }
    previous.replay = { plan, source };
  }
  if (request.baselineFile) previous.baseline = await readPreviousReport(request.baselineFile, '--baseline');
  return previous;
}
