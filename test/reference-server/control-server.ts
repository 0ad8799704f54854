/**
 * A loopback control server for an embedded reference server: `POST /restart` restarts it for real (new UUIDs,
 * same configuration, its port closed for a while) and answers, once it listens again, with `{ "downMs": N }`.
 * The checker's restart rules use its URL as the restart mechanism of `--embedded` runs.
 */
import http from 'node:http';
import type net from 'node:net';
import type { RunningReferenceServer } from './index.js';

/** A running control server. */
export interface RunningControlServer {
  /** The URL to POST to for a restart, e.g. http://127.0.0.1:PORT/restart. */
  restartUrl: string;
  /** How many restarts it has done. */
  restarts(): number;
  stop(): Promise<void>;
}

/** Starts the control server of `reference` on 127.0.0.1, on a free port. */
export async function startControlServer(reference: Pick<RunningReferenceServer, 'restart'>): Promise<RunningControlServer> {
  let restarts = 0;
  const server = http.createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url !== '/restart') return answer(404, { error: 'unknown path: POST /restart is the only one' });
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      return answer(405, { error: 'POST /restart' });
    }
    request.resume();
    reference.restart().then(
      ({ downMs }) => {
        restarts += 1;
        answer(200, { downMs });
      },
      (error: unknown) => answer(500, { error: `restart failed: ${(error as Error)?.message ?? String(error)}` }),
    );
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  return {
    restartUrl: `http://127.0.0.1:${port}/restart`,
    restarts: () => restarts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
