/**
 * Path resolution for LIVE-API.md §4: every collection, instance (by UUID and by getByName), sub-resource and
 * action, with both addressing forms at every name-capable level, freely mixed. Resolution is synchronous and
 * reads the live state; it never changes it.
 */
import { randomUUID } from 'node:crypto';
import {
  AGENT_ACTIONS, agentLogout, noEffect, originate, pause, queueLogin, queueLogout, setDnd, setPenalty, setStatus,
  transfer, unpause, type ActionContext, type ActionSpec, type StagedTelephony,
} from './actions.js';
import { failure, type Failure } from './body.js';
import type { FaultSet } from './faults.js';
import type { Latitude } from './latitude.js';
import {
  agentsOfExtension, allAgents,
  type LiveAgent, type LiveCallSegment, type LiveCoreServer, type LiveExtension, type LiveLogin, type LiveQueue, type LiveState, type LiveUser,
} from './live-state.js';
import {
  renderAgent, renderCallSegment, renderConference, renderCoreServer, renderExtension, renderLogin, renderQueue,
  renderStatistics, renderStatus, renderUser,
} from './render.js';

/** RFC 4122 text form (any version). */
export const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Outcome =
  /** A resource: `instance` is true for `{collection}/{id}` paths. */
  | { kind: 'read'; instance: boolean; body: () => unknown; afterRead?: () => void }
  | { kind: 'action'; action: ActionSpec }
  | { kind: 'fail'; failure: Failure };

/** One path segment as sent, and percent-decoded (null when it does not decode). */
export interface Segment {
  raw: string;
  decoded: string | null;
}

export function splitPath(path: string): Segment[] {
  return path.split('/').map((raw) => {
    try {
      return { raw, decoded: decodeURIComponent(raw) };
    } catch {
      return { raw, decoded: null };
    }
  });
}

type Kind = 'coreServer' | 'extension' | 'queue' | 'agent' | 'segment' | 'conference' | 'user' | 'login';

/** How to find an instance of one collection; the overrides exist only for faults. */
interface PickSpec<T extends { id: string }> {
  kind: Kind;
  items: T[];
  nameOf?: (item: T) => string;
  findById?: (id: string) => T | undefined;
  findByName?: (name: string) => T | undefined;
}

type Picked<T> = { item: T; next: number; byName: boolean } | { fail: Outcome };

const notFound = (message = 'not found'): Outcome => ({ kind: 'fail', failure: failure(404, message) });
const read = (instance: boolean, body: () => unknown, afterRead?: () => void): Outcome => ({ kind: 'read', instance, body, afterRead });
const act = (action: ActionSpec): Outcome => ({ kind: 'action', action });

export class Router {
  /** How the core server level was addressed. */
  coreServerByName = false;
  /** Whether getByName appears at any level of the path. */
  anyByName = false;
  /** The collection right under the core server (`queues`, `extensions`, ...), once known. */
  area: string | null = null;
  private cs!: LiveCoreServer;

  constructor(
    private readonly state: LiveState,
    private readonly faults: FaultSet,
    private readonly latitude: Latitude,
    private readonly segments: Segment[],
    private readonly staged?: StagedTelephony,
  ) {}

  /** An extension as shown: without its optional `dnd` where the latitude leaves optional properties out. */
  private readonly renderExtension = (e: LiveExtension) => {
    const body: Partial<ReturnType<typeof renderExtension>> = renderExtension(e);
    if (this.latitude.settings.optionalPropertiesLeftOut) delete body.dnd;
    return body;
  };

  /** An agent as shown: without its optional `penalty` where the latitude leaves optional properties out. */
  private readonly renderAgent = (a: LiveAgent) => {
    const body: Partial<ReturnType<typeof renderAgent>> = renderAgent(a);
    if (this.latitude.settings.optionalPropertiesLeftOut) delete body.penalty;
    return body;
  };

  route(): Outcome {
    if (this.word(0) !== 'coreServers') return notFound();
    return this.collection(1, { kind: 'coreServer', items: this.state.coreServers, nameOf: (cs) => cs.slug }, renderCoreServer,
      (cs, next, byName) => {
        this.cs = cs;
        this.coreServerByName = byName;
        return this.coreServer(cs, next);
      });
  }

  private get end(): number {
    return this.segments.length;
  }

  private word(i: number): string | null {
    return i < this.end ? this.segments[i].decoded : null;
  }

  /** Whether segment i is `name` and the last one. */
  private last(i: number, name: string): boolean {
    return i === this.end - 1 && this.word(i) === name;
  }

  private get actionContext(): ActionContext {
    return { state: this.state, faults: this.faults, latitude: this.latitude, cs: this.cs, staged: this.staged };
  }

  private collection<T extends { id: string }>(
    i: number, spec: PickSpec<T>, render: (item: T) => unknown,
    below: (item: T, next: number, byName: boolean) => Outcome,
    renderListItem: (item: T) => unknown = render,
  ): Outcome {
    if (i === this.end) return read(false, () => spec.items.map(renderListItem));
    const picked = this.pick(i, spec);
    if ('fail' in picked) return picked.fail;
    return below(picked.item, picked.next, picked.byName);
  }

