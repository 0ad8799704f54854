import type { ConformanceReport } from './report-model.js';

/** conformance.json: the report model as it is, two-space indented. */
export function renderJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
