/**
 * Hostile targets for the self-test: a loopback front that passes requests on to a correct reference server,
 * except the requests it is told to spoil, which it answers with one broken behaviour (never answering, dripping,
 * resetting, garbage or huge bodies, redirects, 401, dying). One parameterised server, one behaviour per run.
 */
import http from 'node:http';
import type net from 'node:net';

/** What the front does to a spoiled request. */
export type HostileBehaviour =
  /** Accepts the connection and the request, and never answers. */
  | { kind: 'never-answer' }
  /** Sends 200 headers at once, then the body one byte a second, forever. */
  | { kind: 'drip' }
  /** Resets the connection (TCP RST) as soon as the request arrives. */
  | { kind: 'reset' }
  /** 200, `application/json`, with a body that is not JSON. */
  | { kind: 'invalid-json' }
  /** 200, `application/json`, with an empty body. */
  | { kind: 'empty-body' }
  /** 200, `application/json`, with a body of `bytes` bytes (a JSON array that goes on and on). */
  | { kind: 'huge-body'; bytes: number }
  /** 200 with an HTML page, as a login portal or a default welcome page answers. */
  | { kind: 'html' }
  /** The correct answer, with `Content-Type: text/plain`. */
  | { kind: 'wrong-content-type' }
  /** 302 to the same path at another origin (`location` gives the origin, e.g. `http://127.0.0.2:PORT`). */
  | { kind: 'redirect'; origin: string }
  /** 401 with `WWW-Authenticate: Basic`, whatever the credentials. */
  | { kind: 'unauthorized' }
  /** Closes its port and every connection: the target is gone for good (the request that triggers it is cut too). */
  | { kind: 'die' };

/**
 * Behaviours that replace an answer: they spoil only requests that the correct server answers 200 (a target
 * whose reads are broken, not one that invents instances), and pass the others on.
 */
const replacesSuccess = new Set<HostileBehaviour['kind']>(['invalid-json', 'empty-body', 'huge-body', 'html', 'wrong-content-type', 'redirect']);

/** Which requests are spoiled. Both conditions must hold; an empty scope spoils every request. */
export interface HostileScope {
  /** Only requests whose path (after the API base) matches. */
  pathPattern?: RegExp;
  /** Only from the request with this 1-based number on (the probe is request 1). */
  fromRequest?: number;
}

/** A running hostile target. */
export interface RunningHostileTarget {
  /** The Live API base of the front, e.g. http://127.0.0.1:PORT/communication_manager/rest/live. */
  baseUrl: string;
  /** Requests that reached the front. */
  requests(): number;
  /** Requests the front spoiled. */
  spoiled(): number;
  /** Bytes of huge bodies written to sockets (a client that stops reading stops the writing, back-pressure aside). */
  hugeBytesSent(): number;
  /** Closes the front for good, as `die` does (what a restart command that never brings the server back does). */
  goDown(): Promise<void>;
  stop(): Promise<void>;
}

const apiBase = '/communication_manager/rest/live';

function closeServer(server: http.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/**
 * Streams `bytes` bytes of a never-ending JSON array, respecting back-pressure so the server itself stays small;
 * `onSent` is told each piece written, so a test can see how much a client read before it hung up.
 */
function sendHugeBody(res: http.ServerResponse, bytes: number, onSent: (bytes: number) => void): void {
  const item = Buffer.from('{"id":"00000000-0000-4000-8000-000000000000","slug":"padding","name":"padding"},');
  const chunk = Buffer.concat([Buffer.from('['), Buffer.alloc(64 * 1024 - 1, ' ')]);
  const filler = Buffer.alloc(64 * 1024);
  for (let offset = 0; offset < filler.length; offset += item.length) item.copy(filler, offset);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(bytes) });
  let sent = 0;
  const pump = () => {
    while (sent < bytes && !res.destroyed) {
      const piece = (sent === 0 ? chunk : filler).subarray(0, Math.min(64 * 1024, bytes - sent));
      sent += piece.length;
      onSent(piece.length);
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    if (sent >= bytes) res.end();
  };
  pump();
}

