/**
 * Churn: the live telephony that moves under a checker. It changes only what LIVE-API.md calls volatile
 * (agents' device state, segments' onHold/recording, logins' timeConnected) and makes calls of its own appear
 * and end. It never touches names, ids, configurationIds, membership, paused, penalty, DND or statuses, and
 * never ends a segment that it did not make itself.
 */
import { randomUUID } from 'node:crypto';
import { DEVICE_STATES, Random } from './data-set.js';
import type { LiveCallSegment, LiveCoreServer, LiveState } from './live-state.js';

/** At most this many churn-made calls per core server at once. */
const MAX_CHURN_SEGMENTS = 4;

export interface Churn {
  stop(): void;
}

export function startChurn(state: () => LiveState, intervalMs: number, seed: number): Churn {
  const rng = new Random(seed ^ 0x5eed);
  const timer = setInterval(() => {
    for (const cs of state().coreServers) churnCoreServer(cs, rng);
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
