/**
 * The actions of LIVE-API.md ("Actions"). Each action first checks everything (body: 412; names in the body:
 * 404; state: 409) and only then returns its effect, so that a failing action changes nothing.
 */
import { randomUUID } from 'node:crypto';
import {
  failure, firstFailure, isFailure, optionalBoolean, optionalInteger, requiredInteger, requiredString,
  type BodyKind, type Failure, type JsonObject,
} from './body.js';
import { STATUS_TYPES, type StatusType } from './data-set.js';
import type { FaultSet } from './faults.js';
import type { Latitude } from './latitude.js';
import {
  agentsOfExtension, extensionByNumber, newAgent, retiredAgentKey,
  type LiveAgent, type LiveCallSegment, type LiveCoreServer, type LiveExtension, type LiveQueue, type LiveState, type LiveUser,
} from './live-state.js';

export type Effect = () => void;

export interface ActionSpec {
  body: BodyKind;
  /** Check the request against the current state; a Failure, or the effect to apply. */
  prepare(body: JsonObject): Failure | Effect;
}

export interface ActionContext {
  state: LiveState;
  faults: FaultSet;
  latitude: Latitude;
  cs: LiveCoreServer;
  /** Live telephony staged around actions, for tests (see StagedTelephony). */
  staged?: StagedTelephony;
}

/**
 * Live telephony that a test stages around the actions, at the far edge of what churn does by chance: a correct
 * server (LIVE-API.md §5: agents come and go on their own); with counts beyond any retry of the checker, one it
 * cannot tell from a fault.
 */
export interface StagedTelephony {
  momentaryAgents?: MomentaryAgents;
  phoneRelogins?: PhoneRelogins;
  backAtPhone?: AgentsBackAtPhone;
}

/**
 * Agents that log in at their phones for a moment and out again (LIVE-API.md §5: agents come and go on their own),
 * each just as a queue login of the same extension comes, so that the login is refused (409) and no read of the
 * lists shows the agent, before or after. Each queue login that would succeed is refused this way `times` times
 * in a row (per queue and extension), then goes through. A correct server, at the far edge of what churn does;
 * with a `times` beyond any retry, a server that refuses logins for no conflict (a fault).
 */
export class MomentaryAgents {
  private readonly refused = new Map<string, number>();

  constructor(private readonly times: number) {}

  /** Whether an agent of the extension stands in the way of this login, for a moment. */
  inTheWay(queue: LiveQueue, extension: LiveExtension): boolean {
    const key = retiredAgentKey(queue, extension);
    const count = this.refused.get(key) ?? 0;
    if (count >= this.times) {
      this.refused.delete(key);
      return false;
    }
    this.refused.set(key, count + 1);
    return true;
  }
}

/**
 * Agents that log out at their phones and in again (LIVE-API.md §5), each just after an action on it was answered:
 * the extension is an agent of the queue again, a new agent under a new UUID, with paused false and penalty 0, as
 * dynamic as the old one. The first `times` accepted pause, unpause and penalty actions are followed so, in a row;
 * then none. `when`: at once (no read after the action shows the old agent), or as the agent is next read at its
 * own path, which then answers 404 (its lists, read just before, still showed it).
 */
export class PhoneRelogins {
  private followed = 0;
  private readonly leaving = new Set<LiveAgent>();

  constructor(
    private readonly times: number,
    private readonly when: 'after-action' | 'at-next-read',
  ) {}

  /** `spec`, whose effect is followed by the agent's logout and login at its phone while any are left. */
  after(agent: LiveAgent, spec: ActionSpec): ActionSpec {
    return {
      body: spec.body,
      prepare: (body) => {
        const effect = spec.prepare(body);
        if (isFailure(effect)) return effect;
        return () => {
          effect();
          if (this.followed >= this.times) return;
          this.followed += 1;
          if (this.when === 'after-action') relogin(agent);
          else this.leaving.add(agent);
        };
      },
    };
  }

  /** Whether `agent`, read at its own path, logs out at its phone (and in again) just now: it then answers 404. */
  leavesAsRead(agent: LiveAgent): boolean {
    if (!this.leaving.delete(agent)) return false;
    relogin(agent);
    return true;
  }
}

