/**
 * `npm run latitude -- --seeds N [--from S] [--runs R]`: runs the whole checker against the liberal reference
 * server on N seeds (odd seeds quiet, even seeds churning; each run restarts the server once), and prints every
 * rule that did not pass, then the count of clean runs. A correct server must give N of N.
 */
import { parseArgs } from 'node:util';
import { runAgainstReference } from '../support/run-against-reference.js';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '20' }, from: { type: 'string', default: '1' }, runs: { type: 'string' } } });
const seeds = Number(values.seeds);
const from = Number(values.from);
const numRuns = values.runs === undefined ? undefined : Number(values.runs);

let clean = 0;
const started = Date.now();
for (let seed = from; seed < from + seeds; seed += 1) {
  const churn = seed % 2 === 0 ? { intervalMs: 5 } : false;
  const run = await runAgainstReference({ liberal: true, churn, seed }, { seed, formats: ['json'], ...(numRuns ? { numRuns } : {}) });
  const notPassed = run.report?.rules.filter((rule) => rule.verdict !== 'pass') ?? [];
  const ok = run.message === undefined && notPassed.length === 0 && run.exitCode === 0;
  if (ok) clean += 1;
  console.log(`seed ${seed}${churn ? ' (churn)' : ''}: ${ok ? 'clean' : `NOT CLEAN ${run.message ?? ''}`}`);
  for (const rule of notPassed) console.log(`  ${rule.id} ${rule.verdict}: ${rule.reason ?? ''} ${rule.findings[0]?.message.split('\n')[0] ?? ''} (report ${run.reportDir})`);
}
console.log(`\n${clean} of ${seeds} runs clean on the liberal server (${Math.round((Date.now() - started) / 1000)} s)`);
process.exitCode = clean === seeds ? 0 : 1;
