/** The one test body of the mutant matrix, shared by the per-family test files so that they run in parallel. */
import { describe, expect, test } from 'vitest';
import { mutantTable, ruleFamilyOf } from '../mutant-table.js';
import { reportSchemaErrors } from './report-schema.js';
import { runAgainstReference } from './run-against-reference.js';

/**
 * The seed of the matrix: `ISYM_MATRIX_SEED` when set (CI sets a new one on every run, `.ci/run`, so the matrix
 * keeps sampling seeds), else 42. It is in every test's name: `ISYM_MATRIX_SEED=N` reproduces a failure.
 */
export function matrixSeed(): number {
  const text = process.env.ISYM_MATRIX_SEED;
  if (text === undefined || text === '') return 42;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`ISYM_MATRIX_SEED must be a whole number, got "${text}".`);
  return seed;
}

/**
 * Registers one test per row of the table whose caught rule's family is in `families`, and a liberal row for the
 * first mutant of each of those families: the fault on the liberal reference server, which takes every freedom of
 * LIVE-API.md §5 the other way, so that detection does not lean on our own server's choices (`npm run detection --
 * --liberal` runs every row so).
 */
export function defineMutantMatrix(families: string[]): void {
  const rows = mutantTable.filter((row) => families.includes(ruleFamilyOf(row.mustFail)));
  const liberalRows = families.flatMap((family) => rows.filter((row) => ruleFamilyOf(row.mustFail) === family).slice(0, 1));
  const seed = matrixSeed();
  const variants = [...rows.map((row) => ({ row, liberal: false })), ...liberalRows.map((row) => ({ row, liberal: true }))];
  describe.each(variants.map((variant) => ({ ...variant, fault: variant.row.fault, label: variant.liberal ? ', liberal server' : '' })))(`mutant $fault$label (seed ${seed})`, ({ row, liberal }) => {
    test(`is caught by ${row.mustFail} and by no unrelated rule (ISYM_MATRIX_SEED=${seed})`, async () => {
      const run = await runAgainstReference({ faults: [row.fault], ...row.server, ...(liberal ? { liberal: true } : {}) }, { seed, ...row.run });
      expect(run.message).toBeUndefined();
      const report = run.report!;
      const verdicts = Object.fromEntries(report.rules.map((rule) => [rule.id, rule.verdict]));
      expect(verdicts[row.mustFail], `${row.mustFail} must fail for ${row.fault}`).toBe('fail');
      const caught = report.rules.find((rule) => rule.id === row.mustFail)!;
      expect(caught.findings[0].curl.length).toBeGreaterThan(0);
      const allowed = new Set([ruleFamilyOf(row.mustFail)]);
      const alsoBreaks = new Set((row.alsoBreaks ?? []).map((entry) => entry.rule));
      const unrelated = report.rules.filter((rule) => rule.verdict !== 'pass' && rule.verdict !== 'skip' && !allowed.has(ruleFamilyOf(rule.id)) && !alsoBreaks.has(rule.id));
      expect(unrelated.map((rule) => `${rule.id}: ${rule.verdict} ${rule.reason ?? rule.findings[0]?.message ?? ''}`)).toEqual([]);
      expect(run.exitCode).toBe(1);
      expect(await reportSchemaErrors(run.files.find((file) => file.endsWith('conformance.json'))!)).toEqual([]);
    });
  });
}