  private pick<T extends { id: string }>(i: number, spec: PickSpec<T>): Picked<T> {
    const word = this.word(i);
    if (word === null) return { fail: notFound() };
    if (word === 'getByName' && spec.nameOf) {
      const name = this.faults.has('names-not-decoded') ? this.segments[i + 1]?.raw ?? null : this.word(i + 1);
      if (name === null) return { fail: notFound() };
      this.anyByName = true;
      const item = this.findByName(spec, spec.nameOf, name);
      return item ? { item, next: i + 2, byName: true } : { fail: notFound('unknown name') };
    }
    if (this.faults.has('mixed-parent-by-name-broken') && this.coreServerByName && spec.kind !== 'coreServer') {
      return { fail: notFound() };
    }
    const item = this.findById(spec, UUID_SHAPE.test(word) ? word.toLowerCase() : word);
    if (item) return { item, next: i + 1, byName: false };
    if (!UUID_SHAPE.test(word) && this.faults.has('malformed-id-500')) {
      return { fail: { kind: 'fail', failure: failure(500, 'internal error') } };
    }
    return { fail: notFound('unknown id') };
  }

  private findByName<T extends { id: string }>(spec: PickSpec<T>, nameOf: (item: T) => string, name: string): T | undefined {
    const exact = spec.findByName ? spec.findByName(name) : spec.items.find((t) => nameOf(t) === name);
    if (exact || !this.faults.has('name-prefix-match') || (spec.kind !== 'extension' && spec.kind !== 'user')) return exact;
    return spec.items.find((t) => nameOf(t).startsWith(name));
  }

  private findById<T extends { id: string }>(spec: PickSpec<T>, id: string): T | undefined {
    const find = spec.findById ?? ((x: string) => spec.items.find((t) => t.id === x));
    const found = find(id);
    if (found || !this.faults.has('restart-old-uuids-resolve')) return found;
    const now = this.state.formerIds.get(id);
    return now === undefined ? undefined : find(now);
  }

  private coreServer(cs: LiveCoreServer, i: number): Outcome {
    if (i === this.end) return read(true, () => renderCoreServer(cs));
    this.area = this.word(i);
    switch (this.area) {
      case 'extensions': return this.coreServerExtensions(cs, i + 1);
      case 'queues':
        return this.collection(i + 1, { kind: 'queue', items: cs.queues, nameOf: (q) => q.identifier }, renderQueue,
          (q, next, byName) => this.queue(q, next, byName));
      case 'callSegments': return this.callSegments(i + 1, cs.callSegments);
      case 'conferences':
        return this.collection(i + 1, { kind: 'conference', items: cs.conferences, nameOf: (r) => r.identifier }, renderConference,
          (r, next) => (next === this.end ? read(true, () => renderConference(r)) : notFound()));
      case 'users':
        return this.collection(i + 1, { kind: 'user', items: cs.users, nameOf: (u) => u.userName }, renderUser,
          (u, next) => this.user(u, next));
      default: return notFound();
    }
  }

  private coreServerExtensions(cs: LiveCoreServer, i: number): Outcome {
    const spec: PickSpec<LiveExtension> = { kind: 'extension', items: cs.extensions, nameOf: (e) => e.extensionNumber };
    if (this.faults.has('extension-ignores-core-server')) {
      spec.findById = (id) => this.state.coreServers.flatMap((c) => c.extensions).find((e) => e.id === id);
    }
    if (this.faults.has('name-lookup-ignores-core-server')) {
      spec.findByName = (name) => this.state.coreServers[0].extensions.find((e) => e.extensionNumber === name);
    }
    const listItem = this.faults.has('list-item-stale-display-name')
      ? (e: LiveExtension) => ({ ...this.renderExtension(e), displayName: `${e.displayName} (old)` })
      : this.renderExtension;
    return this.collection(i, spec, this.renderExtension, (e, next, byName) => this.extension(e, next, byName), listItem);
  }

  private userExtensions(cs: LiveCoreServer, user: LiveUser, i: number): Outcome {
    const spec: PickSpec<LiveExtension> = { kind: 'extension', items: user.extensions, nameOf: (e) => e.extensionNumber };
    if (this.faults.has('user-extension-name-on-first-core-server')) {
      const first = this.state.coreServers[0];
      spec.findByName = (name) => (user.extensions.some((e) => e.extensionNumber === name) ? first.extensions.find((e) => e.extensionNumber === name) : undefined);
    }
    if (this.faults.has('user-extension-ignores-user')) {
      spec.findById = (id) => cs.extensions.find((e) => e.id === id);
      spec.findByName = (name) => cs.extensions.find((e) => e.extensionNumber === name);
    }
    return this.collection(i, spec, this.renderExtension, (e, next, byName) => this.extension(e, next, byName));
  }

