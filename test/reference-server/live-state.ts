/**
 * The live state of the reference server: what the Live API shows, built from the configuration. Every
 * instance gets a fresh UUID each time the state is built (a start or a restart).
 */
import { randomUUID } from 'node:crypto';
import { DATA_SET_EPOCH_MS } from './data-set.js';
import type {
  CallSegmentConfig, Configuration, ConferenceConfig, CoreServerConfig, DeviceState, StatusConfig,
} from './data-set.js';
import type { FaultSet } from './faults.js';

export interface LiveExtension {
  id: string;
  configurationId: string;
  permissionId: string;
  extensionNumber: string;
  displayName: string;
  dnd: boolean;
}

export interface LiveQueue {
  id: string;
  configurationId: string;
  permissionId: string;
  identifier: string;
  displayName: string;
  agents: LiveAgent[];
}

export interface AgentStatistics {
  callsTaken: number;
  talkTimeMs: number;
  loggedInSince: number;
}

export interface LiveAgent {
  id: string;
  queue: LiveQueue;
  extension: LiveExtension;
  paused: boolean;
  /** Only the `counted-pause` fault reads this: how many pauses are outstanding. */
  pauseCount: number;
  state: DeviceState;
  dynamic: boolean;
  penalty: number;
  statistics: AgentStatistics;
  /** True for an agent that logged in at its phone (liberal churn): not action-controlled state. */
  byPhone?: boolean;
  /** Only the `login-agent-missing-under-extension` fault sets this: the agent is left out of its extension's agents. */
  hiddenFromExtension?: boolean;
}

/** Who made a call segment: churn may end only the segments it made itself. */
export type SegmentOrigin = 'start' | 'action' | 'churn';

export interface LiveCallSegment {
  id: string;
  extension: LiveExtension;
  /** The queue the call came through, if any (it is then listed under that queue too). */
  queue: LiveQueue | null;
  type: 'INTERNAL' | 'EXTERNAL';
  callerId: { id: string; name: string; number: string };
  did: string | null;
  onHold: boolean;
  recording: boolean;
  incoming: boolean;
  origin: SegmentOrigin;
  /** Index in the configuration's call segments, for segments present at start (identity across a restart). */
  startIndex: number | null;
  /** When the call ends by itself (Unix ms); absent: it does not (see Latitude callLifetimeMs). */
  endsAt?: number;
}

/** A user's live status has the fields of its configuration; status/set changes name, type, note and returnTime. */
export type LiveStatus = StatusConfig;

export interface LiveLogin {
  id: string;
  ip: string;
  port: number;
  timeConnected: number;
  /** True for a client that connected during the run (liberal churn): not part of the configuration. */
  byChurn?: boolean;
}

export interface LiveUser {
  id: string;
  configurationId: string;
  permissionId: string;
  userName: string;
  displayedName: string;
  extensions: LiveExtension[];
  status: LiveStatus;
  logins: LiveLogin[];
}

export interface LiveConference extends ConferenceConfig {
  id: string;
}

/** What a logged-out agent leaves behind; only faults read it (a correct server never revives an agent). */
export interface RetiredAgent {
  id: string;
  paused: boolean;
  penalty: number;
}

export interface LiveCoreServer {
  id: string;
  configurationId: string;
  slug: string;
  name: string;
  /** Visible (licensed) extensions only. */
  extensions: LiveExtension[];
  /** Enabled queues only. */
  queues: LiveQueue[];
  /** Licensed users only. */
  users: LiveUser[];
  conferences: LiveConference[];
  callSegments: LiveCallSegment[];
  /** Keyed by retiredAgentKey(queue, extension). */
  retiredAgents: Map<string, RetiredAgent>;
}

export interface LiveState {
  coreServers: LiveCoreServer[];
  /** Every UUID of earlier builds → the UUID of the same object now. A correct server never resolves these. */
  formerIds: Map<string, string>;
}

