/** The report files: which formats a run writes, and writing them into the report folder. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatByName, reportFormats } from '../../reporters/index.js';
import type { ConformanceReport } from '../../reporters/report-model.js';
import { prepareReportDir } from './run-inputs.js';

/** The formats written when none is asked for: all of them. */
export function allFormatNames(): string[] {
  return reportFormats.map((format) => format.name);
}

/** Why `formats` cannot be written (a name no format has), or undefined. */
export function formatsProblem(formats: readonly string[]): string | undefined {
  const unknown = formats.find((name) => !formatByName(name));
  return unknown === undefined ? undefined : `Unknown report format "${unknown}". Use one or more of: ${allFormatNames().join(', ')}.`;
}

/** Writes the report in each selected format; returns the files written. */
export async function writeReports(report: ConformanceReport, reportDir: string, formats: readonly string[]): Promise<string[]> {
  const problem = await prepareReportDir(reportDir);
  if (problem) throw new Error(problem);
  const files: string[] = [];
  for (const name of formats) {
    const format = formatByName(name);
    if (!format) continue;
    const file = join(reportDir, format.fileName);
    await writeFile(file, format.render(report));
    files.push(file);
  }
  return files;
}
