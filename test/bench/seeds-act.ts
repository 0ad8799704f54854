// scratch: not committed. ACT property rules on many seeds, quiet / churning / liberal churning: any finding is a false failure.
import { runAgainstReference } from '../support/run-against-reference.js';
const only = ['ACT-EFFECT', 'ACT-ADDRESSING', 'ACT-IDENTITY', 'ACT-ISOLATION'];
const [from, to] = [Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 10)];
for (let seed = from; seed <= to; seed += 1) {
  for (const [label, server] of [['quiet', {}], ['churn', { churn: { intervalMs: 5 } }], ['liberal-churn', { liberal: true, churn: { intervalMs: 5 } }]] as const) {
    const run = await runAgainstReference({ seed, ...server }, { seed, only, numRuns: 100 });
    const bad = run.report!.rules.filter((r) => only.includes(r.id) && r.verdict !== 'pass');
    const same = run.fingerprintAfter === run.fingerprintBefore;
    const notes = run.report!.rules.flatMap((r) => (r.notes ?? []).filter((n: string) => n.startsWith('not restored')).map((n: string) => `${r.id}: ${n}`));
    console.log(`seed ${seed} ${label}: ${bad.length === 0 ? 'pass' : bad.map((r) => `${r.id} ${r.verdict} ${r.reason ?? ''} ${r.findings[0]?.message ?? ''}`).join(' | ')}${label === 'quiet' && !same ? ' FINGERPRINT CHANGED' : ''}${notes.length ? ' NOTES ' + notes.slice(0, 3).join(' / ') : ''}`);
  }
}
process.exit(0);