/** The action-controlled state that survives a restart, keyed by configuration ids. */
export interface CarriedState {
  dnd: Map<string, boolean>;
  agents: Map<string, Array<{ extensionConfigurationId: string; dynamic: boolean; paused: boolean; pauseCount: number; penalty: number }>>;
  statuses: Map<string, LiveStatus>;
}

export interface BuildOptions {
  faults: FaultSet;
  /** Shared across builds, so counter-based ids (a fault) keep counting after a restart. */
  loginCounter: { value: number };
  /** Action-controlled state of the previous build (on a restart). */
  carried?: CarriedState;
}

const key = (...parts: string[]) => parts.join('/');

export function retiredAgentKey(queue: LiveQueue, extension: LiveExtension): string {
  return key(queue.id, extension.id);
}

/** Build the live state of a whole server from its configuration. */
export function buildLiveState(config: Configuration, options: BuildOptions): LiveState {
  return { coreServers: config.coreServers.map((cs) => buildCoreServer(cs, options)), formerIds: new Map() };
}

/**
 * Licensing: an extension bound only to unlicensed users is left out; an extension bound to no user at all, or
 * to at least one licensed user, is shown.
 */
export function visibleExtensionNumbers(cs: CoreServerConfig): Set<string> {
  const licensed = new Set<string>();
  const bound = new Set<string>();
  for (const user of cs.users) {
    for (const n of user.extensionNumbers) {
      bound.add(n);
      if (user.licensed) licensed.add(n);
    }
  }
  return new Set(cs.extensions.map((e) => e.extensionNumber).filter((n) => !bound.has(n) || licensed.has(n)));
}

function buildCoreServer(cs: CoreServerConfig, options: BuildOptions): LiveCoreServer {
  const { faults, carried } = options;
  const visible = visibleExtensionNumbers(cs);
  const extensions: LiveExtension[] = cs.extensions
    .filter((e) => visible.has(e.extensionNumber))
    .map((e) => ({
      id: randomUUID(),
      configurationId: e.configurationId,
      permissionId: e.permissionId,
      extensionNumber: e.extensionNumber,
      displayName: e.displayName,
      dnd: carried?.dnd.get(key(cs.configurationId, e.configurationId)) ?? e.dnd,
    }));
  const byNumber = new Map(extensions.map((e) => [e.extensionNumber, e]));
  const byConfigId = new Map(extensions.map((e) => [e.configurationId, e]));

  const queues: LiveQueue[] = cs.queues.filter((q) => q.enabled).map((q) => {
    const queue: LiveQueue = {
      id: randomUUID(), configurationId: q.configurationId, permissionId: q.permissionId,
      identifier: q.identifier, displayName: q.displayName, agents: [],
    };
    const carriedAgents = carried?.agents.get(key(cs.configurationId, q.configurationId));
    if (carriedAgents) {
      for (const a of carriedAgents) {
        const extension = byConfigId.get(a.extensionConfigurationId);
        if (extension) queue.agents.push(newAgent(queue, extension, a));
      }
    } else {
      for (const m of q.members) {
        const extension = byNumber.get(m.extensionNumber);
        if (extension) {
          queue.agents.push(newAgent(queue, extension, { ...m, pauseCount: m.paused ? 1 : 0 }, {
            callsTaken: m.callsTaken, talkTimeMs: m.talkTimeMs, loggedInSince: DATA_SET_EPOCH_MS,
          }));
        }
      }
    }
    return queue;
  });

  const users: LiveUser[] = cs.users.filter((u) => u.licensed).map((u) => ({
    id: randomUUID(),
    configurationId: u.configurationId,
    permissionId: u.permissionId,
    userName: u.userName,
    displayedName: u.displayedName,
    extensions: u.extensionNumbers.map((n) => byNumber.get(n)).filter((e): e is LiveExtension => e !== undefined),
    status: { ...(carried?.statuses.get(key(cs.configurationId, u.configurationId)) ?? statusFromConfig(u.status)) },
    logins: u.logins.map((l) => ({
      id: faults.has('non-uuid-login-ids') ? String(++options.loginCounter.value) : randomUUID(),
      ip: l.ip, port: l.port, timeConnected: l.timeConnected,
    })),
  }));

  const conferences: LiveConference[] = cs.conferences.map((c, i) => ({
    ...c,
    id: faults.has('duplicate-ids') && i < queues.length ? queues[i].id : randomUUID(),
    ...(faults.has('duplicate-conference-identifier') && i === 1 ? { identifier: cs.conferences[0].identifier } : {}),
  }));

  const byIdentifier = new Map(queues.map((q) => [q.identifier, q]));
  const callSegments = cs.callSegments
    .map((s, i) => segmentFromConfig(s, i, byNumber, byIdentifier))
    .filter((s): s is LiveCallSegment => s !== null);

  return {
    id: randomUUID(), configurationId: cs.configurationId, slug: cs.slug, name: cs.name,
    extensions, queues, users, conferences, callSegments, retiredAgents: new Map(),
  };
}

