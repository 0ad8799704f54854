/**
 * How the work of a run is split: which rules may run at once within one run (--concurrency), and which rules
 * each of n CI machines runs (--shard i/n).
 *
 * The unit of both is the rule, not the suite file: there are only four files, of very unequal cost, and the
 * restart file must run alone anyway. A rule whose check sends only GETs with valid credentials cannot disturb
 * another rule, so such rules may run concurrently and may be spread over shards one by one. Every other rule
 * (it posts actions, restarts the target, or sends other methods or wrong credentials) may change what other
 * rules see; those rules stay together in one unit, in shard 1, run one after another in family order. Then
 * shards that run at the same time against one shared target see writes from one shard only, as a live server's
 * own churn, which the read-only rules are built to tolerate; only a restart (shard 1, last) takes the shared
 * target away from the others for a while. A rule not listed here counts as one that may change state.
 */
import { ruleCatalogue } from '../reporters/vocabulary/rules.js';

/** Rules whose checks send only GETs with valid credentials, and so cannot disturb other rules. */
export const readOnlyRules: ReadonlySet<string> = new Set([
  'ADDR-UUID',
  'ADDR-NAME',
  'ADDR-MIXED',
  'ADDR-LIST',
  'ADDR-UNKNOWN',
  'ADDR-ENCODING',
  'ID-FORMAT',
  'ID-UNIQUE',
  'NAME-UNIQUE',
  'SCHEMA-RESPONSE',
  'HTTP-CONTENT-TYPE',
  'HTTP-SAFE-GET',
]);

/**
 * Rules that change state in one part of their check only, inside `CheckContext.inWriterTurn`, and otherwise send
 * only GETs with valid credentials: within one run they run beside the others, taking their turn for that part
 * (ADDR-PARENT's actions under a foreign parent). For shards they count as rules that may change state.
 */
export const partWriterRules: ReadonlySet<string> = new Set(['ADDR-PARENT']);

/**
 * Rules that may change state but take one turn together within one run (for shards they count as rules that may
 * change state, like any other). Each group is safe to run at once for its own reason:
 * - the rules of the run's one restart experiment (restart-experiment.ts: whichever asks first makes it, the others
 *   wait for it), which otherwise send only GETs with valid credentials;
 * - the rules that judge only the status of their own requests, never the state, and send requests that change
 *   nothing on a conformant server (wrong methods, no credentials, actions on unknown instances): one of them
 *   cannot be misled by what another's request did on a faulty server.
 */
export const sharedTurns: readonly ReadonlySet<string>[] = [
  new Set(['RESTART-NEW-UUIDS', 'RESTART-OLD-404', 'RESTART-NAMES']),
  new Set(['HTTP-METHOD', 'HTTP-NO-500', 'AUTH-REQUIRED']),
];

/** One machine's part of a sharded run: shard `index` of `count`, 1-based. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n); throws a RangeError that says what is wrong. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new RangeError(`--shard takes i/n, e.g. 2/3, not "${text}".`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) throw new RangeError(`--shard ${text}: i must be between 1 and n (n ≥ 1).`);
  return { index, count };
}

/** `i/n`. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * The shard (1-based) that runs `ruleId` in a run split `count` ways. Unit 0 is every rule that may change state
 * (shard 1); the read-only rules follow one unit each, in RULES.md order, dealt round-robin from shard 2 on, so
 * that shard 1, which has the writes and the restart, gets the fewest read-only rules.
 */
export function shardOfRule(ruleId: string, count: number): number {
  if (!readOnlyRules.has(ruleId) || count === 1) return 1;
  const readOnlyOrder = ruleCatalogue.filter((rule) => readOnlyRules.has(rule.id)).map((rule) => rule.id);
  const unit = readOnlyOrder.indexOf(ruleId) + 1;
  return (unit % count) + 1;
}

/** Whether `ruleId` is run by `shard` (always, without one). */
export function inShard(ruleId: string, shard: Shard | undefined): boolean {
  return shard === undefined || shardOfRule(ruleId, shard.count) === shard.index;
}
