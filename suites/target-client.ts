/**
 * The HTTP client for the target, on supertest. Every request has a timeout and a cap on the body it reads, never
 * follows a redirect, never throws for a status, and comes back as an {@link Exchange}: the data a finding is
 * made of. Connections are kept alive (a new TCP connection per request would cost more than the checking does),
 * and a bounded number of requests is in flight at once (--concurrency). A client scoped from another shares its
 * connections and request slots but can be halted alone: one rule's client, stopped when the rule runs out of time.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { AsyncLocalStorage } from 'node:async_hooks';
import supertest from 'supertest';
import { runDefaults } from './run-defaults.js';

/** Which credentials a request carried. */
export type AuthMode = 'valid' | 'none' | 'wrong';

/** One request and what came back. */
export interface Exchange {
  method: string;
  /** Path relative to the API base, as requested (already percent-encoded). */
  path: string;
  /** The full URL. */
  url: string;
  auth: AuthMode;
  /** The user:password sent when `auth` is `wrong` (made up by the checker, never the real ones). */
  wrongCredentials?: string;
  requestBody?: string;
  requestContentType?: string;
  /** 0 when no response came. */
  status: number;
  contentType?: string;
  headers: Record<string, string>;
  /**
   * The body as text, at most `maxBodyBytes`; a body that is not JSON is kept only up to {@link keptNonJsonBytes}
   * (rules quote it, none reads it whole), so a run that meets many huge bodies does not hold them all.
   */
  bodyText: string;
  /** True when the body was longer than the cap and was cut. */
  truncated: boolean;
  /** The body parsed as JSON, when it parsed. */
  json?: unknown;
  /** What went wrong on the wire when no response came: a timeout, a reset, a refusal. */
  transportError?: string;
  durationMs: number;
  /** How an https request checked the certificate when not by the system's CAs: the curl line says the same. */
  tls?: { caFile?: string; insecure?: boolean };
}

/** Options of a {@link TargetClient}. */
export interface TargetClientOptions {
  /** The Live API base, e.g. `http://pbx:58080/communication_manager/rest/live`. */
  baseUrl: string;
  user?: string;
  password?: string;
  /** Time a request may take in all, ms. Default: the run's (run-defaults.ts). */
  requestTimeoutMs?: number;
  /** The largest body read, bytes; the rest is dropped. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Called with every exchange once it ended (contract coverage listens here). */
  onExchange?: (exchange: Exchange) => void;
  /** How many requests may be in flight at once, over this client and every client scoped from it. Default 1. */
  maxConcurrentRequests?: number;
  /** PEM text of a CA to trust besides the system's (--cacert). */
  ca?: string;
  /** The file `ca` came from, for curl lines. */
  caFile?: string;
  /** Do not check the target's certificate (--insecure). Default false. */
  insecure?: boolean;
}

/** Options of one request. */
export interface RequestOptions {
  auth?: AuthMode;
  /** A JSON value to send (serialised), or a string sent as it is. */
  body?: unknown;
  contentType?: string;
}

/**
 * The work whose requests go first in line (see {@link withRequestPriority}): how much of it runs now, and who is
 * told when none does any more.
 */
export class PriorityWork {
  private running = 0;
  private readonly idleListeners = new Set<() => void>();
  // Whether the requests sent in an async context are priority work's.
  private readonly inContext = new AsyncLocalStorage<boolean>();

  get active(): boolean {
    return this.running > 0;
  }

  /** Whether the caller's requests are priority work's. */
  get current(): boolean {
    return this.inContext.getStore() === true;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await this.inContext.run(true, work);
    } finally {
      this.running -= 1;
      if (this.running === 0) for (const listener of [...this.idleListeners]) listener();
    }
  }

  /** Calls `listener` once, the next time no priority work runs. */
  onceIdle(listener: () => void): void {
    const once = () => {
      this.idleListeners.delete(once);
      listener();
    };
    this.idleListeners.add(once);
  }
}

const priorityWork = new PriorityWork();

/**
 * A counting semaphore: at most `size` holders at once, the others wait in order, those asking with priority ahead
 * of the rest. While priority work runs, a quarter of the slots (rounded down) is kept for it: its round trips,
 * one after another, are the run's longest path, and a request of it that waits for a slot held by a read waits
 * for that read's whole round trip. The others then share what is left; the bound on what is in flight stays.
 */
