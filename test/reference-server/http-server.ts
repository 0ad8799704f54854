/**
 * The HTTP side of the reference server: base path, HTTP Basic auth (LIVE-API.md §3), methods and status codes
 * (§2), bodies, and JSON responses. Path resolution is in routes.ts, action effects in actions.ts.
 */
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { isFailure, parseBody, type Failure } from './body.js';
import type { FaultSet } from './faults.js';
import type { Latitude } from './latitude.js';
import type { StagedTelephony } from './actions.js';
import { endExpiredCalls, type LiveState } from './live-state.js';
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
  /** Which way the server takes each freedom of LIVE-API.md §5. */
  latitude: Latitude;
  /** Live telephony a test stages around the actions; none when absent. */
  staged?: StagedTelephony;
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

const JSON_TYPE = 'application/json; charset=utf-8';

function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}, contentType = JSON_TYPE) {
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
  const { faults, latitude } = options;
  const { settings } = latitude;

  /** An error answer: a short message and never any resource data, or no body at all (§5 "error responses"). */
  function sendError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
    send(res, status, settings.bareErrors ? undefined : { error: message }, headers);
  }
  const sendFailure = (res: http.ServerResponse, f: Failure) => sendError(res, f.status, f.message);
  /** 405, with the method the path takes in `Allow` unless the latitude leaves it out. */
  const sendMethodNotAllowed = (res: http.ServerResponse, allow: string) =>
    sendError(res, 405, 'method not allowed', settings.noAllowHeader ? {} : { Allow: allow });

  function handle(req: http.IncomingMessage, res: http.ServerResponse, bodyText: string) {
    const method = req.method ?? 'GET';
    const pathname = (req.url ?? '/').split(/[?#]/, 1)[0];
    if (!pathname.startsWith(`${BASE_PATH}/`)) return sendError(res, 404, 'not found');
    const segments = splitPath(pathname.slice(BASE_PATH.length + 1));

    const openPath = faults.has('core-servers-open') && method === 'GET' && segments.length === 1 && segments[0].decoded === 'coreServers';
    if (!openPath) {
      const auth = checkAuth(req.headers.authorization, options.user, options.password);
      if (auth === 'missing') {
        if (settings.forbiddenWithoutCredentials) return sendError(res, 403, 'forbidden');
        return sendError(res, 401, 'authentication required', { 'WWW-Authenticate': `Basic realm="${REALM}"` });
      }
      if (auth === 'wrong') return sendError(res, 403, 'forbidden');
    }

    endExpiredCalls(options.state());
    const router = new Router(options.state(), faults, latitude, segments, options.staged);
    const outcome: Outcome = router.route();
    switch (outcome.kind) {
      case 'fail':
        return sendFailure(res, outcome.failure);
      case 'read': {
        const putAccepted = method === 'PUT' && outcome.instance && faults.has('put-accepted');
        if (method !== 'GET' && !putAccepted) return sendMethodNotAllowed(res, 'GET');
        const contentType = faults.has('queues-content-type-text') && router.area === 'queues'
          ? 'text/plain; charset=utf-8'
          : settings.bareJsonMediaType ? 'application/json' : JSON_TYPE;
        send(res, 200, latitude.present(outcome.body()), {}, contentType);
        if (method === 'GET') outcome.afterRead?.();
        return;
      }
      case 'action': {
        if (method !== 'POST') return sendMethodNotAllowed(res, 'POST');
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
        if (bodyText === null) return sendError(res, 413, 'body too large', { Connection: 'close' });
        const answer = () => {
          // A restart or stop closed the connection while the request was held.
          if (res.destroyed) return;
          try {
            handle(req, res, bodyText);
          } catch (error) {
            // A bug of the reference server itself: answer rather than crash, and say so on stderr.
            console.error('reference server: unexpected error', error);
            sendError(res, 500, 'internal error');
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
