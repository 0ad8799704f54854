// scratch: not committed
import diagnostics from 'node:diagnostics_channel';
import type http from 'node:http';
import { writeFileSync } from 'node:fs';
import { runAgainstReference } from '../support/run-against-reference.js';
const log: string[] = [];
diagnostics.subscribe('http.server.request.start', (m) => {
  const r = (m as { request: http.IncomingMessage }).request;
  log.push(`${r.method} ${r.url}`);
});
const only = process.argv[2] ? process.argv[2].split(',') : undefined;
const seed = Number(process.argv[3] ?? 42);
const run = await runAgainstReference({ seed }, { seed, ...(only ? { only } : {}) });
for (const rule of run.report!.rules) if (rule.verdict === 'fail' || rule.verdict === 'error') console.log(rule.id, rule.verdict, rule.reason ?? '', rule.findings[0]?.message);
console.log('fingerprint same', run.fingerprintAfter === run.fingerprintBefore);
writeFileSync('/tmp/scratch/repro.txt', log.join('\n'));
process.exit(0);
