/**
 * Detection rates of the mutants: runs every row of the mutant table (test/mutant-table.ts) on N seeds and prints,
 * per mutant, how many seeds its rule caught it on. A rate below 1 is a fault that a CI gate would catch on one
 * run and miss on the next.
 *
 *   npm run detection -- [--seeds N] [--first-seed S] [--runs N] [--fault NAME]... [--full] [--server KEY=VALUE]...
 *
 * By default each run checks only the row's rule (plus what it needs: discovery, the restart); `--full` runs every
 * rule, as the mutant matrix does. `--server KEY=VALUE` passes an option to the reference server of every run
 * (a JSON value, or a string), e.g. `--server size=2`; `--liberal` is `--server liberal=true`.
 */
import { parseArgs } from 'node:util';
import { mutantTable, type MutantRow } from '../mutant-table.js';
import type { ReferenceServerOptions } from '../reference-server/index.js';
import { runAgainstReference } from '../support/run-against-reference.js';

const usage = 'usage: npm run detection -- [--seeds N] [--first-seed S] [--runs N] [--fault NAME]... [--full] [--server KEY=VALUE]... [--liberal]';

function serverOptions(pairs: string[], liberal: boolean): Record<string, unknown> {
  const options: Record<string, unknown> = liberal ? { liberal: true } : {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--server takes KEY=VALUE, got "${pair}". ${usage}`);
    const text = pair.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // a plain string
    }
    options[pair.slice(0, at)] = value;
  }
  return options;
}

/** Whether the row's rule caught its mutant on one seed; the verdict, for the table. */
async function caught(row: MutantRow, seed: number, runs: number | undefined, full: boolean, server: Record<string, unknown>): Promise<{ caught: boolean; verdict: string }> {
  const result = await runAgainstReference(
    { ...(server as Partial<ReferenceServerOptions>), faults: [row.fault], ...row.server },
    { formats: ['json'], ...(full ? {} : { only: [row.mustFail] }), ...row.run, seed, ...(runs === undefined ? {} : { numRuns: runs }) },
  );
  const verdict = result.report?.rules.find((rule) => rule.id === row.mustFail)?.verdict ?? `no report (${result.message ?? 'exit ' + result.exitCode})`;
  return { caught: verdict === 'fail', verdict };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '20' },
      'first-seed': { type: 'string', default: '1' },
      runs: { type: 'string' },
      fault: { type: 'string', multiple: true },
      full: { type: 'boolean', default: false },
      server: { type: 'string', multiple: true },
      liberal: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(usage);
  const seeds = Number(values.seeds);
  const firstSeed = Number(values['first-seed']);
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(firstSeed) || (runs !== undefined && !(Number.isInteger(runs) && runs > 0))) {
    throw new Error(`--seeds, --first-seed and --runs take whole numbers. ${usage}`);
  }
  const server = serverOptions(values.server ?? [], values.liberal ?? false);
  const rows = mutantTable.filter((row) => !values.fault?.length || values.fault.includes(row.fault));
  if (rows.length === 0) throw new Error(`No row of the mutant table is named ${values.fault!.join(', ')}.`);

  console.log(`${rows.length} mutants × ${seeds} seeds (${firstSeed}..${firstSeed + seeds - 1}), --runs ${runs ?? 'as each row says (default 60)'}, ${values.full ? 'every rule' : "each row's rule only"}${Object.keys(server).length ? `, server ${JSON.stringify(server)}` : ''}`);
  const table: { fault: string; rule: string; caught: number; missed: number[] }[] = [];
  let invisible = 0;
  for (const row of rows) {
    if (server.liberal === true && row.invisibleWhenLiberal) {
      invisible += 1;
      console.log(`  n/a         ${row.fault.padEnd(42)} ${row.mustFail}  not observable on the liberal server: ${row.invisibleWhenLiberal}`);
      continue;
    }
    const entry = { fault: row.fault, rule: row.mustFail, caught: 0, missed: [] as number[] };
    for (let seed = firstSeed; seed < firstSeed + seeds; seed += 1) {
      const outcome = await caught(row, seed, runs, values.full ?? false, server);
      if (outcome.caught) entry.caught += 1;
      else entry.missed.push(seed);
    }
    table.push(entry);
    console.log(`${(entry.caught / seeds).toFixed(2).padStart(5)}  ${String(entry.caught).padStart(3)}/${seeds}  ${row.fault.padEnd(42)} ${row.mustFail}${entry.missed.length ? `  missed on seeds ${entry.missed.join(', ')}` : ''}`);
  }
  const perfect = table.filter((entry) => entry.caught === seeds).length;
  console.log(`\n${perfect} of ${table.length} mutants caught on every seed${invisible ? ` (${invisible} not observable on this server, left out)` : ''}.`);
  process.exitCode = perfect === table.length ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error((error as Error).message ?? String(error));
  process.exitCode = 2;
});