/**
 * Extensions that log in again at their phones just after their agent was logged out (LIVE-API.md §5), and out
 * again as a queue login of the same extension to that queue comes: `leaves` 'before-login', and the login goes
 * through (a look between the two showed an agent in the way that is gone when the login comes); or
 * 'after-login', and the login is refused (409) by an agent that no look after it shows. The first `times` logouts
 * are followed so.
 */
export class AgentsBackAtPhone {
  private followed = 0;
  private readonly back = new Map<string, LiveAgent>();

  constructor(
    private readonly times: number,
    private readonly leaves: 'before-login' | 'after-login',
  ) {}

  /** After the agent of `extension` in `queue` was logged out. */
  loggedOut(queue: LiveQueue, extension: LiveExtension): void {
    if (this.followed >= this.times) return;
    this.followed += 1;
    const agent: LiveAgent = { ...newAgent(queue, extension, { dynamic: true, paused: false, pauseCount: 0, penalty: 0 }), byPhone: true };
    queue.agents.push(agent);
    this.back.set(retiredAgentKey(queue, extension), agent);
  }

  /**
   * As a queue login of `extension` to `queue` comes: the agent back at its phone, if any, logs out, before the
   * login is handled or just after (`leaves`).
   */
  loginComes(queue: LiveQueue, extension: LiveExtension): void {
    const key = retiredAgentKey(queue, extension);
    const agent = this.back.get(key);
    if (!agent) return;
    this.back.delete(key);
    const logOut = () => void (queue.agents = queue.agents.filter((a) => a !== agent));
    if (this.leaves === 'before-login') logOut();
    else setImmediate(logOut);
  }
}

/** The agent logs out at its phone, and its extension logs in again to the same queue: a new agent. */
function relogin(agent: LiveAgent): void {
  const queue = agent.queue;
  queue.agents = queue.agents.filter((a) => a !== agent);
  queue.agents.push({ ...newAgent(queue, agent.extension, { dynamic: agent.dynamic, paused: false, pauseCount: 0, penalty: 0 }), byPhone: true });
}

/** The party a segment shows for an extension at the other end of a call. */
function partyOf(e: LiveExtension) {
  return { id: e.configurationId, name: e.displayName, number: e.extensionNumber };
}

/** A segment of a call an action made; it ends by itself when the latitude gives calls a lifetime. */
function newSegment(ctx: ActionContext, extension: LiveExtension, fields: Pick<LiveCallSegment, 'type' | 'callerId' | 'incoming'>): LiveCallSegment {
  const endsAt = ctx.latitude.callEndsAt();
  return {
    id: randomUUID(), extension, queue: null, did: null, onHold: false, recording: false,
    origin: 'action', startIndex: null, ...fields, ...(endsAt === null ? {} : { endsAt }),
  };
}

/** An originate or transfer destination: any string, or 412 where the latitude refuses undialable ones. */
function readDestination(ctx: ActionContext, body: JsonObject): string | Failure {
  const destination = requiredString(body, 'destination');
  if (isFailure(destination)) return destination;
  return ctx.latitude.refusesDestination(destination) ? failure(412, '"destination" must be a dialable number') : destination;
}

/**
 * originate: a segment under the extension, and an incoming one under the destination if it is internal. The
 * default types both by where the call goes and shows the other party as callerId; `originateTypedOtherwise`
 * types them the other way and shows each segment's own extension.
 */
export function originate(ctx: ActionContext, extension: LiveExtension): ActionSpec {
  return {
    body: 'object',
    prepare(body) {
      const destination = readDestination(ctx, body);
      if (isFailure(destination)) return destination;
      return () => {
        const target = extensionByNumber(ctx.cs, destination);
        const otherwise = ctx.latitude.settings.originateTypedOtherwise;
        const internal = Boolean(target) !== otherwise;
        const outsider = { id: destination, name: '', number: destination };
        ctx.cs.callSegments.push(newSegment(ctx, extension, {
          type: internal ? 'INTERNAL' : 'EXTERNAL',
          callerId: otherwise ? partyOf(extension) : target ? partyOf(target) : outsider,
          incoming: false,
        }));
        if (target) {
          ctx.cs.callSegments.push(newSegment(ctx, target, {
            type: otherwise ? 'EXTERNAL' : 'INTERNAL',
            callerId: otherwise ? partyOf(target) : partyOf(extension),
            incoming: true,
          }));
        }
      };
    },
  };
}