  private extension(e: LiveExtension, i: number, byName: boolean): Outcome {
    if (i === this.end) return read(true, () => this.renderExtension(e));
    switch (this.word(i)) {
      case 'agents': return this.agents(i + 1, agentsOfExtension(this.cs, e).filter((a) => !a.hiddenFromExtension), false);
      case 'callSegments': return this.callSegments(i + 1, this.cs.callSegments.filter((s) => s.extension === e), 'extension');
      case 'originate': return i === this.end - 1 ? act(originate(this.actionContext, e)) : notFound();
      case 'dnd': {
        const on = this.last(i + 1, 'enable') ? true : this.last(i + 1, 'disable') ? false : null;
        return on === null ? notFound() : act(setDnd(this.actionContext, e, on, byName));
      }
      default: return notFound();
    }
  }

  private queue(q: LiveQueue, i: number, byName: boolean): Outcome {
    if (i === this.end) {
      return read(true, () => {
        const body = renderQueue(q);
        if (this.faults.has('uuid-read-wrong-id') && !byName) body.id = randomUUID();
        return body;
      });
    }
    switch (this.word(i)) {
      case 'agents': return this.agents(i + 1, q.agents, true);
      case 'callSegments': return this.callSegments(i + 1, this.cs.callSegments.filter((s) => s.queue === q), 'queue');
      case 'login': return i === this.end - 1 ? act(queueLogin(this.actionContext, q)) : notFound();
      case 'logout': return i === this.end - 1 ? act(queueLogout(this.actionContext, q)) : notFound();
      default: return notFound();
    }
  }

  private agents(i: number, items: LiveAgent[], underQueue: boolean): Outcome {
    const spec: PickSpec<LiveAgent> = { kind: 'agent', items };
    if (underQueue && this.faults.has('agent-ignores-queue')) spec.findById = (id) => allAgents(this.cs).find((a) => a.id === id);
    if (!underQueue && this.faults.has('agent-ignores-extension')) spec.findById = (id) => allAgents(this.cs).find((a) => a.id === id);
    if (i === this.end) return read(false, () => items.map(this.renderAgent));
    const picked = this.pick(i, spec);
    if ('fail' in picked) {
      const isAgentAction = i + 2 === this.end && (AGENT_ACTIONS as readonly (string | null)[]).includes(this.word(i + 1));
      return this.faults.has('unknown-agent-action-204') && isAgentAction ? act(noEffect) : picked.fail;
    }
    return this.agent(picked.item, picked.next);
  }

  private agent(a: LiveAgent, i: number): Outcome {
    if (i === this.end) return this.staged?.phoneRelogins?.leavesAsRead(a) ? notFound() : read(true, () => this.renderAgent(a));
    if (i !== this.end - 1) return notFound();
    const ctx = this.actionContext;
    switch (this.word(i)) {
      case 'extension': return read(false, () => this.renderExtension(a.extension));
      case 'statistics': return read(false, () => renderStatistics(a));
      case 'pause': return act(this.relogged(a, pause(ctx, a)));
      case 'unpause': return act(this.relogged(a, unpause(ctx, a)));
      case 'penalty': return act(this.relogged(a, setPenalty(ctx, a)));
      case 'logout': return act(agentLogout(ctx, a));
      default: return notFound();
    }
  }

  /** An action on an agent, followed by a logout and login at its phone where a test stages them. */
  private relogged(a: LiveAgent, spec: ActionSpec): ActionSpec {
    return this.staged?.phoneRelogins?.after(a, spec) ?? spec;
  }

  /** `under`: the kind of parent the segments are listed under (the core server when absent). */
  private callSegments(i: number, items: LiveCallSegment[], under?: 'extension' | 'queue'): Outcome {
    const spec: PickSpec<LiveCallSegment> = { kind: 'segment', items };
    const ignoresParent = under === 'extension' ? this.faults.has('segment-ignores-extension') : under === 'queue' && this.faults.has('segment-ignores-queue');
    if (ignoresParent) spec.findById = (id) => this.cs.callSegments.find((s) => s.id === id);
    return this.collection(i, spec, renderCallSegment, (s, next) => {
      if (next === this.end) return read(true, () => renderCallSegment(s));
      return this.last(next, 'transfer') ? act(transfer(this.actionContext, s)) : notFound();
    });
  }

  private user(u: LiveUser, i: number): Outcome {
    if (i === this.end) return read(true, () => renderUser(u));
    switch (this.word(i)) {
      case 'extensions': return this.userExtensions(this.cs, u, i + 1);
      case 'logins': {
        if (i + 1 === this.end) return read(false, () => u.logins.map((l) => renderLogin(l, this.faults)));
        // The fault changes a value that only the server's own clients change, after answering: reads show it later.
        const shiftPort = (l: LiveLogin) => (this.faults.has('get-shifts-login-port') ? () => void (l.port += 1) : undefined);
        return this.collection(i + 1, { kind: 'login', items: u.logins }, (l) => renderLogin(l, this.faults),
          (l, next) => (next === this.end ? read(true, () => renderLogin(l, this.faults), shiftPort(l)) : notFound()));
      }
      case 'status':
        if (i + 1 === this.end) return read(false, () => renderStatus(u.status));
        return this.last(i + 1, 'set') ? act(setStatus(this.actionContext, u)) : notFound();
      default: return notFound();
    }
  }
}
