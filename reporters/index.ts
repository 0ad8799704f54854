/** The registry of report formats: a format name, the file it writes, and its renderer. */
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { ConformanceReport } from './report-model.js';

/** One report format. */
export interface ReportFormat {
  /** The name --format takes. */
  name: string;
  /** Other names --format accepts (`md` for `markdown`). */
  aliases?: string[];
  /** The file written in --report-dir. */
  fileName: string;
  render(report: ConformanceReport): string;
}

/** Every format, in the order the files are written. */
export const reportFormats: readonly ReportFormat[] = [
  { name: 'json', fileName: 'conformance.json', render: renderJson },
  { name: 'junit', fileName: 'junit.xml', render: renderJunit },
  { name: 'html', fileName: 'report.html', render: renderHtml },
  { name: 'md', aliases: ['markdown'], fileName: 'summary.md', render: renderMarkdown },
];

/** The format named `name` (or one of its aliases), or undefined. */
export function formatByName(name: string): ReportFormat | undefined {
  const wanted = name.trim().toLowerCase();
  return reportFormats.find((format) => format.name === wanted || format.aliases?.includes(wanted));
}
