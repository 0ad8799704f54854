/**
 * Hostile targets: every kind of broken server a checker meets in CI, each turned into a finding or an `error`
 * verdict and a written report, in bounded time, without a crash, with bounded memory, and without a request to
 * any origin but the target's. One table row per behaviour; each row is a whole run (runConformance, as the CLI
 * runs it) against a loopback front that spoils some requests of a correct reference server.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCheckEnvironment, runCheck, type ConformanceCheck } from '../suites/check.js';
import { ruleTimeoutGraceMs } from '../suites/interruptible.js';
import type { Verdict } from '../reporters/vocabulary/rule-result.js';
import { defaultContractPath, loadContract } from '../contracts/load-contract.js';
import type { RuleFamily } from '../reporters/vocabulary/rules.js';
import { checks } from '../suites/checks/index.js';
import { runConformance, type ConformanceRunResult } from '../suites/runner/run-conformance.js';
import { keptNonJsonBytes, TargetClient, type Exchange } from '../suites/target-client.js';
import { canMeasureProcessMemory, watchTreeMemory } from './bench/process-memory.js';
import { startDecoy, startDownSwitch, startHostileTarget, type HostileBehaviour, type HostileScope, type RunningDecoy } from './hostile-targets/hostile-server.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';
import { reportSchemaErrors } from './support/report-schema.js';

/** Per-request timeout of the rows, s: short, so that a row whose every rule meets a hang still ends soon. */
const REQUEST_TIMEOUT_S = 1;
/**
 * What a whole run may cost with nothing hostile, s: vitest's start and every rule at 5 runs a property take
 * 10-20 s on 2 idle cores; the rest is room for a machine busy with other tests.
 */
const RUN_ALLOWANCE_S = 90;
const MiB = 1024 * 1024;

/** A path that ends in a UUID: an instance read in its UUID form (the spoiled answers of the body rows). */
const instanceByUuid = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a row expects of a rule: its verdict, and a pattern that its reason or its first finding matches. */
interface RuleExpectation {
  verdict: Verdict;
  says: RegExp;
}

interface HostileRow {
  name: string;
  /** The server's behaviour; `decoys` are the far ends a redirect may point at. */
  behaviour: (decoys: { otherPort: RunningDecoy; otherHost: RunningDecoy }) => HostileBehaviour;
  scope?: HostileScope;
  /** Give the run a restart command that takes the target down for good. */
  restartNeverComesBack?: boolean;
  /** The run's request timeout, when the row is about something else than time (default REQUEST_TIMEOUT_S). */
  requestTimeoutS?: number;
  exitCode: 0 | 1 | 2 | 3;
  /** For exit codes 2 and 3: what the run says. */
  message?: RegExp;
  /** Rules with a fixed expectation. */
  rules?: Record<string, RuleExpectation>;
  /** Every rule that ran (was not skipped for want of configuration) has this verdict and says this. */
  everyRule?: RuleExpectation;
  /** Every rule of this family (they run after the addressing and HTTP families) has this verdict and says this. */
  familyRules?: RuleExpectation & { family: RuleFamily };
  /** A broken wire is no finding: no rule may `fail` (only `error`). */
  noFail?: boolean;
  /** The run ends by itself within this many seconds. */
  timeBoundS: number;
}

