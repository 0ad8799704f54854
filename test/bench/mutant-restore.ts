// scratch: not committed. Property mutants: verdict, time, whether the server is left as found, the finding's case.
import { runAgainstReference } from '../support/run-against-reference.js';
const rows = [
  ['pause-noop', 'ACT-EFFECT'], ['login-agent-missing-under-extension', 'ACT-EFFECT'], ['action-by-name-noop', 'ACT-ADDRESSING'], ['dnd-hits-other-core-server', 'ACT-ADDRESSING'],
  ['pause-pauses-all-agents-of-extension', 'ACT-ISOLATION'], ['status-note-leaks-to-other-user', 'ACT-ISOLATION'], ['pause-changes-agent-uuid', 'ACT-IDENTITY'],
];
const seed = Number(process.argv[2] ?? 1);
for (const [fault, rule] of rows) {
  const t = performance.now();
  const run = await runAgainstReference({ seed, faults: [fault] }, { seed, only: [rule], numRuns: 100 });
  const r = run.report!.rules.find((x) => x.id === rule)!;
  const notes = (r.notes ?? []).filter((n: string) => n.startsWith('not restored')).length;
  console.log(`${fault.padEnd(38)} ${r.verdict} ${((performance.now() - t) / 1000).toFixed(1)}s same=${run.fingerprintAfter === run.fingerprintBefore} notRestoredNotes=${notes} ${r.findings[0]?.property} path=${r.findings[0]?.path} ${r.findings.length} finding(s)`);
}
process.exit(0);
