/**
 * Named faults: each turns the reference server into a one-fault mutant that breaks one rule of RULES.md.
 * The code tests `faults.has(name)` at the single point the fault affects.
 */

export interface FaultDefinition {
  name: string;
  description: string;
  /** The id of the rule in RULES.md that the fault breaks. */
  rule: string;
}

export const FAULTS = [
  { name: 'uuid-read-wrong-id', rule: 'ADDR-UUID',
    description: 'GET of a queue instance by UUID returns a body whose id is a different, fresh UUID.' },
  { name: 'name-lookup-ignores-core-server', rule: 'ADDR-NAME',
    description: 'CS/extensions/getByName/{number} resolves the number on the first core server, whatever core server the path names.' },
  { name: 'mixed-parent-by-name-broken', rule: 'ADDR-MIXED',
    description: 'With the core server addressed by getByName, any nested instance addressed by UUID answers 404 (collections, pure-UUID and pure-name paths still work).' },
  { name: 'list-item-stale-display-name', rule: 'ADDR-LIST',
    description: 'Items of CS/extensions (the list only) carry displayName + " (old)".' },
  { name: 'name-prefix-match', rule: 'ADDR-UNKNOWN',
    description: 'getByName on extensions and users falls back to the first instance whose name starts with the given text, so a near-miss prefix answers 200.' },
  { name: 'login-port-as-string', rule: 'SCHEMA-RESPONSE',
    description: 'Login port is sent as a JSON string.' },
  { name: 'queues-content-type-text', rule: 'HTTP-CONTENT-TYPE',
    description: 'GET responses of every path under CS/queues are sent as text/plain.' },
  { name: 'restart-keeps-uuids', rule: 'RESTART-NEW-UUIDS',
    description: 'A restart keeps every UUID.' },
  { name: 'restart-keeps-queue-uuids', rule: 'RESTART-NEW-UUIDS',
    description: 'A restart keeps the UUIDs of queues (only).' },
  { name: 'restart-old-uuids-resolve', rule: 'RESTART-OLD-404',
    description: 'After a restart, old UUIDs still resolve (an alias of the same object\'s new UUID) though listed ids are new.' },
  { name: 'restart-loses-name', rule: 'RESTART-NAMES',
    description: 'A restart drops the last extension of each core server from the live state.' },
  { name: 'recreate-keeps-uuid', rule: 'RECREATE-NEW-UUID',
    description: 'A queue login of an extension that was an agent of that queue before gets the old agent\'s UUID back.' },
  { name: 'duplicate-conference-identifier', rule: 'NAME-UNIQUE',
    description: 'The second conference room of each core server carries the identifier of the first (getByName finds the first).' },
  { name: 'duplicate-ids', rule: 'ID-UNIQUE',
    description: 'Conference rooms get the UUIDs of the queues of the same index (each still addressable in its own collection).' },
  { name: 'non-uuid-login-ids', rule: 'ID-FORMAT',
    description: 'Login ids are decimal counters ("1", "2", ...), still addressable at {user}/logins/{id}.' },
  { name: 'names-not-decoded', rule: 'ADDR-ENCODING',
    description: 'getByName compares the raw, still percent-encoded, path segment.' },
  { name: 'get-shifts-login-port', rule: 'HTTP-SAFE-GET',
    description: 'Each GET of a login ({user}/logins/{id}) adds 1 to its port after answering (logins come and go on their own, so a GET that removes one would be no fault a checker may see: LIVE-API.md §5).' },
  { name: 'malformed-id-500', rule: 'HTTP-NO-500',
    description: 'A malformed (not UUID-shaped) id in an instance position answers 500.' },
  { name: 'put-accepted', rule: 'HTTP-METHOD',
    description: 'PUT on an instance path answers 200 with the instance.' },
  { name: 'core-servers-open', rule: 'AUTH-REQUIRED',
    description: 'GET /coreServers answers 200 without checking credentials.' },
  { name: 'pause-noop', rule: 'ACT-EFFECT',
    description: 'pause answers 204 and does nothing.' },
  { name: 'action-by-name-noop', rule: 'ACT-ADDRESSING',
    description: 'An action whose path contains getByName anywhere passes its checks (404/409/412 as usual) and answers 204, but has no effect.' },
  { name: 'dnd-hits-other-core-server', rule: 'ACT-ADDRESSING',
    description: 'dnd/enable and dnd/disable with the extension addressed by getByName act on the extension with that number on the other core server (nothing if it has none).' },
  { name: 'pause-pauses-all-agents-of-extension', rule: 'ACT-ISOLATION',
    description: 'Pausing an agent also pauses the other agents of the same extension in other queues.' },
  { name: 'counted-pause', rule: 'ACT-SEQUENCES',
    description: 'pause increments a counter and unpause decrements it (not below 0); paused is counter > 0 (pause, pause, unpause leaves it paused).' },
  { name: 'login-inherits-old-agent-state', rule: 'ACT-SEQUENCES',
    description: 'A queue login of an extension that was logged out of that queue before restores the old agent\'s paused and penalty instead of the body\'s values or the defaults.' },
  { name: 'invalid-json-500', rule: 'ACT-BAD-BODY',
    description: 'An action body that is not valid JSON answers 500.' },
  { name: 'status-missing-type-accepted', rule: 'ACT-BAD-BODY',
    description: 'status/set without type answers 204, sets the other three values and keeps the old type.' },
  { name: 'unknown-agent-action-204', rule: 'ACT-UNKNOWN',
    description: 'An action (POST pause/unpause/penalty/logout) on an unknown agent UUID answers 204.' },
  { name: 'double-login-accepted', rule: 'ACT-CONFLICT',
    description: 'A queue login of an extension that is already an agent of the queue answers 204 and changes nothing.' },
  { name: 'pause-changes-agent-uuid', rule: 'ACT-IDENTITY',
    description: 'pause gives the agent a new UUID (it stays listed).' },
  { name: 'extension-ignores-core-server', rule: 'ADDR-PARENT',
    description: 'An extension UUID resolves under CS/extensions of any core server.' },
  { name: 'agent-ignores-queue', rule: 'ADDR-PARENT',
    description: 'An agent UUID resolves under any queue of its core server (CS/queues/{q}/agents/{id}).' },
  { name: 'user-extension-ignores-user', rule: 'ADDR-PARENT',
    description: 'CS/users/{u}/extensions/{id or getByName} resolves any extension of the core server.' },
  { name: 'segment-ignores-extension', rule: 'ADDR-PARENT',
    description: 'A call segment resolves under any extension\'s callSegments of its core server.' },
  { name: 'segment-ignores-queue', rule: 'ADDR-PARENT',
    description: 'A call segment resolves under any queue\'s callSegments of its core server (CS/queues/{q}/callSegments/{id}).' },
  { name: 'agent-ignores-extension', rule: 'ADDR-PARENT',
    description: 'An agent UUID resolves under any extension of its core server (CS/extensions/{e}/agents/{id}).' },
  { name: 'penalty-missing-accepted', rule: 'ACT-BAD-BODY',
    description: 'An agent penalty action without penalty answers 204 and changes nothing.' },
  { name: 'login-default-paused-inherited', rule: 'ACT-SEQUENCES',
    description: 'A queue login without paused gives the new agent the paused of the extension\'s former agent of that queue (when it had one), not false.' },
  { name: 'status-note-leaks-to-other-user', rule: 'ACT-ISOLATION',
    description: 'status/set also writes its note into the status of another user of the same core server.' },
  { name: 'user-extension-name-on-first-core-server', rule: 'ADDR-NAME',
    description: 'CS/users/{u}/extensions/getByName/{number} of a number the user holds resolves it on the first core server (a namesake on the second one reaches the first one\'s extension).' },
  { name: 'login-agent-missing-under-extension', rule: 'ACT-EFFECT',
    description: 'The agent a queue login creates is listed under its queue but not under its extension\'s agents.' },
] as const satisfies readonly FaultDefinition[];

export type FaultName = (typeof FAULTS)[number]['name'];

/** The fault names, in registry order. */
export const FAULT_NAMES: readonly FaultName[] = FAULTS.map((f) => f.name);

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** The definition of one fault; throws on an unknown name. */
export function faultDefinition(name: string): FaultDefinition {
  const found = FAULTS.find((f) => f.name === name);
  if (!found) throw unknownFault(name);
  return found;
}

function unknownFault(name: string): Error {
  return new Error(`Unknown fault "${name}". Known faults: ${FAULT_NAMES.join(', ')}`);
}

/** The faults switched on for one server. */
export class FaultSet {
  private readonly on: ReadonlySet<FaultName>;

  /** Throws on an unknown name, listing the known ones. */
  constructor(names: readonly string[] = []) {
    for (const name of names) if (!isFaultName(name)) throw unknownFault(name);
    this.on = new Set(names as FaultName[]);
  }

  has(name: FaultName): boolean {
    return this.on.has(name);
  }

  list(): FaultName[] {
    return [...this.on];
  }
}
