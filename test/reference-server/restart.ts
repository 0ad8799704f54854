/**
 * What a restart does to the live state: the same configuration is built again with new UUIDs, and the state
 * that actions control (DND, agents' membership, paused and penalty, users' statuses) is carried over. Calls
 * start again from the configuration's calls; logins come back from the configuration (clients reconnect).
 */
import type { Configuration } from './data-set.js';
import type { FaultSet } from './faults.js';
import { buildLiveState, carryActionState, identityIndex, removeExtension, type LiveState } from './live-state.js';

export function restartState(
  previous: LiveState, config: Configuration, options: { faults: FaultSet; loginCounter: { value: number } },
): LiveState {
  const { faults } = options;
  const next = buildLiveState(config, { ...options, carried: carryActionState(previous) });
  const before = identityIndex(previous);
  const after = identityIndex(next);

  if (faults.has('restart-keeps-uuids')) keepIds(before, after, () => true);
  if (faults.has('restart-keeps-queue-uuids')) keepIds(before, after, (k) => k.startsWith('queue/'));

  next.formerIds = formerIds(previous, before, after);

  if (faults.has('restart-loses-name')) {
    for (const cs of next.coreServers) {
      const last = cs.extensions[cs.extensions.length - 1];
      if (last) removeExtension(cs, last);
    }
  }
  return next;
}

function keepIds(before: Map<string, { id: string }>, after: Map<string, { id: string }>, which: (key: string) => boolean) {
  for (const [k, obj] of after) {
    const old = before.get(k);
    if (old && which(k)) obj.id = old.id;
  }
}

/** Old UUID → new UUID of the same object, including UUIDs of builds before the previous one. */
function formerIds(previous: LiveState, before: Map<string, { id: string }>, after: Map<string, { id: string }>) {
  const map = new Map<string, string>();
  for (const [k, old] of before) {
    const now = after.get(k);
    if (now) map.set(old.id, now.id);
  }
  for (const [oldest, mid] of previous.formerIds) {
    const now = map.get(mid);
    if (now) map.set(oldest, now);
  }
  return map;
}