export class RequestSlots {
  readonly size: number;
  /** The slots kept for priority work while it runs. */
  readonly reserved: number;
  private free: number;
  private readonly waiting: (() => void)[] = [];
  private readonly waitingFirst: (() => void)[] = [];
  private waitingForIdle = false;

  constructor(
    size: number,
    private readonly priority: PriorityWork = priorityWork,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`RequestSlots size must be a whole number >= 1, not ${size}.`);
    this.size = size;
    this.reserved = Math.floor(size / 4);
    this.free = size;
  }

  /** Resolves once a slot is held; give it back with {@link RequestSlots.release}. */
  acquire(first = this.priority.current): Promise<void> {
    if (first ? this.free > 0 : this.waiting.length === 0 && this.freeForOthers()) {
      this.free -= 1;
      return Promise.resolve();
    }
    const queued = new Promise<void>((resolve) => (first ? this.waitingFirst : this.waiting).push(resolve));
    this.wakeWhenIdle();
    return queued;
  }

  release(): void {
    this.free += 1;
    this.handOut();
  }

  /** Whether a request that is not priority work's may take a free slot now. */
  private freeForOthers(): boolean {
    return this.free > (this.priority.active ? this.reserved : 0);
  }

  /** Gives the free slots to those waiting: priority work's first, the others while the reserve allows. */
  private handOut(): void {
    while (this.free > 0 && this.waitingFirst.length > 0) {
      this.free -= 1;
      this.waitingFirst.shift()!();
    }
    while (this.waiting.length > 0 && this.freeForOthers()) {
      this.free -= 1;
      this.waiting.shift()!();
    }
    this.wakeWhenIdle();
  }

  /** The reserve ends with the priority work: those it keeps waiting get the free slots then. */
  private wakeWhenIdle(): void {
    if (this.waitingForIdle || this.waiting.length === 0 || this.free === 0 || !this.priority.active) return;
    this.waitingForIdle = true;
    this.priority.onceIdle(() => {
      this.waitingForIdle = false;
      this.handOut();
    });
  }
}

/**
 * Runs `work` with its requests first in line for a request slot, and those of whatever it starts (a discovery it
 * sets off too): for the rule whose turn it is to change state, whose round trips, one after another, are the
 * run's longest path, while the read-only rules keep every other slot busy.
 */
export function withRequestPriority<T>(work: () => Promise<T>): Promise<T> {
  return priorityWork.run(work);
}

/** What a client shares with the clients scoped from it. */
interface SharedTransport {
  agent: ReturnType<typeof supertest>;
  connections: http.Agent;
  slots: RequestSlots;
}

/** A request's way to be stopped by a halt: it races `stopped` against the exchange. */
interface StopHandle {
  stopped: Promise<string>;
  stop(reason: string): void;
}

/** Transport errors that a server closing an idle kept-alive connection causes on the next request sent on it. */
const staleConnectionCodes = new Set(['ECONNRESET', 'EPIPE']);

/** Sends requests to the target and records them as exchanges. */
export class TargetClient {
  readonly baseUrl: string;
  private readonly options: TargetClientOptions;
  private readonly parent?: TargetClient;
  private readonly shared: SharedTransport;
  /** The requests under way through this client or a client scoped from it, to stop them on a halt. */
  private readonly underWay = new Set<StopHandle>();
  private readonly user?: string;
  private readonly password?: string;
  private readonly requestTimeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly onExchange?: (exchange: Exchange) => void;
  /** Set by {@link TargetClient.halt}: every later request ends at once, unsent, with this as its transport error. */
  private haltedBecause?: string;
  /** How many requests this client sent. */
  requestCount = 0;