const hostileRows: HostileRow[] = [
  {
    name: 'accepts and never answers',
    behaviour: () => ({ kind: 'never-answer' }),
    exitCode: 3,
    message: /Cannot reach the target .*timeout after 1000 ms/,
    timeBoundS: REQUEST_TIMEOUT_S + 15,
  },
  {
    name: 'resets every connection',
    behaviour: () => ({ kind: 'reset' }),
    exitCode: 3,
    message: /Cannot reach the target .*ECONNRESET/,
    timeBoundS: 15,
  },
  {
    name: 'answers 401 forever (the credentials are refused: a usage problem)',
    behaviour: () => ({ kind: 'unauthorized' }),
    exitCode: 2,
    message: /refused the credentials given \(GET \/coreServers answered 401\)/,
    timeBoundS: 15,
  },
  {
    name: 'answers the probe, then never again',
    behaviour: () => ({ kind: 'never-answer' }),
    scope: { fromRequest: 2 },
    exitCode: 1,
    // Each rule that needs the target waits one request timeout, then errs.
    everyRule: { verdict: 'error', says: /timeout after 1000 ms|interrupted/ },
    noFail: true,
    timeBoundS: RUN_ALLOWANCE_S + checks.length * (REQUEST_TIMEOUT_S + 1),
  },
  {
    name: 'drips a byte a second, from the 150th request on',
    behaviour: () => ({ kind: 'drip' }),
    scope: { fromRequest: 150 },
    exitCode: 1,
    // By then the addressing family is under way; the actions family, which runs later, meets the drip throughout.
    familyRules: { family: 'actions', verdict: 'error', says: /timeout after 1000 ms/ },
    noFail: true,
    timeBoundS: RUN_ALLOWANCE_S + checks.length * (REQUEST_TIMEOUT_S + 1),
  },
  {
    name: 'dies in the middle of the run (port closed, connections cut)',
    behaviour: () => ({ kind: 'die' }),
    scope: { fromRequest: 150 },
    exitCode: 1,
    familyRules: { family: 'actions', verdict: 'error', says: /ECONNREFUSED|ECONNRESET/ },
    noFail: true,
    timeBoundS: RUN_ALLOWANCE_S,
  },
  {
    name: 'restarts and never comes back',
    behaviour: () => ({ kind: 'never-answer' }),
    scope: { pathPattern: /^$/ }, // nothing spoiled: the restart command takes it down
    restartNeverComesBack: true,
    exitCode: 1,
    rules: {
      // On a slow machine the restart command itself may outlast the ready timeout (and is killed): the same verdict.
      'RESTART-NEW-UUIDS': { verdict: 'error', says: /(did not answer GET \/coreServers with 200|the restart command did not return) within 3 s \(--ready-timeout\)/ },
      'RESTART-OLD-404': { verdict: 'error', says: /within 3 s/ },
      'RESTART-NAMES': { verdict: 'error', says: /within 3 s/ },
      'ADDR-UUID': { verdict: 'pass', says: /^$/ },
      'SCHEMA-RESPONSE': { verdict: 'pass', says: /^$/ },
    },
    noFail: true,
    timeBoundS: RUN_ALLOWANCE_S + 3 * 2,
  },
  {
    name: 'answers invalid JSON to instance reads',
    behaviour: () => ({ kind: 'invalid-json' }),
    scope: { pathPattern: instanceByUuid },
    exitCode: 1,
    rules: {
      'ADDR-UUID': { verdict: 'fail', says: /must answer 200 with that id/ },
      'SCHEMA-RESPONSE': { verdict: 'fail', says: /is not JSON/ },
      'HTTP-CONTENT-TYPE': { verdict: 'pass', says: /^$/ },
    },
    timeBoundS: RUN_ALLOWANCE_S,
  },
  {
    name: 'answers an empty body to instance reads',
    behaviour: () => ({ kind: 'empty-body' }),
    scope: { pathPattern: instanceByUuid },
    exitCode: 1,
    rules: {
      'ADDR-UUID': { verdict: 'fail', says: /must answer 200 with that id/ },
      'SCHEMA-RESPONSE': { verdict: 'fail', says: /is not JSON/ },
    },
    timeBoundS: RUN_ALLOWANCE_S,
  },
  {
    name: 'answers a 50 MB body to instance reads (read up to the 4 MiB cap)',
    behaviour: () => ({ kind: 'huge-body', bytes: 50 * 1000 * 1000 }),
    scope: { pathPattern: instanceByUuid },
    exitCode: 1,
    rules: {
      'ADDR-UUID': { verdict: 'fail', says: /must answer 200 with that id/ },
      'SCHEMA-RESPONSE': { verdict: 'fail', says: /is not JSON/ },
    },
    // Eight 4 MiB reads at once (the default in flight) take a busy machine longer than the second the other rows
    // allow; this row is about size, not time.
    requestTimeoutS: 10,
    timeBoundS: RUN_ALLOWANCE_S + 30,
  },
  {
    name: 'answers an HTML page to instance reads',
    behaviour: () => ({ kind: 'html' }),
    scope: { pathPattern: instanceByUuid },
    exitCode: 1,
    rules: {
      'ADDR-UUID': { verdict: 'fail', says: /must answer 200 with that id/ },
      'SCHEMA-RESPONSE': { verdict: 'fail', says: /is not JSON/ },
      'HTTP-CONTENT-TYPE': { verdict: 'fail', says: /not sent as application\/json/ },
    },
    timeBoundS: RUN_ALLOWANCE_S,
  },
  {
    name: 'answers the right JSON with the wrong content type',
    behaviour: () => ({ kind: 'wrong-content-type' }),
    scope: { pathPattern: instanceByUuid },
    exitCode: 1,
    rules: {
      'HTTP-CONTENT-TYPE': { verdict: 'fail', says: /not sent as application\/json/ },
      'ADDR-UUID': { verdict: 'pass', says: /^$/ },
      'SCHEMA-RESPONSE': { verdict: 'pass', says: /^$/ },
    },
    timeBoundS: RUN_ALLOWANCE_S,
  },
  {
    name: 'redirects instance reads to another port',
    behaviour: ({ otherPort }) => ({ kind: 'redirect', origin: otherPort.origin }),
    scope: { pathPattern: instanceByUuid },
    exitCode: 1,
    rules: { 'ADDR-UUID': { verdict: 'fail', says: /must answer 200 with that id/ } },
    timeBoundS: RUN_ALLOWANCE_S,
  },
  {
    name: 'redirects instance reads to another host',
    behaviour: ({ otherHost }) => ({ kind: 'redirect', origin: otherHost.origin }),
    scope: { pathPattern: instanceByUuid },
    exitCode: 1,
    rules: { 'ADDR-UUID': { verdict: 'fail', says: /must answer 200 with that id/ } },
    timeBoundS: RUN_ALLOWANCE_S,
  },
];

