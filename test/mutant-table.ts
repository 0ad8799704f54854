/**
 * The mutant matrix: each row is a one-fault variant of the reference server, the rule that must catch it, and
 * (rarely) the rules that its fault breaks too by its nature. Every other rule outside the caught rule's family
 * must pass or skip. A new mutant is a fault in test/reference-server/faults.ts and a row here: no new test code.
 */
import type { ConformanceRunOptions } from '../suites/runner/run-conformance.js';
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
  /**
   * Why the fault cannot show on the liberal reference server: it shows only through something LIVE-API.md lets
   * a server leave out, and the liberal server does (an optional property). The liberal cross skips the row, saying so.
   */
  invisibleWhenLiberal?: string;
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
  {
    fault: 'name-lookup-ignores-core-server',
    mustFail: 'ADDR-NAME',
    alsoBreaks: [
      { rule: 'ACT-EFFECT', why: 'it reads the effect back by name too, and the second core server\'s extension by name is the first one\'s' },
      { rule: 'ACT-ADDRESSING', why: 'an action on the second core server\'s extension by name lands on the first one\'s' },
      { rule: 'RESTART-NAMES', why: 'it checks that every name still reaches the object with its configurationId through getByName, which on the second core server reaches the first one\'s' },
      { rule: 'ACT-SEQUENCES', why: 'its steps address extensions by name, and on the second core server they land on the first one\'s' },
      { rule: 'ACT-CONFLICT', why: 'a conflicting agent action written with the extension by name on the second core server looks for the agent under the first one\'s extension, and answers 404' },
    ],
  },
  {
    fault: 'mixed-parent-by-name-broken',
    mustFail: 'ADDR-MIXED',
    alsoBreaks: [
      { rule: 'ACT-EFFECT', why: 'it reads the effect back with the core server by name, and a call or agent by UUID under it answers 404' },
      { rule: 'ACT-ADDRESSING', why: 'an action with the core server by name and an instance by UUID under it answers 404' },
      { rule: 'ACT-CONFLICT', why: 'a conflicting action written with the core server by name and the agent by UUID answers 404, not 409' },
      { rule: 'ACT-SEQUENCES', why: 'its steps mix the forms, and one with the core server by name and an instance by UUID answers 404' },
    ],
  },
  { fault: 'list-item-stale-display-name', mustFail: 'ADDR-LIST' },
  {
    fault: 'name-prefix-match',
    mustFail: 'ADDR-UNKNOWN',
    alsoBreaks: [{ rule: 'ACT-UNKNOWN', why: 'it posts actions with every near-miss name of an extension or user, and a prefix reaches a real one by the fault' }],
  },
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
  // Issue 3: ids, names, encoding, safe GETs, 5xx, methods, authentication.
  { fault: 'non-uuid-login-ids', mustFail: 'ID-FORMAT' },
  {
    fault: 'duplicate-ids',
    mustFail: 'ID-UNIQUE',
  },
  {
    fault: 'duplicate-conference-identifier',
    mustFail: 'NAME-UNIQUE',
    alsoBreaks: [
      { rule: 'ADDR-NAME', why: 'a name shared by two rooms reaches only one of them by getByName' },
      { rule: 'ADDR-MIXED', why: 'a name shared by two rooms reaches only one of them by getByName, at any level' },
      { rule: 'RESTART-NAMES', why: 'the second room\'s name reaches the first room, before the restart and after' },
    ],
  },
  {
    fault: 'names-not-decoded',
    mustFail: 'ADDR-ENCODING',
    alsoBreaks: [
      { rule: 'RESTART-NAMES', why: 'it reads every name by getByName after the restart, and names that need percent-encoding answer 404' },
      { rule: 'ACT-EFFECT', why: 'it reads the object acted on by name too, and a queue or user whose name needs percent-encoding answers 404' },
      { rule: 'ACT-ADDRESSING', why: 'it acts and reads through getByName, and a queue or user whose name needs percent-encoding answers 404' },
      { rule: 'ACT-SEQUENCES', why: 'its steps act through getByName too, and on a queue or user whose name needs percent-encoding they answer 404' },
      { rule: 'ACT-CONFLICT', why: 'its conflicting actions are addressed through getByName too, and on a queue whose name needs percent-encoding they answer 404, not 409' },
    ],
  },
  {
    fault: 'get-shifts-login-port',
    mustFail: 'HTTP-SAFE-GET',
    // The read-only rules run at once, beside ADDR-PARENT: another rule's GET of a login may fall between two reads
    // of it that a rule compares. Then that rule sees the fault too (rightly: the reads differ because a GET moved
    // the port), on some seeds and timings.
    alsoBreaks: ['ADDR-LIST', 'ADDR-UUID', 'ADDR-NAME', 'ADDR-MIXED', 'ADDR-PARENT'].map((rule) => ({
      rule,
      why: 'every GET of a login moves its port, so two reads of one login with another rule\'s GET between them differ',
    })),
  },
  {
    fault: 'malformed-id-500',
    mustFail: 'HTTP-NO-500',
    alsoBreaks: [
      { rule: 'ADDR-UNKNOWN', why: 'it sends malformed ids and expects 404; the fault answers them 500' },
      { rule: 'ACT-UNKNOWN', why: 'it posts actions on malformed ids and expects 404; the fault answers them 500' },
    ],
  },
  // HTTP-METHOD is a SHOULD rule: only --strict makes its failure fail the run.
  { fault: 'put-accepted', mustFail: 'HTTP-METHOD', run: { strict: true } },
  { fault: 'core-servers-open', mustFail: 'AUTH-REQUIRED' },
  // Issue 4: actions. ACT-CONFLICT is a SHOULD rule: only --strict makes its failure fail the run.
  { fault: 'pause-noop', mustFail: 'ACT-EFFECT' },
  { fault: 'action-by-name-noop', mustFail: 'ACT-ADDRESSING' },
  {
    fault: 'dnd-hits-other-core-server',
    mustFail: 'ACT-ADDRESSING',
    invisibleWhenLiberal: 'DND shows only in the dnd property, which LIVE-API.md §4 makes optional and the liberal server leaves out',
  },
  { fault: 'pause-pauses-all-agents-of-extension', mustFail: 'ACT-ISOLATION' },
  // Faults that only a sequence shows: the targeted sequences (do, again, undo; create, change, remove, create
  // again) run on every run, whatever --runs is.
  { fault: 'counted-pause', mustFail: 'ACT-SEQUENCES' },
  { fault: 'login-inherits-old-agent-state', mustFail: 'ACT-SEQUENCES' },
  { fault: 'invalid-json-500', mustFail: 'ACT-BAD-BODY' },
  { fault: 'status-missing-type-accepted', mustFail: 'ACT-BAD-BODY' },
  {
    fault: 'unknown-agent-action-204',
    mustFail: 'ACT-UNKNOWN',
    alsoBreaks: [
      { rule: 'ADDR-PARENT', why: 'it posts agent actions under a queue or extension that does not hold the agent, where its UUID is unknown, and the fault answers those 204' },
    ],
  },
  { fault: 'double-login-accepted', mustFail: 'ACT-CONFLICT', run: { strict: true } },
  { fault: 'pause-changes-agent-uuid', mustFail: 'ACT-IDENTITY' },
  // Restart and re-creation: every run restarts its server through the control server (run-against-reference).
  { fault: 'restart-keeps-uuids', mustFail: 'RESTART-NEW-UUIDS' },
  { fault: 'restart-keeps-queue-uuids', mustFail: 'RESTART-NEW-UUIDS' },
  { fault: 'restart-old-uuids-resolve', mustFail: 'RESTART-OLD-404' },
  { fault: 'restart-loses-name', mustFail: 'RESTART-NAMES' },
  { fault: 'recreate-keeps-uuid', mustFail: 'RECREATE-NEW-UUID' },
  // Faults a seed could miss before the enumerated cases: each must be caught on every seed, at any --runs.
  { fault: 'penalty-missing-accepted', mustFail: 'ACT-BAD-BODY' },
  { fault: 'login-default-paused-inherited', mustFail: 'ACT-SEQUENCES' },
  { fault: 'status-note-leaks-to-other-user', mustFail: 'ACT-ISOLATION' },
  {
    fault: 'user-extension-name-on-first-core-server',
    mustFail: 'ADDR-NAME',
    alsoBreaks: [{ rule: 'RESTART-NAMES', why: 'it reads every name by getByName after the restart, and a user\'s extension on the second core server by name reaches the first one\'s' }],
  },
  { fault: 'login-agent-missing-under-extension', mustFail: 'ACT-EFFECT' },
];
