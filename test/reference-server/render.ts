/** The JSON representations of LIVE-API.md §4 ("Representations"), from live objects. */
import type { FaultSet } from './faults.js';
import type {
  LiveAgent, LiveCallSegment, LiveConference, LiveCoreServer, LiveExtension, LiveLogin, LiveQueue, LiveStatus, LiveUser,
} from './live-state.js';

export function renderCoreServer(cs: LiveCoreServer) {
  return { id: cs.id, slug: cs.slug, name: cs.name };
}

export function renderExtension(e: LiveExtension) {
  return {
    id: e.id, extensionNumber: e.extensionNumber, displayName: e.displayName,
    configurationId: e.configurationId, permissionId: e.permissionId, dnd: e.dnd,
  };
}

export function renderQueue(q: LiveQueue) {
  return {
    id: q.id, identifier: q.identifier, displayName: q.displayName,
    configurationId: q.configurationId, permissionId: q.permissionId,
  };
}

/** An agent is named after its extension, as a queue member is named after its device. */
export function renderAgent(a: LiveAgent) {
  return { id: a.id, paused: a.paused, state: a.state, name: a.extension.displayName, dynamic: a.dynamic, penalty: a.penalty };
}

export function renderStatistics(a: LiveAgent) {
  return { ...a.statistics };
}

export function renderCallSegment(s: LiveCallSegment) {
  return {
    id: s.id, type: s.type, callerId: { ...s.callerId }, did: s.did,
    onHold: s.onHold, recording: s.recording, incoming: s.incoming,
  };
}

export function renderConference(r: LiveConference) {
  return {
    id: r.id, configurationId: r.configurationId, displayName: r.displayName, identifier: r.identifier,
    dialString: r.dialString, userGenerated: r.userGenerated, permissionId: r.permissionId,
  };
}

export function renderUser(u: LiveUser) {
  return {
    id: u.id, configurationId: u.configurationId, userName: u.userName,
    displayedName: u.displayedName, permissionId: u.permissionId,
  };
}

export function renderLogin(l: LiveLogin, faults: FaultSet) {
  return {
    id: l.id, ip: l.ip,
    port: faults.has('login-port-as-string') ? String(l.port) : l.port,
    timeConnected: l.timeConnected,
  };
}

export function renderStatus(s: LiveStatus) {
  return { ...s };
}
