/**
 * The HTTP client for the target, on supertest. Every request has a timeout and a cap on the body it reads, never
 * follows a redirect, never throws for a status, and comes back as an {@link Exchange}: the data a finding is
 * made of.
 */
import type { IncomingMessage } from 'node:http';
import supertest from 'supertest';

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
  /** The body as text, at most `maxBodyBytes`. */
  bodyText: string;
  /** True when the body was longer than the cap and was cut. */
  truncated: boolean;
  /** The body parsed as JSON, when it parsed. */
  json?: unknown;
  /** What went wrong on the wire when no response came: a timeout, a reset, a refusal. */
  transportError?: string;
  durationMs: number;
}

/** Options of a {@link TargetClient}. */
export interface TargetClientOptions {
  /** The Live API base, e.g. `http://pbx:58080/communication_manager/rest/live`. */
  baseUrl: string;
  user?: string;
  password?: string;
  /** Time a request may take in all, ms. Default 10000. */
  requestTimeoutMs?: number;
  /** The largest body read, bytes; the rest is dropped. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Called with every exchange once it ended (contract coverage listens here). */
  onExchange?: (exchange: Exchange) => void;
}

/** Options of one request. */
export interface RequestOptions {
  auth?: AuthMode;
  /** A JSON value to send (serialised), or a string sent as it is. */
  body?: unknown;
  contentType?: string;
}

/** Sends requests to the target and records them as exchanges. */
export class TargetClient {
  readonly baseUrl: string;
  private readonly agent: ReturnType<typeof supertest>;
  private readonly user?: string;
  private readonly password?: string;
  private readonly requestTimeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly onExchange?: (exchange: Exchange) => void;
  /** Set by {@link TargetClient.halt}: every later request ends at once, unsent, with this as its transport error. */
  private haltedBecause?: string;
  /** How many requests this client sent. */
  requestCount = 0;

  constructor(options: TargetClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.agent = supertest(this.baseUrl);
    this.user = options.user;
    this.password = options.password;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.onExchange = options.onExchange;
  }

  get(path: string, options: RequestOptions = {}): Promise<Exchange> {
    return this.request('GET', path, options);
  }

  post(path: string, options: RequestOptions = {}): Promise<Exchange> {
    return this.request('POST', path, options);
  }

  /** Sends no more requests (the run was interrupted): each later one ends unsent, as a transport failure. */
  halt(reason: string): void {
    this.haltedBecause = reason;
  }

  /** Sends one request; resolves with the exchange whatever happens (status 0 when no response came). */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Exchange> {
    const auth = options.auth ?? 'valid';
    const started = performance.now();
    this.requestCount += 1;
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
    let test = this.agent[method.toLowerCase() as 'get'](path)
      .redirects(0)
      .timeout({ response: this.requestTimeoutMs, deadline: this.requestTimeoutMs })
      .ok(() => true)
      .set('Accept', 'application/json')
      .buffer(true)
      .parse(this.cappedParser(exchange) as never);
    if (auth === 'valid' && this.user !== undefined) test = test.auth(this.user, this.password ?? '');
    if (auth === 'wrong') {
      exchange.wrongCredentials = 'isym-conform-wrong-user:not-the-password';
      test = test.auth('isym-conform-wrong-user', 'not-the-password');
    }
    if (options.body !== undefined) {
      exchange.requestBody = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      exchange.requestContentType = options.contentType ?? 'application/json';
      test = test.set('Content-Type', exchange.requestContentType).send(exchange.requestBody);
    }
    if (this.haltedBecause !== undefined) {
      exchange.transportError = this.haltedBecause;
      return exchange;
    }
    try {
      const response = await test;
      exchange.status = response.status;
      exchange.headers = Object.fromEntries(Object.entries(response.headers as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      exchange.contentType = exchange.headers['content-type'];
      if (exchange.bodyText.length > 0) {
        try {
          exchange.json = JSON.parse(exchange.bodyText);
        } catch {
          // Not JSON: the text stays in bodyText; the rules that need JSON say so.
        }
      }
    } catch (error) {
      exchange.status = 0;
      exchange.transportError = describeTransportError(error, this.requestTimeoutMs);
    }
    exchange.durationMs = Math.round(performance.now() - started);
    this.onExchange?.(exchange);
    return exchange;
  }

  /** A superagent body parser that keeps at most maxBodyBytes and stops reading after that. */
  private cappedParser(exchange: Exchange) {
    const cap = this.maxBodyBytes;
    return (res: IncomingMessage, callback: (error: Error | null, body: unknown) => void) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        exchange.bodyText = Buffer.concat(chunks).toString('utf8');
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

function describeTransportError(error: unknown, timeoutMs: number): string {
  const e = error as { code?: string; timeout?: number; message?: string };
  if (e.timeout !== undefined || e.code === 'ECONNABORTED') return `timeout after ${timeoutMs} ms`;
  if (e.code) return `${e.code}${e.message ? `: ${e.message}` : ''}`;
  return e.message ?? String(error);
}

/** Whether an exchange got no answer at all (the target is down, hangs, or reset the connection). */
export function isTransportFailure(exchange: Exchange): boolean {
  return exchange.status === 0;
}