function statusFromConfig(s: StatusConfig): LiveStatus {
  return { ...s };
}

function segmentFromConfig(
  s: CallSegmentConfig, index: number, byNumber: Map<string, LiveExtension>, byIdentifier: Map<string, LiveQueue>,
): LiveCallSegment | null {
  const extension = byNumber.get(s.extensionNumber);
  if (!extension) return null;
  return {
    id: randomUUID(), extension, queue: s.queueIdentifier === null ? null : byIdentifier.get(s.queueIdentifier) ?? null,
    type: s.type, callerId: { ...s.callerId }, did: s.did, onHold: s.onHold, recording: s.recording,
    incoming: s.incoming, origin: 'start', startIndex: index,
  };
}

/** A new agent; its live device state starts idle. */
export function newAgent(
  queue: LiveQueue,
  extension: LiveExtension,
  settings: { dynamic: boolean; paused: boolean; pauseCount: number; penalty: number },
  statistics: AgentStatistics = { callsTaken: 0, talkTimeMs: 0, loggedInSince: Date.now() },
  id: string = randomUUID(),
): LiveAgent {
  return {
    id, queue, extension, paused: settings.paused, pauseCount: settings.pauseCount, state: 'NOT_INUSE',
    dynamic: settings.dynamic, penalty: settings.penalty, statistics,
  };
}

/** Every agent of an extension, across the enabled queues of its core server. */
export function agentsOfExtension(cs: LiveCoreServer, extension: LiveExtension): LiveAgent[] {
  return cs.queues.flatMap((q) => q.agents.filter((a) => a.extension === extension));
}

/** Every agent of a core server. */
export function allAgents(cs: LiveCoreServer): LiveAgent[] {
  return cs.queues.flatMap((q) => q.agents);
}

/** The shown extension with that number, if any (hidden and unknown numbers alike give undefined). */
export function extensionByNumber(cs: LiveCoreServer, extensionNumber: string): LiveExtension | undefined {
  return cs.extensions.find((e) => e.extensionNumber === extensionNumber);
}

/** Take an extension out of the live state, with everything that hangs on it. */
export function removeExtension(cs: LiveCoreServer, extension: LiveExtension): void {
  cs.extensions = cs.extensions.filter((e) => e !== extension);
  for (const q of cs.queues) q.agents = q.agents.filter((a) => a.extension !== extension);
  for (const u of cs.users) u.extensions = u.extensions.filter((e) => e !== extension);
  cs.callSegments = cs.callSegments.filter((s) => s.extension !== extension);
}

/** The state that actions control, to carry over a restart. */
export function carryActionState(state: LiveState): CarriedState {
  const carried: CarriedState = { dnd: new Map(), agents: new Map(), statuses: new Map() };
  for (const cs of state.coreServers) {
    for (const e of cs.extensions) carried.dnd.set(key(cs.configurationId, e.configurationId), e.dnd);
    for (const q of cs.queues) {
      // Agents logged in at their phones are gone after a restart, as the configuration's calls and logins are.
      carried.agents.set(key(cs.configurationId, q.configurationId), q.agents.filter((a) => !a.byPhone).map((a) => ({
        extensionConfigurationId: a.extension.configurationId,
        dynamic: a.dynamic, paused: a.paused, pauseCount: a.pauseCount, penalty: a.penalty,
      })));
    }
    for (const u of cs.users) carried.statuses.set(key(cs.configurationId, u.configurationId), { ...u.status });
  }
  return carried;
}