/** dnd/enable, dnd/disable. `addressedByName`: how the extension level of the path was written. */
export function setDnd(ctx: ActionContext, extension: LiveExtension, on: boolean, addressedByName: boolean): ActionSpec {
  return {
    body: 'none',
    prepare: () => () => {
      let target: LiveExtension | undefined = extension;
      if (ctx.faults.has('dnd-hits-other-core-server') && addressedByName) {
        const other = ctx.state.coreServers.find((cs) => cs !== ctx.cs);
        target = other && extensionByNumber(other, extension.extensionNumber);
      }
      if (target) target.dnd = on;
    },
  };
}

/** queue login: a new dynamic agent for the extension named in the body. */
export function queueLogin(ctx: ActionContext, queue: LiveQueue): ActionSpec {
  return {
    body: 'object',
    prepare(body) {
      const number = requiredString(body, 'extension', 1);
      const penalty = optionalInteger(body, 'penalty', 0);
      const paused = optionalBoolean(body, 'paused');
      const bad = firstFailure(number, penalty, paused);
      if (bad) return bad;
      const extension = extensionByNumber(ctx.cs, number as string);
      if (!extension) return failure(404, 'unknown extension');
      ctx.staged?.backAtPhone?.loginComes(queue, extension);
      if (queue.agents.some((a) => a.extension === extension)) {
        return ctx.faults.has('double-login-accepted') ? () => {} : failure(409, 'the extension is already an agent of the queue');
      }
      if (ctx.staged?.momentaryAgents?.inTheWay(queue, extension)) return failure(409, 'the extension is already an agent of the queue');
      return () => {
        const retired = ctx.cs.retiredAgents.get(retiredAgentKey(queue, extension));
        const inherit = ctx.faults.has('login-inherits-old-agent-state') ? retired : undefined;
        // The fault `login-default-paused-inherited`: only a login without paused takes the old agent's.
        const defaultPaused = ctx.faults.has('login-default-paused-inherited') && retired ? retired.paused : false;
        const settings = {
          dynamic: true,
          paused: inherit ? inherit.paused : (paused as boolean | undefined) ?? defaultPaused,
          penalty: inherit ? inherit.penalty : (penalty as number | undefined) ?? 0,
        };
        const id = ctx.faults.has('recreate-keeps-uuid') && retired ? retired.id : randomUUID();
        const agent = newAgent(queue, extension, { ...settings, pauseCount: settings.paused ? 1 : 0 }, undefined, id);
        if (ctx.faults.has('login-agent-missing-under-extension')) agent.hiddenFromExtension = true;
        queue.agents.push(agent);
      };
    },
  };
}

/** queue logout: the extension's agent of the queue is removed. */
export function queueLogout(ctx: ActionContext, queue: LiveQueue): ActionSpec {
  return {
    body: 'object',
    prepare(body) {
      const number = requiredString(body, 'extension', 1);
      if (isFailure(number)) return number;
      const extension = extensionByNumber(ctx.cs, number);
      if (!extension) return failure(404, 'unknown extension');
      const agent = queue.agents.find((a) => a.extension === extension);
      if (!agent) return failure(409, 'the extension is not an agent of the queue');
      return logoutEffect(ctx, agent);
    },
  };
}

/** agent logout: as queue logout, for that agent. */
export function agentLogout(ctx: ActionContext, agent: LiveAgent): ActionSpec {
  return { body: 'none', prepare: () => logoutEffect(ctx, agent) };
}

/** Static agents are configured members: they cannot be logged out (409). */
function logoutEffect(ctx: ActionContext, agent: LiveAgent): Failure | Effect {
  if (!agent.dynamic) return failure(409, 'a static agent cannot be logged out');
  return () => {
    agent.queue.agents = agent.queue.agents.filter((a) => a !== agent);
    ctx.cs.retiredAgents.set(retiredAgentKey(agent.queue, agent.extension), { id: agent.id, paused: agent.paused, penalty: agent.penalty });
    ctx.staged?.backAtPhone?.loggedOut(agent.queue, agent.extension);
  };
}

function setPaused(faults: FaultSet, agent: LiveAgent, on: boolean): void {
  if (faults.has('counted-pause')) {
    agent.pauseCount = Math.max(0, agent.pauseCount + (on ? 1 : -1));
    agent.paused = agent.pauseCount > 0;
  } else {
    agent.pauseCount = on ? 1 : 0;
    agent.paused = on;
  }
}

