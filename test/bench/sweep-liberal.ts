// scratch: not committed. The four ACT property rules on liberal churning servers, seeds from..to; details of any finding.
import { runAgainstReference } from '../support/run-against-reference.js';
const only = ['ACT-EFFECT', 'ACT-ADDRESSING', 'ACT-IDENTITY', 'ACT-ISOLATION'];
const [from, to] = [Number(process.argv[2]), Number(process.argv[3])];
let bad = 0;
for (let seed = from; seed <= to; seed += 1) {
  const run = await runAgainstReference({ seed, liberal: true, churn: { intervalMs: 5 } }, { seed, only, numRuns: 100 });
  for (const r of run.report!.rules.filter((x) => x.verdict === 'fail' || x.verdict === 'error')) {
    bad += 1;
    const f = r.findings[0];
    console.log(`seed ${seed} ${r.id} ${r.verdict} ${r.reason ?? ''} ${f?.message}\n  ${f?.property} ${JSON.stringify(f?.counterexample)}\n  ${f?.requests?.map((q: any) => `${q.method} ${q.url.replace(/^.*live\//, '')} ${q.status} ${q.method === 'GET' ? JSON.stringify(q.body) : ''}`).join('\n  ')}`);
  }
}
console.log(`${bad} rule failures over seeds ${from}..${to}`);
process.exit(0);
