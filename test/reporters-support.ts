/**
 * Helpers of the reporter tests: the report model fixture, a JUnit XML reading through a real XML parser, and
 * the folders the tests write (every one is searched for the password at the end).
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';
import { compareWithBaseline, reproducingCommand, type ConformanceReport } from '../reporters/report-model.js';
import { reportSchemaErrors } from './support/report-schema.js';

/** The reference server's default password: it must never be in a file the checker writes. */
export const referencePassword = 'manag3rpa55word';

/** The report model fixture: a real mutant run with UUIDs, host and times made fixed, and a hostile target's names. */
export async function loadReportFixture(): Promise<ConformanceReport> {
  return JSON.parse(await readFile(join(import.meta.dirname, 'fixtures/report-model.json'), 'utf8')) as ConformanceReport;
}

/**
 * The fixture as a partial run compared with a baseline and carrying replay results: every optional section of
 * the model filled, built deterministically from the fixture.
 */
export async function loadExtendedFixture(): Promise<ConformanceReport> {
  const report = await loadReportFixture();
  const baseline = structuredClone(report);
  // The baseline knew ADDR-NAME's failure, not HTTP-METHOD's, and RESTART-NEW-UUIDS failed then.
  baseline.rules = baseline.rules.map((rule) => {
    if (rule.id === 'HTTP-METHOD') return { ...rule, verdict: 'pass', findings: [] };
    if (rule.id === 'RESTART-NEW-UUIDS') return { ...rule, verdict: 'fail', findings: [{ message: 'A UUID survived the restart.', expected: 'new', actual: 'old', requests: [], curl: [] }] };
    return rule;
  });
  const compared = compareWithBaseline(report, baseline, 'previous/conformance.json');
  // A report of this version records the command line that reproduces it (the fixture predates it).
  compared.sut = 'Reference server 0.1';
  compared.command = reproducingCommand(compared.options, compared.sut);
  compared.partial = true;
  compared.interrupted = { reason: 'max-time', detail: 'stopped by --max-time after 30 s' };
  compared.replay = {
    source: 'earlier/conformance.json',
    sourceSeed: 42,
    cases: [
      { ruleId: 'ADDR-NAME', property: 'name-equals-uuid', seed: 42, path: '2', message: 'The name form reaches another instance than the UUID form.', how: 'exact', stillFails: true, replayMessage: 'The name form reaches another instance than the UUID form.' },
      { ruleId: 'ADDR-MIXED', property: 'every-mix-reaches-the-same-instance', seed: 42, path: '13', message: '<b>uuid/name/uuid</b> does not reach it', how: 'exact', stillFails: false },
    ],
  };
  return compared;
}

/** A testcase of junit.xml as fast-xml-parser reads it (attributes without prefix). */
export interface JunitTestCase {
  name: string;
  classname: string;
  time: string;
  failure?: { message: string; type: string; '#text'?: string } | string;
  skipped?: { message: string } | string;
  error?: { message: string; '#text'?: string } | string;
  'system-out'?: string;
}

/** A testsuite of junit.xml. */
export interface JunitTestSuite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  testcase: JunitTestCase[];
  properties?: { property: { name: string; value: string }[] };
}

/** Parses junit.xml with a real XML parser after checking that it is well-formed XML. */
export function parseJunit(xml: string): { testsuites: { tests: string; failures: string; errors: string; skipped: string; testsuite: JunitTestSuite[] } } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`junit.xml is not well-formed: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  });
  return parser.parse(xml);
}

/** The verdict a JUnit testcase expresses. */
export function junitVerdict(testCase: JunitTestCase): 'pass' | 'fail' | 'skip' | 'error' {
  if (testCase.failure !== undefined) return 'fail';
  if (testCase.error !== undefined) return 'error';
  if (testCase.skipped !== undefined) return 'skip';
  return 'pass';
}

/** A fresh folder for files a test writes, under one root per process so that they can all be searched. */
export async function testOutputDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `isym-conform-reporters-${label}-`));
}

/** Every file under `dir`, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/**
 * What must hold of every file a reporter test wrote under `dirs`: none holds the password, every
 * conformance.json validates against the shipped schema, every junit.xml is well-formed JUnit XML. Returns how
 * many files were looked at.
 */
export async function checkWrittenFiles(dirs: readonly string[]): Promise<number> {
  const files = (await Promise.all(dirs.map(filesUnder))).flat();
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    expect(text.includes(referencePassword), `${file} holds the password`).toBe(false);
    if (file.endsWith('conformance.json')) expect(await reportSchemaErrors(file), file).toEqual([]);
    if (file.endsWith('junit.xml')) expect(parseJunit(text).testsuites.testsuite.length, file).toBeGreaterThan(0);
  }
  return files.length;
}