/** The reason of a rule, or its first finding's message and actual: what a user reads about it. */
function whatItSays(rule: { reason?: string; findings: { message: string; actual: string }[] }): string {
  return rule.reason ?? (rule.findings[0] ? `${rule.findings[0].message} ${rule.findings[0].actual}` : '');
}

/** Rules skipped because the run was not configured for them (no restart command): they did not run. */
function skippedForConfiguration(rule: { verdict: Verdict; reason?: string }): boolean {
  return rule.verdict === 'skip' && /no restart command/.test(rule.reason ?? '');
}

describe('hostile targets: the run ends by itself, every rule gets a verdict, the report is written', () => {
  let reference: RunningReferenceServer;
  let otherPort: RunningDecoy;
  let otherHost: RunningDecoy;

  beforeAll(async () => {
    reference = await startReferenceServer({ seed: 5 });
    otherPort = await startDecoy('127.0.0.1');
    otherHost = await startDecoy('127.0.0.2');
  });
  afterAll(async () => {
    await reference?.stop();
    await otherPort?.stop();
    await otherHost?.stop();
  });

  test.each(hostileRows)('$name: exit $exitCode within $timeBoundS s', async (row) => {
    const hostile = await startHostileTarget(reference.baseUrl, row.behaviour({ otherPort, otherHost }), row.scope);
    const downSwitch = row.restartNeverComesBack ? await startDownSwitch(hostile) : undefined;
    const reportDir = await mkdtemp(join(tmpdir(), 'isym-hostile-'));
    const memory = canMeasureProcessMemory() ? watchTreeMemory(process.pid) : undefined;
    const started = performance.now();
    let run: ConformanceRunResult;
    try {
      run = await runConformance({
        target: hostile.baseUrl,
        user: DEFAULT_USER,
        password: DEFAULT_PASSWORD,
        reportDir,
        seed: 42,
        numRuns: 5,
        requestTimeoutMs: (row.requestTimeoutS ?? REQUEST_TIMEOUT_S) * 1000,
        formats: ['json'],
        restart: downSwitch
          ? { command: `node -e "fetch('${downSwitch.url}', { method: 'POST' }).then((r) => process.exit(r.ok ? 0 : 1))"`, readyTimeoutS: 3 }
          : undefined,
      });
    } finally {
      await hostile.stop();
      await downSwitch?.stop();
    }
    const elapsedS = (performance.now() - started) / 1000;
    const tree = memory?.stop();

    expect(elapsedS, 'the run ends by itself within its bound').toBeLessThan(row.timeBoundS);
    expect(run.exitCode, run.message).toBe(row.exitCode);
    expect(otherPort.connections() + otherHost.connections(), 'no request leaves the target\'s origin').toBe(0);
    if (tree) {
      // The suites run in a vitest worker, a child of this process: its peak RSS stays far from a 50 MB body read whole.
      const workerPeak = Math.max(0, ...[...tree.processes].filter(([pid]) => pid !== process.pid).map(([, p]) => p.peakBytes));
      expect(workerPeak / MiB, 'peak RSS of the suites\' worker, MiB').toBeLessThan(400);
    }

    const report = run.report!;
    const reportFile = join(reportDir, 'conformance.json');
    expect(existsSync(reportFile), 'the report is written').toBe(true);
    expect(await reportSchemaErrors(reportFile)).toEqual([]);
    if (row.exitCode >= 2) {
      // The probe stopped the run: the report says so for every rule, and why.
      expect(run.message).toMatch(row.message!);
      expect(report.rules.map((rule) => rule.id).sort()).toEqual(checks.map((check) => check.ruleId).sort());
      for (const rule of report.rules) expect(`${rule.id} ${rule.verdict} ${rule.reason}`).toMatch(new RegExp(`error not run: .*${row.message!.source}`));
      await rm(reportDir, { recursive: true, force: true });
      return;
    }
    // Every rule still ran: each registered check has a verdict, and none crashed on what it was sent.
    expect(report.rules.map((rule) => rule.id).sort()).toEqual(checks.map((check) => check.ruleId).sort());
    const crashed = report.rules.filter((rule) => /raised an unexpected error/.test(rule.reason ?? ''));
    expect(crashed.map((rule) => `${rule.id}: ${rule.reason?.split('\n')[0]}`)).toEqual([]);
    const seen = (id: string) => {
      const rule = report.rules.find((candidate) => candidate.id === id)!;
      return { verdict: rule.verdict, says: whatItSays(rule) };
    };
    for (const [id, expected] of Object.entries(row.rules ?? {})) {
      const actual = seen(id);
      expect(actual.verdict, `${id}: ${actual.says}`).toBe(expected.verdict);
      expect(actual.says, id).toMatch(expected.says);
    }
    if (row.everyRule) {
      for (const rule of report.rules.filter((candidate) => !skippedForConfiguration(candidate))) {
        expect(rule.verdict, `${rule.id}: ${whatItSays(rule)}`).toBe(row.everyRule.verdict);
        expect(whatItSays(rule), rule.id).toMatch(row.everyRule.says);
      }
    }
    if (row.familyRules) {
      const family = report.rules.filter((rule) => rule.family === row.familyRules!.family);
      expect(family.length).toBeGreaterThan(0);
      for (const rule of family) {
        expect(rule.verdict, `${rule.id}: ${whatItSays(rule)}`).toBe(row.familyRules.verdict);
        expect(whatItSays(rule), rule.id).toMatch(row.familyRules.says);
      }
    }
    if (row.noFail) {
      expect(report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => `${rule.id}: ${whatItSays(rule)}`)).toEqual([]);
    }
    await rm(reportDir, { recursive: true, force: true });
  }, Math.max(...hostileRows.map((row) => row.timeBoundS)) * 1000 + 30_000);
});

