/**
 * The bench's transport row, run as a child process as the checker is: the request rate of the checker's HTTP
 * client alone (TargetClient, on supertest, as every rule sends), with nothing judged, over the GET paths given.
 * What it prints is the most any checker built on this client could reach against the same server.
 *
 * Usage: node --import tsx test/bench/transport-rate.ts BASE_URL PATHS_FILE IN_FLIGHT SECONDS
 * (credentials in ISYM_USER and ISYM_PASSWORD; PATHS_FILE holds a JSON array of paths below BASE_URL).
 * Prints one line of JSON: { "requests": n, "seconds": s, "rate": r }.
 */
import { readFile } from 'node:fs/promises';
import { TargetClient } from '../../suites/target-client.js';

const [baseUrl, pathsFile, inFlightText, secondsText] = process.argv.slice(2);
const paths = JSON.parse(await readFile(pathsFile, 'utf8')) as string[];
const inFlight = Number(inFlightText);
const client = new TargetClient({ baseUrl, user: process.env.ISYM_USER, password: process.env.ISYM_PASSWORD, maxConcurrentRequests: inFlight });

/** Sends the paths in order, cycled, `inFlight` at once, for `seconds`; the requests sent. */
async function sendFor(seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) await client.get(paths[next++ % paths.length]);
    }),
  );
  return next;
}

await sendFor(1); // warm-up: connections open, code optimised
const started = performance.now();
const requests = await sendFor(Number(secondsText));
const seconds = (performance.now() - started) / 1000;
client.close();
process.stdout.write(`${JSON.stringify({ requests, seconds, rate: requests / seconds })}\n`);