  /** `parent` is for {@link TargetClient.scoped}: the new client sends through the parent's transport. */
  constructor(options: TargetClientOptions, parent?: TargetClient) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.options = options;
    this.parent = parent;
    this.shared = parent?.shared ?? {
      agent: supertest(this.baseUrl),
      // Idle connections are closed after 4 s, before a server's usual 5 s keep-alive timeout closes them under us.
      connections: this.baseUrl.startsWith('https:')
        ? new https.Agent({ keepAlive: true, timeout: 4000, ca: options.ca, rejectUnauthorized: !options.insecure })
        : new http.Agent({ keepAlive: true, timeout: 4000 }),
      slots: new RequestSlots(options.maxConcurrentRequests ?? 1),
    };
    this.user = options.user;
    this.password = options.password;
    this.requestTimeoutMs = options.requestTimeoutMs ?? runDefaults.requestTimeoutMs;
    this.maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.onExchange = options.onExchange;
  }

  get(path: string, options: RequestOptions = {}): Promise<Exchange> {
    return this.request('GET', path, options);
  }

  post(path: string, options: RequestOptions = {}): Promise<Exchange> {
    return this.request('POST', path, options);
  }

  /**
   * Sends no more requests (the run was interrupted, or the rule ran out of time): each later one ends unsent, and
   * each one under way ends at once, as a transport failure with `reason`. Halts the clients scoped from this one.
   */
  halt(reason: string): void {
    this.haltedBecause = reason;
    for (const request of [...this.underWay]) request.stop(reason);
  }

  /** A client that sends through this one (same connections, request slots and hook; counted here too) and can be halted alone. */
  scoped(): TargetClient {
    return new TargetClient(this.options, this);
  }

  /** How many requests may be in flight at once. */
  get maxConcurrentRequests(): number {
    return this.shared.slots.size;
  }

  /** Closes the kept-alive connections (they would otherwise close themselves after 4 s idle). */
  close(): void {
    if (!this.parent) this.shared.connections.destroy();
  }

  /** Why this client or one it was scoped from was halted; undefined while it may send (a poll loop stops on it). */
  get haltedReason(): string | undefined {
    return this.haltReason();
  }

  /** Why this client or one it was scoped from was halted, if it was. */
  private haltReason(): string | undefined {
    return this.haltedBecause ?? this.parent?.haltReason();
  }

  /** Registers a request under way with this client and the clients it was scoped from. */
  private track(handle: StopHandle): () => void {
    const owners: TargetClient[] = [];
    for (let client: TargetClient | undefined = this; client; client = client.parent) owners.push(client);
    for (const owner of owners) owner.underWay.add(handle);
    return () => owners.forEach((owner) => owner.underWay.delete(handle));
  }

  private countRequest(): void {
    for (let client: TargetClient | undefined = this; client; client = client.parent) client.requestCount += 1;
  }

  /** Sends one request; resolves with the exchange whatever happens (status 0 when no response came). */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Exchange> {
    // A client given no credentials sends none: record it so, or the curl line would ask for $ISYM_USER.
    const auth: AuthMode = options.auth ?? (this.user === undefined ? 'none' : 'valid');
    const started = performance.now();
    this.countRequest();
    const exchange: Exchange = {
      method,
      path,
      url: this.baseUrl + path,
      auth,
      status: 0,
      headers: {},
      bodyText: '',
      truncated: false,
      durationMs: 0,
    };
    if (options.body !== undefined) {
      exchange.requestBody = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      exchange.requestContentType = options.contentType ?? 'application/json';
    }
    if (auth === 'wrong') exchange.wrongCredentials = 'isym-conform-wrong-user:not-the-password';
    if (exchange.url.startsWith('https:') && (this.options.insecure || this.options.caFile)) {
      exchange.tls = this.options.insecure ? { insecure: true } : { caFile: this.options.caFile };
    }
    const halted = this.haltReason();
    if (halted !== undefined) {
      exchange.transportError = halted;
      return exchange;
    }
    let stop!: (reason: string) => void;
    const handle: StopHandle = { stopped: new Promise((resolve) => (stop = resolve)), stop: (reason) => stop(reason) };
    const untrack = this.track(handle);
    try {
      const slot = this.shared.slots.acquire();
      const gotSlot = await Promise.race([slot.then(() => true), handle.stopped.then(() => false)]);
      if (!gotSlot) {
        void slot.then(() => this.shared.slots.release());
        exchange.transportError = await handle.stopped;
        return exchange;
      }
      try {
        // A GET sent on a kept-alive connection that the server had just closed fails without having been
        // processed: sending it once more is safe, and is what a browser does. The next idle connection of the pool
        // may have been closed too (the server closes them all when the machine is slow), so it is sent again while
        // that happens, at most once per connection the pool may hold, and once more on a new one.
        let outcome = await this.sendOnce(exchange, options, handle);
        for (let again = 0; outcome.staleConnection && (method === 'GET' || method === 'HEAD') && again <= this.maxConcurrentRequests; again += 1) {
          outcome = await this.sendOnce(exchange, options, handle);
        }
      } finally {
        this.shared.slots.release();
      }
    } finally {
      untrack();
    }
    exchange.durationMs = Math.round(performance.now() - started);
    this.onExchange?.(exchange);
    return exchange;
  }

  /** One attempt of a request; fills `exchange` with what came back. */
  private async sendOnce(exchange: Exchange, options: RequestOptions, handle: StopHandle): Promise<{ staleConnection: boolean }> {
    const body: ReadBody = { bytes: Buffer.alloc(0), truncated: false };
    let test = this.shared.agent[exchange.method.toLowerCase() as 'get'](exchange.path)
      .agent(this.shared.connections)
      .redirects(0)
      .timeout({ response: this.requestTimeoutMs, deadline: this.requestTimeoutMs })
      .ok(() => true)
      .set('Accept', 'application/json')
      .buffer(true)
      .parse(this.cappedParser(body) as never);
    if (this.options.insecure) test = test.disableTLSCerts();
    else if (this.options.ca !== undefined) test = test.ca(this.options.ca);
    if (exchange.auth === 'valid' && this.user !== undefined) test = test.auth(this.user, this.password ?? '');
    if (exchange.auth === 'wrong') test = test.auth('isym-conform-wrong-user', 'not-the-password');
    if (exchange.requestBody !== undefined) test = test.set('Content-Type', exchange.requestContentType!).send(exchange.requestBody);
    exchange.status = 0;
    exchange.transportError = undefined;
    try {
      // superagent leaves the promise of an aborted request pending: the halt settles the race instead.
      const response = await Promise.race([test, handle.stopped]);
      if (typeof response === 'string') {
        test.abort();
        exchange.transportError = response;
        return { staleConnection: false };
      }
      exchange.status = response.status;
      exchange.headers = Object.fromEntries(Object.entries(response.headers as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      exchange.contentType = exchange.headers['content-type'];
      exchange.truncated = body.truncated;
      // A body cut at the cap is not JSON: no need to try.
      exchange.bodyText = body.truncated ? '' : body.bytes.toString('utf8');
      if (exchange.bodyText.length > 0) {
        try {
          exchange.json = JSON.parse(exchange.bodyText);
        } catch {
          // Not JSON: the rules that need JSON say so.
        }
      }
      if (exchange.json === undefined && body.bytes.length > keptNonJsonBytes) {
        // Decoded afresh from the bytes: a slice of the whole text would keep the whole text alive.
        exchange.bodyText = body.bytes.subarray(0, keptNonJsonBytes).toString('utf8');
        exchange.truncated = true;
      } else if (body.truncated) exchange.bodyText = body.bytes.toString('utf8');
      return { staleConnection: false };
    } catch (error) {
      exchange.transportError = describeTransportError(error, this.requestTimeoutMs);
      const reused = Boolean((test as unknown as { req?: { reusedSocket?: boolean } }).req?.reusedSocket);
      return { staleConnection: reused && staleConnectionCodes.has((error as { code?: string }).code ?? '') };
    }
  }

  /** A superagent body parser that keeps at most maxBodyBytes and stops reading after that. */
  private cappedParser(exchange: ReadBody) {
    const cap = this.maxBodyBytes;
    return (res: IncomingMessage, callback: (error: Error | null, body: unknown) => void) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        exchange.bytes = Buffer.concat(chunks);
        callback(null, null);
      };
      res.on('data', (chunk: Buffer) => {
        if (size >= cap) return;
        const room = cap - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= cap) {
          exchange.truncated = true;
          res.destroy();
          finish();
        }
      });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', (error) => {
        if (done) return;
        done = true;
        callback(error, null);
      });
    };
  }
}

/** The body as the capped parser read it. */
interface ReadBody {
  bytes: Buffer;
  truncated: boolean;
}

/** How much of a body that is not JSON an exchange keeps, bytes. */
export const keptNonJsonBytes = 64 * 1024;

/** Error codes of a certificate the client does not trust. */
const certificateErrorCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What to do about a certificate the client does not trust, as the end of a transport error. */
export const certificateAdvice = "the target's certificate is not trusted: give the CA that signed it with --cacert FILE, or skip the check with --insecure";

function describeTransportError(error: unknown, timeoutMs: number): string {
  const e = error as { code?: string; timeout?: number; message?: string };
  if (e.timeout !== undefined || e.code === 'ECONNABORTED') return `timeout after ${timeoutMs} ms`;
  if (e.code && certificateErrorCodes.has(e.code)) return `${e.code}: ${e.message ?? 'certificate error'} (${certificateAdvice})`;
  if (e.code) return `${e.code}${e.message ? `: ${e.message}` : ''}`;
  return e.message ?? String(error);
}

/** Whether an exchange got no answer at all (the target is down, hangs, or reset the connection). */
export function isTransportFailure(exchange: Exchange): boolean {
  return exchange.status === 0;
}