describe('the target client against hostile answers', () => {
  let reference: RunningReferenceServer;
  beforeAll(async () => {
    reference = await startReferenceServer({ seed: 5 });
  });
  afterAll(async () => {
    await reference?.stop();
  });

  test('a 50 MB body is read up to the 4 MiB cap and not kept, and memory stays bounded over repeated reads', async () => {
    const hostile = await startHostileTarget(reference.baseUrl, { kind: 'huge-body', bytes: 50 * 1000 * 1000 }, { pathPattern: /^\/coreServers$/ });
    const client = new TargetClient({ baseUrl: hostile.baseUrl, user: DEFAULT_USER, password: DEFAULT_PASSWORD, requestTimeoutMs: 10_000 });
    try {
      const before = process.memoryUsage();
      for (let i = 0; i < 5; i += 1) {
        const exchange = await client.get('/coreServers');
        expect(exchange.status).toBe(200);
        expect(exchange.truncated).toBe(true);
        // Read up to the cap; of a body that is not JSON only the first 64 KiB are kept (rules quote, never read it whole).
        expect(exchange.bodyText.length).toBe(keptNonJsonBytes);
        expect(exchange.json).toBeUndefined();
      }
      const after = process.memoryUsage();
      // The client hangs up at the cap: the server writes little more (socket buffers) of its 50 MB, not all of it.
      expect(hostile.hugeBytesSent() / 5 / MiB).toBeLessThan(20);
      // Five reads of the whole body churn through ~150 MiB here; capped, through a third of that.
      expect((after.rss - before.rss) / MiB).toBeLessThan(100);
      expect(hostile.spoiled()).toBe(5);
    } finally {
      client.close();
      await hostile.stop();
    }
  });

  test('a redirect is answered, not followed, and a halted client stops a request under way at once', async () => {
    const decoy = await startDecoy('127.0.0.2');
    const hostile = await startHostileTarget(reference.baseUrl, { kind: 'redirect', origin: decoy.origin });
    const hanging = await startHostileTarget(reference.baseUrl, { kind: 'never-answer' });
    const client = new TargetClient({ baseUrl: hostile.baseUrl, user: DEFAULT_USER, password: DEFAULT_PASSWORD });
    const stuck = new TargetClient({ baseUrl: hanging.baseUrl, requestTimeoutMs: 60_000 }).scoped();
    try {
      const exchange = await client.get('/coreServers');
      expect(exchange.status).toBe(302);
      expect(exchange.headers.location).toBe(`${decoy.origin}/communication_manager/rest/live/coreServers`);
      expect(decoy.connections()).toBe(0);

      const started = performance.now();
      const pending = stuck.get('/coreServers');
      setTimeout(() => stuck.halt('halted by the test'), 100);
      const halted = await pending;
      expect(halted.status).toBe(0);
      expect(halted.transportError).toBe('halted by the test');
      expect(performance.now() - started).toBeLessThan(5_000);
      expect((await stuck.get('/coreServers')).transportError).toBe('halted by the test');
    } finally {
      client.close();
      await hostile.stop();
      await hanging.stop();
      await decoy.stop();
    }
  });

  test('a rule past --rule-timeout ends as error at once, its request under way stopped, and the run goes on', async () => {
    const hanging = await startHostileTarget(reference.baseUrl, { kind: 'never-answer' });
    const client = new TargetClient({ baseUrl: hanging.baseUrl, requestTimeoutMs: 120_000 });
    const environment = createCheckEnvironment(await loadContract(defaultContractPath), client, { seed: 1, numRuns: 1, ruleTimeoutMs: 500 });
    let last: Exchange | undefined;
    const stuckCheck: ConformanceCheck = {
      ruleId: 'ADDR-UUID',
      async run(context) {
        last = await context.client.get('/coreServers');
      },
    };
    try {
      const started = performance.now();
      const result = await runCheck(stuckCheck, environment);
      const elapsed = performance.now() - started;
      expect(result.verdict).toBe('error');
      expect(result.reason).toMatch(/did not finish within 0.5 s \(--rule-timeout\)/);
      // The bound, the grace for undoing (3 s), then the halt ends the request at once.
      expect(elapsed).toBeGreaterThanOrEqual(500);
      expect(elapsed).toBeLessThan(500 + ruleTimeoutGraceMs + 1500);
      expect(last?.transportError).toMatch(/ran out of time/);
      // The shared client was not halted: the next rule still sends.
      expect(client.haltedReason).toBeUndefined();
    } finally {
      await hanging.stop();
    }
  });

  test('with --concurrency N at most N requests are in flight at once', async () => {
    let inFlight = 0;
    let most = 0;
    const slow = await startHostileTarget(reference.baseUrl, { kind: 'never-answer' });
    const client = new TargetClient({ baseUrl: slow.baseUrl, requestTimeoutMs: 300, maxConcurrentRequests: 3 });
    const scopedA = client.scoped();
    const scopedB = client.scoped();
    let finished = 0;
    try {
      const watch = setInterval(() => {
        inFlight = slow.requests() - finished;
        most = Math.max(most, inFlight);
      }, 5);
      const requests = [...Array(9)].map((_, i) => (i % 2 ? scopedA : scopedB).get('/coreServers').then((e) => ((finished += 1), e)));
      const exchanges = await Promise.all(requests);
      clearInterval(watch);
      expect(exchanges.every((e) => e.transportError === 'timeout after 300 ms')).toBe(true);
      expect(most).toBeLessThanOrEqual(3);
      expect(most).toBeGreaterThanOrEqual(2);
      expect(client.requestCount).toBe(9);
      expect(scopedA.requestCount + scopedB.requestCount).toBe(9);
    } finally {
      client.close();
      await slow.stop();
    }
  });
});