/**
 * Every instance that has a UUID, keyed by what identifies it across builds (configuration ids, or the
 * position in the configuration), so two builds of the same configuration can be matched up.
 */
export function identityIndex(state: LiveState): Map<string, { id: string }> {
  const index = new Map<string, { id: string }>();
  for (const cs of state.coreServers) {
    const c = cs.configurationId;
    index.set(key('cs', c), cs);
    for (const e of cs.extensions) index.set(key('extension', c, e.configurationId), e);
    for (const q of cs.queues) {
      index.set(key('queue', c, q.configurationId), q);
      for (const a of q.agents) index.set(key('agent', c, q.configurationId, a.extension.configurationId), a);
    }
    for (const u of cs.users) {
      index.set(key('user', c, u.configurationId), u);
      u.logins.forEach((l, i) => index.set(key('login', c, u.configurationId, String(i)), l));
    }
    for (const r of cs.conferences) index.set(key('conference', c, r.configurationId), r);
    for (const s of cs.callSegments) if (s.startIndex !== null) index.set(key('segment', c, String(s.startIndex)), s);
  }
  return index;
}

/** JSON with object keys sorted at every level, so equal data gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** Take out the calls whose time is up (calls made by actions on a server that lets them end). */
export function endExpiredCalls(state: LiveState, now = Date.now()): void {
  for (const cs of state.coreServers) {
    if (cs.callSegments.some((s) => s.endsAt !== undefined && s.endsAt <= now)) {
      cs.callSegments = cs.callSegments.filter((s) => s.endsAt === undefined || s.endsAt > now);
    }
  }
}

/**
 * The non-volatile and action-controlled state, keyed by names (never UUIDs), as canonical JSON. Left out:
 * UUIDs, agents' device state and statistics, call segments, logins' timeConnected (churn moves them), agents
 * and logins that churn made on a liberal server, and the parts of a status that status/set may change on its
 * own (LIVE-API.md §5: its id, configurationId and userCreated).
 */
export function stateFingerprint(state: LiveState): string {
  const byName = <T>(items: T[], name: (t: T) => string, value: (t: T) => unknown) =>
    Object.fromEntries(items.map((t) => [name(t), value(t)]));
  return canonicalJson(byName(state.coreServers, (cs) => cs.slug, (cs) => ({
    configurationId: cs.configurationId,
    name: cs.name,
    extensions: byName(cs.extensions, (e) => e.extensionNumber, (e) => ({
      configurationId: e.configurationId, permissionId: e.permissionId, displayName: e.displayName, dnd: e.dnd,
    })),
    queues: byName(cs.queues, (q) => q.identifier, (q) => ({
      configurationId: q.configurationId, permissionId: q.permissionId, displayName: q.displayName,
      agents: byName(q.agents.filter((a) => !a.byPhone), (a) => a.extension.extensionNumber, (a) => ({
        name: a.extension.displayName, dynamic: a.dynamic, paused: a.paused, penalty: a.penalty,
      })),
    })),
    users: byName(cs.users, (u) => u.userName, (u) => ({
      configurationId: u.configurationId, permissionId: u.permissionId, displayedName: u.displayedName,
      extensions: u.extensions.map((e) => e.extensionNumber).sort(),
      status: { name: u.status.name, type: u.status.type, note: u.status.note, returnTime: u.status.returnTime },
      logins: u.logins.filter((l) => !l.byChurn).map((l) => `${l.ip}:${l.port}`).sort(),
    })),
    conferences: byName(cs.conferences, (r) => r.identifier, (r) => ({
      configurationId: r.configurationId, permissionId: r.permissionId, displayName: r.displayName,
      dialString: r.dialString, userGenerated: r.userGenerated,
    })),
  })));
}