/** Answers a spoiled request with the behaviour. */
function misbehave(behaviour: HostileBehaviour, req: http.IncomingMessage, res: http.ServerResponse, die: () => void, onSent: (bytes: number) => void): void {
  switch (behaviour.kind) {
    case 'wrong-content-type': // answered in startHostileTarget, from the correct answer
    case 'never-answer':
      return;
    case 'drip': {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('[');
      const timer = setInterval(() => res.write(' '), 1000);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case 'reset':
      req.socket.resetAndDestroy();
      return;
    case 'invalid-json':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"id": "0b5e, this is not JSON');
      return;
    case 'empty-body':
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '0' });
      res.end();
      return;
    case 'huge-body':
      sendHugeBody(res, behaviour.bytes, onSent);
      return;
    case 'html':
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>');
      return;
    case 'redirect':
      res.writeHead(302, { Location: `${behaviour.origin}${req.url ?? '/'}`, 'Content-Length': '0' });
      res.end();
      return;
    case 'unauthorized':
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="iSymphony"', 'Content-Type': 'application/json' });
      res.end('{"error":"authentication required"}');
      return;
    case 'die':
      die();
      return;
  }
}

/**
 * Starts a hostile front on 127.0.0.1 before the Live API at `upstreamBaseUrl`, spoiling the requests in `scope`
 * with `behaviour`. Every other request is passed on unchanged.
 */
export async function startHostileTarget(upstreamBaseUrl: string, behaviour: HostileBehaviour, scope: HostileScope = {}): Promise<RunningHostileTarget> {
  const upstream = new URL(upstreamBaseUrl);
  const upstreamAgent = new http.Agent({ keepAlive: true });
  const sockets = new Set<net.Socket>();
  let requests = 0;
  let spoiled = 0;
  let hugeBytesSent = 0;
  let down = false;

  const server = http.createServer((req, res) => {
    requests += 1;
    const path = (req.url ?? '/').startsWith(apiBase) ? (req.url ?? '/').slice(apiBase.length) : (req.url ?? '/');
    const inScope = (scope.pathPattern === undefined || scope.pathPattern.test(path)) && requests >= (scope.fromRequest ?? 1);
    const spoil = inScope && !replacesSuccess.has(behaviour.kind) ? 'always' : inScope ? 'on-success' : 'never';
    if (spoil === 'always') {
      spoiled += 1;
      return misbehave(behaviour, req, res, () => void goDown(), (bytes) => (hugeBytesSent += bytes));
    }
    const proxied = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: upstreamAgent },
      (answer) => {
        if (spoil === 'on-success' && answer.statusCode === 200) {
          spoiled += 1;
          if (behaviour.kind === 'wrong-content-type') {
            res.writeHead(200, { ...answer.headers, 'content-type': 'text/plain; charset=utf-8' });
            return void answer.pipe(res);
          }
          answer.resume();
          return misbehave(behaviour, req, res, () => void goDown(), (bytes) => (hugeBytesSent += bytes));
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    proxied.on('error', () => res.destroy());
    req.pipe(proxied);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server, '127.0.0.1');

  const goDown = async () => {
    down = true;
    await closeServer(server, sockets);
  };

  return {
    baseUrl: `http://127.0.0.1:${port}${apiBase}`,
    requests: () => requests,
    spoiled: () => spoiled,
    hugeBytesSent: () => hugeBytesSent,
    goDown,
    async stop() {
      if (!down) await goDown();
      upstreamAgent.destroy();
    },
  };
}

/** A loopback server that only counts who reaches it: the far side of a redirect, which must never be reached. */
export interface RunningDecoy {
  /** Its origin, e.g. http://127.0.0.2:PORT. */
  origin: string;
  /** TCP connections it accepted. */
  connections(): number;
  stop(): Promise<void>;
}

/** Starts a decoy on `host` (a loopback address: 127.0.0.1 for another port, 127.0.0.2 for another host). */
export async function startDecoy(host: string): Promise<RunningDecoy> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('[]');
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server, host);
  return { origin: `http://${host}:${port}`, connections: () => connections, stop: () => closeServer(server, sockets) };
}

/**
 * A control endpoint that takes the hostile target down on `POST /down` and answers 200: the restart command of
 * a server that restarts and never comes back (`node -e "fetch(URL, { method: 'POST' })"`).
 */
export async function startDownSwitch(target: RunningHostileTarget): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    req.resume();
    void target.goDown().then(() => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}/down`, stop: () => closeServer(server, sockets) };
}
