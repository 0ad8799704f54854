/**
 * Churn: the live telephony that moves under a checker. It changes only what LIVE-API.md calls volatile
 * (agents' device state, segments' onHold/recording, logins' timeConnected) and makes calls of its own appear
 * and end. It never touches names, ids, configurationIds, paused, penalty, DND or statuses, and never ends a
 * segment that it did not make itself.
 *
 * Membership of agents and logins changes only where the latitude allows it (`spontaneousMembership`, the
 * liberal server, LIVE-API.md §5 "which collections change on their own"): then agents log in and out at their
 * phones and clients connect and disconnect. Churn removes only the agents and logins it added itself, and
 * stateFingerprint leaves those out, so a run's fingerprint stays comparable.
 */
import { randomUUID } from 'node:crypto';
import { DEVICE_STATES, Random } from './data-set.js';
import type { LatitudeSettings } from './latitude.js';
import { newAgent, type LiveCallSegment, type LiveCoreServer, type LiveState } from './live-state.js';

/** At most this many churn-made calls per core server at once. */
const MAX_CHURN_SEGMENTS = 4;
/** At most this many agents logged in at their phones, and logins of clients, per core server at once. */
const MAX_CHURN_MEMBERS = 3;

export interface Churn {
  stop(): void;
}

export function startChurn(state: () => LiveState, intervalMs: number, seed: number, latitude?: Readonly<LatitudeSettings>): Churn {
  const rng = new Random(seed ^ 0x5eed);
  const timer = setInterval(() => {
    for (const cs of state().coreServers) {
      churnCoreServer(cs, rng);
      if (latitude?.spontaneousMembership) churnMembership(cs, rng);
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export function churnCoreServer(cs: LiveCoreServer, rng: Random): void {
  const agents = cs.queues.flatMap((q) => q.agents);
  for (let k = 0; k < 2 && agents.length > 0; k += 1) rng.pick(agents).state = rng.pick(DEVICE_STATES);

  const own = cs.callSegments.filter((s) => s.origin === 'churn');
  if (own.length < MAX_CHURN_SEGMENTS && cs.extensions.length > 0 && rng.chance(0.5)) cs.callSegments.push(newChurnCall(cs, rng));
  if (own.length > 0 && rng.chance(0.4)) {
    const ended = rng.pick(own);
    cs.callSegments = cs.callSegments.filter((s) => s !== ended);
  }
  const live = cs.callSegments.filter((s) => s.origin === 'churn');
  if (live.length > 0) {
    const s = rng.pick(live);
    if (rng.chance(0.5)) s.onHold = !s.onHold;
    else s.recording = !s.recording;
  }

  const logins = cs.users.flatMap((u) => u.logins);
  if (logins.length > 0) rng.pick(logins).timeConnected = Date.now() - rng.int(0, 3_600_000);
}

function newChurnCall(cs: LiveCoreServer, rng: Random): LiveCallSegment {
  const extension = rng.pick(cs.extensions);
  const internal = cs.extensions.length > 1 && rng.chance(0.4);
  const peer = internal ? rng.pick(cs.extensions.filter((e) => e !== extension)) : null;
  const outside = `+1555${rng.int(1_000_000, 9_999_999)}`;
  const queue = !internal && cs.queues.length > 0 && rng.chance(0.3) ? rng.pick(cs.queues) : null;
  return {
    id: randomUUID(),
    extension,
    queue,
    type: internal ? 'INTERNAL' : 'EXTERNAL',
    callerId: peer
      ? { id: peer.configurationId, name: peer.displayName, number: peer.extensionNumber }
      : { id: outside, name: 'Churn caller', number: outside },
    did: internal ? null : '+15550100',
    onHold: false,
    recording: rng.chance(0.3),
    incoming: rng.chance(0.6),
    origin: 'churn',
    startIndex: null,
  };
}

/** Agents log in and out at their phones; clients connect and disconnect (churn's own members only leave). */
export function churnMembership(cs: LiveCoreServer, rng: Random): void {
  const phoneAgents = cs.queues.flatMap((q) => q.agents.filter((a) => a.byPhone));
  if (phoneAgents.length < MAX_CHURN_MEMBERS && cs.queues.length > 0 && rng.chance(0.3)) {
    const queue = rng.pick(cs.queues);
    const free = cs.extensions.filter((e) => !queue.agents.some((a) => a.extension === e));
    if (free.length > 0) {
      const agent = newAgent(queue, rng.pick(free), { dynamic: true, paused: false, pauseCount: 0, penalty: 0 });
      queue.agents.push({ ...agent, byPhone: true });
    }
  }
  if (phoneAgents.length > 0 && rng.chance(0.25)) {
    const leaving = rng.pick(phoneAgents);
    leaving.queue.agents = leaving.queue.agents.filter((a) => a !== leaving);
  }

  const clients = cs.users.flatMap((u) => u.logins.filter((l) => l.byChurn).map((l) => ({ user: u, login: l })));
  if (clients.length < MAX_CHURN_MEMBERS && cs.users.length > 0 && rng.chance(0.3)) {
    rng.pick(cs.users).logins.push({
      id: randomUUID(), ip: `10.0.${rng.int(0, 255)}.${rng.int(1, 254)}`, port: rng.int(1024, 65535),
      timeConnected: Date.now(), byChurn: true,
    });
  }
  if (clients.length > 0 && rng.chance(0.25)) {
    const { user, login } = rng.pick(clients);
    user.logins = user.logins.filter((l) => l !== login);
  }
}
