// scratch: not committed. One rule, one seed, liberal churning, N times: any finding is a false failure.
import { runAgainstReference } from '../support/run-against-reference.js';
const [rule, seed, times] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 5)];
let bad = 0;
for (let i = 0; i < times; i += 1) {
  const run = await runAgainstReference({ seed, liberal: true, churn: { intervalMs: 5 } }, { seed, only: ['ACT-EFFECT', 'ACT-ADDRESSING', 'ACT-IDENTITY', 'ACT-ISOLATION'], numRuns: 100 });
  const r = run.report!.rules.find((x) => x.id === rule && x.verdict === 'fail') ?? run.report!.rules.find((x) => (x.verdict === 'fail' || x.verdict === 'error')) ?? { verdict: 'pass', findings: [] } as any;
  if (r.verdict !== 'pass') { bad += 1; console.log(`run ${i}: ${r.verdict} ${r.findings[0]?.message}`); console.log(JSON.stringify(r.findings[0]?.counterexample), r.findings[0]?.property, r.findings[0]?.requests?.map((q: any) => `${q.method} ${q.url.replace(/^.*live\//, '')} ${q.status} ${q.method === 'GET' ? JSON.stringify(q.body) : ''}`).join('\n')); }
}
console.log(`${bad}/${times} failed`);
process.exit(0);