export function pause(ctx: ActionContext, agent: LiveAgent): ActionSpec {
  return {
    body: 'none',
    prepare: () => () => {
      if (ctx.faults.has('pause-noop')) return;
      const targets = ctx.faults.has('pause-pauses-all-agents-of-extension') ? agentsOfExtension(ctx.cs, agent.extension) : [agent];
      for (const a of targets) setPaused(ctx.faults, a, true);
      if (ctx.faults.has('pause-changes-agent-uuid')) agent.id = randomUUID();
    },
  };
}

export function unpause(ctx: ActionContext, agent: LiveAgent): ActionSpec {
  return { body: 'none', prepare: () => () => setPaused(ctx.faults, agent, false) };
}

export function setPenalty(ctx: ActionContext, agent: LiveAgent): ActionSpec {
  return {
    body: 'object',
    prepare(body) {
      if (!Object.hasOwn(body, 'penalty') && ctx.faults.has('penalty-missing-accepted')) return () => {};
      const penalty = requiredInteger(body, 'penalty', 0);
      if (isFailure(penalty)) return penalty;
      return () => {
        agent.penalty = penalty;
      };
    },
  };
}

/**
 * transfer: to an extension of the same core server the segment moves there (and leaves any queue); to any
 * other number the call leaves this server, so the segment ends. Transferring to its own extension is a 409.
 * With `transferMakesNewSegment`, the segment always ends and the destination extension gets a new one.
 */
export function transfer(ctx: ActionContext, segment: LiveCallSegment): ActionSpec {
  return {
    body: 'object',
    prepare(body) {
      const destination = readDestination(ctx, body);
      if (isFailure(destination)) return destination;
      const target = extensionByNumber(ctx.cs, destination);
      if (target === segment.extension) return failure(409, 'the call is already on that extension');
      return () => {
        if (target && ctx.latitude.settings.transferMakesNewSegment) {
          const moved = newSegment(ctx, target, { type: segment.type, callerId: { ...segment.callerId }, incoming: segment.incoming });
          ctx.cs.callSegments = [...ctx.cs.callSegments.filter((s) => s !== segment), moved];
        } else if (target) {
          segment.extension = target;
          segment.queue = null;
          segment.origin = 'action';
        } else {
          ctx.cs.callSegments = ctx.cs.callSegments.filter((s) => s !== segment);
        }
      };
    },
  };
}

/**
 * status/set: all four properties are required; returnTime is Unix ms or -1 (a value below -1, an empty name
 * or note: stored as sent, or 412 where the latitude refuses them).
 */
export function setStatus(ctx: ActionContext, user: LiveUser): ActionSpec {
  return {
    body: 'object',
    prepare(body) {
      const name = requiredString(body, 'name');
      const type = !Object.hasOwn(body, 'type') && ctx.faults.has('status-missing-type-accepted') ? undefined : requiredString(body, 'type');
      const note = requiredString(body, 'note');
      const returnTime = requiredInteger(body, 'returnTime', Number.MIN_SAFE_INTEGER);
      const bad = firstFailure(name, type, note, returnTime);
      if (bad) return bad;
      if (type !== undefined && !(STATUS_TYPES as readonly string[]).includes(type as string)) return failure(412, 'unknown status type');
      if (ctx.latitude.refusesStatus({ name: name as string, note: note as string, returnTime: returnTime as number })) {
        return failure(412, 'empty name or note, or returnTime below -1');
      }
      return () => {
        const renewed = ctx.latitude.settings.statusIdentityChangesOnSet
          ? { id: randomUUID(), configurationId: `custom-${user.configurationId}`, userCreated: true }
          : {};
        user.status = {
          ...user.status,
          ...renewed,
          name: name as string,
          type: (type as StatusType | undefined) ?? user.status.type,
          note: note as string,
          returnTime: returnTime as number,
        };
        if (ctx.faults.has('status-note-leaks-to-other-user')) {
          const others = ctx.cs.users.filter((other) => other !== user);
          const other = others[ctx.cs.users.indexOf(user) % Math.max(1, others.length)];
          if (other) other.status = { ...other.status, note: note as string };
        }
      };
    },
  };
}

/** What the `unknown-agent-action-204` fault answers: success, with no effect. */
export const noEffect: ActionSpec = { body: 'none', prepare: () => () => {} };

export const AGENT_ACTIONS = ['pause', 'unpause', 'penalty', 'logout'] as const;
