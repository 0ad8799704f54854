/**
 * The HTTP side of the reference server: base path, HTTP Basic auth (LIVE-API.md §3), methods and status codes
 * (§2), bodies, and JSON responses. Path resolution is in routes.ts, action effects in actions.ts.
 */
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { isFailure, parseBody, type Failure } from './body.js';
import type { FaultSet } from './faults.js';
import type { LiveState } from './live-state.js';
import { Router, splitPath, type Outcome } from './routes.js';

export const BASE_PATH = '/communication_manager/rest/live';
export const REALM = 'iSymphony';

/** Request bodies above this size are refused (413) rather than buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpServerOptions {
  faults: FaultSet;
  user: string;
  password: string;
  /** The current live state (it is replaced on a restart). */
  state: () => LiveState;
  /** How long to hold the next request before handling it, ms (a slow network or server); none when absent. */
  latencyMs?: () => number;
}

type Auth = 'ok' | 'missing' | 'wrong';

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkAuth(header: string | undefined, user: string, password: string): Auth {
  if (!header) return 'missing';
  const match = /^Basic\s+([A-Za-z0-9+/=]*)\s*$/i.exec(header);
  if (!match) return 'wrong';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'wrong';
  return sameText(decoded.slice(0, colon), user) && sameText(decoded.slice(colon + 1), password) ? 'ok' : 'wrong';
}

function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}, contentType = 'application/json; charset=utf-8') {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Error bodies carry a short message and never any resource data. */
function sendFailure(res: http.ServerResponse, f: Failure, headers: Record<string, string> = {}) {
  send(res, f.status, { error: f.message }, headers);
}

/** Read the whole body (bounded), so that each request is then handled synchronously, in one step. */
function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createRequestHandler(options: HttpServerOptions): http.RequestListener {
  const { faults } = options;

  function handle(req: http.IncomingMessage, res: http.ServerResponse, bodyText: string) {
    const method = req.method ?? 'GET';
    const pathname = (req.url ?? '/').split(/[?#]/, 1)[0];
    if (!pathname.startsWith(`${BASE_PATH}/`)) return send(res, 404, { error: 'not found' });
    const segments = splitPath(pathname.slice(BASE_PATH.length + 1));

    const openPath = faults.has('core-servers-open') && method === 'GET' && segments.length === 1 && segments[0].decoded === 'coreServers';
    if (!openPath) {
      const auth = checkAuth(req.headers.authorization, options.user, options.password);
      if (auth === 'missing') {
        return send(res, 401, { error: 'authentication required' }, { 'WWW-Authenticate': `Basic realm="${REALM}"` });
      }
      if (auth === 'wrong') return send(res, 403, { error: 'forbidden' });
    }

    const router = new Router(options.state(), faults, segments);
    const outcome: Outcome = router.route();
    switch (outcome.kind) {
      case 'fail':
        return sendFailure(res, outcome.failure);
      case 'read': {
        const putAccepted = method === 'PUT' && outcome.instance && faults.has('put-accepted');
        if (method !== 'GET' && !putAccepted) return send(res, 405, { error: 'method not allowed' }, { Allow: 'GET' });
        const contentType = faults.has('queues-content-type-text') && router.area === 'queues'
          ? 'text/plain; charset=utf-8'
          : 'application/json; charset=utf-8';
        send(res, 200, outcome.body(), {}, contentType);
        if (method === 'GET') outcome.afterRead?.();
        return;
      }
      case 'action': {
        if (method !== 'POST') return send(res, 405, { error: 'method not allowed' }, { Allow: 'POST' });
        const body = parseBody(bodyText, outcome.action.body, faults.has('invalid-json-500') ? 500 : 412);
        if (isFailure(body)) return sendFailure(res, body);
        const result = outcome.action.prepare(body);
        if (isFailure(result)) return sendFailure(res, result);
        if (!(faults.has('action-by-name-noop') && router.anyByName)) result();
        return send(res, 204);
      }
    }
  }

  return (req, res) => {
    readBody(req).then(
      (bodyText) => {
        if (bodyText === null) return send(res, 413, { error: 'body too large' }, { Connection: 'close' });
        const answer = () => {
          // A restart or stop closed the connection while the request was held.
          if (res.destroyed) return;
          try {
            handle(req, res, bodyText);
          } catch (error) {
            // A bug of the reference server itself: answer rather than crash, and say so on stderr.
            console.error('reference server: unexpected error', error);
            send(res, 500, { error: 'internal error' });
          }
        };
        const latency = options.latencyMs?.() ?? 0;
        if (latency > 0) setTimeout(answer, latency);
        else answer();
      },
      () => res.destroy(),
    );
  };
}

/** An HTTP server with the Live API handler; malformed HTTP gets a 400 and never reaches the handler. */
export function createLiveServer(options: HttpServerOptions): http.Server {
  const server = http.createServer(createRequestHandler(options));
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
