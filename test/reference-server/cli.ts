/**
 * Run the reference server alone:
 *
 *   npx tsx test/reference-server/cli.ts --port 58080 [--seed N] [--size N] [--churn] [--fault NAME]...
 *        [--liberal] [--call-lifetime MS] [--start-delay MS] [--restart-delay MS] [--latency MIN-MAX] [--host H]
 *        [--user U --password P]
 *
 * --liberal takes every freedom of LIVE-API.md §5 the other way from the default (see latitude.ts);
 * --call-lifetime MS makes the calls of actions end by themselves after MS (default 2500 with --liberal);
 * --latency MIN-MAX holds each request a seeded random time in that range, as a server on a network does.
 *
 * Prints the base URL on stdout (at once, also with --start-delay) and its pid on stderr. SIGTERM / SIGINT stop
 * it; SIGHUP restarts it (new UUIDs), so that a checker can be given `--restart-cmd "kill -HUP <pid>"` (the pid of
 * this node process, not of an npm / tsx wrapper).
 */
import { parseArgs } from 'node:util';
import { FAULTS } from './faults.js';
import { parseLatencyRange, startReferenceServer } from './index.js';

const usage = `usage: reference-server --port N [--seed N] [--size N] [--churn] [--fault NAME]... [--liberal]
                        [--call-lifetime MS] [--start-delay MS] [--restart-delay MS] [--latency MIN-MAX] [--host H]
                        [--user U --password P] [--list-faults]

  --liberal           take every freedom of LIVE-API.md §5 the other way from the default server (any order,
                      extra properties, bare application/json, 403 without a challenge, bare errors, no Allow,
                      originate typed otherwise, 412 for unranged values, calls that end, ...); see latitude.ts
  --call-lifetime MS  calls made by actions end by themselves after MS (default 2500 with --liberal, else never)
  --latency MIN-MAX   hold each request a seeded random MIN to MAX ms (e.g. 20-60)`;

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, not "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      size: { type: 'string' },
      churn: { type: 'boolean' },
      liberal: { type: 'boolean' },
      'call-lifetime': { type: 'string' },
      fault: { type: 'string', multiple: true },
      'start-delay': { type: 'string' },
      'restart-delay': { type: 'string' },
      latency: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'list-faults': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (values['list-faults']) {
    for (const f of FAULTS) console.log(`${f.name}\t${f.rule}\t${f.description}`);
    return;
  }
  const server = await startReferenceServer({
    port: integer(values.port, 'port') ?? 0,
    host: values.host,
    seed: integer(values.seed, 'seed'),
    size: integer(values.size, 'size'),
    churn: values.churn ?? false,
    liberal: values.liberal ?? false,
    callLifetimeMs: integer(values['call-lifetime'], 'call-lifetime'),
    faults: values.fault ?? [],
    startDelayMs: integer(values['start-delay'], 'start-delay'),
    restartDelayMs: integer(values['restart-delay'], 'restart-delay'),
    latencyMs: values.latency === undefined ? undefined : parseLatencyRange(values.latency, '--latency'),
    user: values.user,
    password: values.password,
  });
  console.log(server.baseUrl);
  if (values.liberal) console.error('liberal: every freedom of LIVE-API.md §5 taken the other way');
  console.error(`reference server pid ${process.pid} (SIGHUP restarts it, SIGTERM stops it)`);

  const shutdown = () => {
    server.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('SIGHUP', () => {
    server.restart().then(
      ({ downMs }) => console.error(`restarted (down ${downMs} ms)`),
      (error) => console.error('restart failed:', error),
    );
  });
  // Keep the process alive while the server is in its start delay (nothing else holds the event loop then).
  const keepAlive = setInterval(() => {}, 1 << 30);
  await server.ready;
  clearInterval(keepAlive);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(2);
});
