/**
 * The mutant matrix: each row is a one-fault variant of the reference server, the rule that must catch it, and
 * (rarely) the rules that its fault breaks too by its nature. Every other rule outside the caught rule's family
 * must pass or skip. A new mutant is a fault in test/reference-server/faults.ts and a row here: no new test code.
 */
import type { ConformanceRunOptions } from '../suites/run-conformance.js';
import type { ReferenceServerOptions } from './reference-server/index.js';

export interface MutantRow {
  /** The reference server's fault (test/reference-server/faults.ts). */
  fault: string;
  /** The rule that must fail. */
  mustFail: string;
  /** Rules of other families that this fault breaks as well, each with why; all others must not fail. */
  alsoBreaks?: { rule: string; why: string }[];
  /** More options of the reference server (e.g. churn). */
  server?: Partial<ReferenceServerOptions>;
  /** More options of the run (e.g. a restart mechanism, --only). */
  run?: Partial<ConformanceRunOptions>;
}

/** The family of a rule id for the matrix: its first word (ADDR, ID, NAME, RESTART, RECREATE, ACT, HTTP, SCHEMA, AUTH). */
export function ruleFamilyOf(ruleId: string): string {
  return ruleId.split('-')[0];
}

export const mutantTable: readonly MutantRow[] = [
  // Issue 2: addressing, schema and content type.
  { fault: 'uuid-read-wrong-id', mustFail: 'ADDR-UUID' },
  { fault: 'name-lookup-ignores-core-server', mustFail: 'ADDR-NAME' },
  { fault: 'mixed-parent-by-name-broken', mustFail: 'ADDR-MIXED' },
  { fault: 'list-item-stale-display-name', mustFail: 'ADDR-LIST' },
  { fault: 'name-prefix-match', mustFail: 'ADDR-UNKNOWN' },
  // Issue 7: scope. One mutant per kind of parent that leaks: core server, queue and extension (agents), user
  // (extensions), extension and queue (call segments).
  { fault: 'extension-ignores-core-server', mustFail: 'ADDR-PARENT' },
  { fault: 'agent-ignores-queue', mustFail: 'ADDR-PARENT' },
  { fault: 'agent-ignores-extension', mustFail: 'ADDR-PARENT' },
  { fault: 'user-extension-ignores-user', mustFail: 'ADDR-PARENT' },
  { fault: 'segment-ignores-extension', mustFail: 'ADDR-PARENT' },
  { fault: 'segment-ignores-queue', mustFail: 'ADDR-PARENT' },
  { fault: 'login-port-as-string', mustFail: 'SCHEMA-RESPONSE' },
  { fault: 'queues-content-type-text', mustFail: 'HTTP-CONTENT-TYPE' },
  // Restart and re-creation: every run restarts its server through the control server (run-against-reference).
  { fault: 'restart-keeps-uuids', mustFail: 'RESTART-NEW-UUIDS' },
  { fault: 'restart-keeps-queue-uuids', mustFail: 'RESTART-NEW-UUIDS' },
  { fault: 'restart-old-uuids-resolve', mustFail: 'RESTART-OLD-404' },
  { fault: 'restart-loses-name', mustFail: 'RESTART-NAMES' },
  { fault: 'recreate-keeps-uuid', mustFail: 'RECREATE-NEW-UUID' },
];
