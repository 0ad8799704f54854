/** The registry of report formats: a format name, the file it writes, and its renderer. */
import { renderJson } from './json.js';
import type { ConformanceReport } from './report-model.js';

/** One report format. */
export interface ReportFormat {
  /** The name --format takes. */
  name: string;
  /** The file written in --report-dir. */
  fileName: string;
  render(report: ConformanceReport): string;
}

export const reportFormats: readonly ReportFormat[] = [{ name: 'json', fileName: 'conformance.json', render: renderJson }];

/** The format named `name`, or undefined. */
export function formatByName(name: string): ReportFormat | undefined {
  return reportFormats.find((format) => format.name === name);
}
