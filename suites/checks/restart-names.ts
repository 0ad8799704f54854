import { setTimeout as delay } from 'node:timers/promises';
import { buildPath, type AddressingForm, type InstanceNode } from '../../contracts/resource-model.js';
import { boundEnumeration, describeEnumeration } from '../enumeration-bound.js';
import { requireAnswer, type CheckContext, type ConformanceCheck } from '../check.js';
import { canonicalJson, describeDifferences } from '../compare.js';
import { describeOutcome } from '../finding.js';
import { inOrder } from '../in-order.js';
import { bodyJson, FindingGroups, requireRestartedTarget, type SnapshotItem, type SnapshotListing, type TargetSnapshot } from '../restart-experiment.js';
import type { Exchange } from '../target-client.js';

/** A restarted server may still be loading its state: collections whose names differ are read again, this often. */
const SETTLE_ROUNDS = 3;
const SETTLE_INTERVAL_MS = 500;

function namesOf(listing: SnapshotListing): Set<string> {
  return new Set(listing.items.flatMap((item) => (item.name !== undefined ? [item.name] : [])));
}

/** The names a collection lists, those that `keep` accepts; undefined when it did not answer 200 with a list. */
function listedNames(exchange: Exchange, nameProperty: string, keep: (name: string) => boolean): Set<string> | undefined {
  const body = bodyJson(exchange);
  if (exchange.status !== 200 || !Array.isArray(body)) return undefined;
  return new Set(
    (body as Record<string, unknown>[]).flatMap((row) => (typeof row?.[nameProperty] === 'string' && keep(row[nameProperty] as string) ? [row[nameProperty] as string] : [])),
  );
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((name) => b.has(name));
}

/** One collection of named instances, before and after the restart. */
interface NamedPair {
  old: SnapshotListing;
  current: SnapshotListing;
  nameProperty: string;
  oldNames: Set<string>;
  keep: (name: string) => boolean;
  /** The latest read after the restart, and the names it lists. */
  exchange: Exchange;
  names?: Set<string>;
}

function settled(pair: NamedPair): boolean {
  return pair.names !== undefined && sameSet(pair.names, pair.oldNames);
}

/** Reads the collections whose names still differ again, a few rounds apart, all in one round each. */
async function settleNames(context: CheckContext, pairs: NamedPair[]): Promise<void> {
  for (let round = 0; round < SETTLE_ROUNDS && pairs.some((pair) => !settled(pair)); round += 1) {
    await delay(SETTLE_INTERVAL_MS);
    for (const pair of pairs.filter((candidate) => !settled(candidate))) {
      pair.exchange = requireAnswer(await context.client.get(pair.current.path));
      pair.names = listedNames(pair.exchange, pair.nameProperty, pair.keep);
    }
  }
}

const list = (names: string[]) => names.map((name) => JSON.stringify(name)).join(', ');

/**
 * RESTART-NAMES: a restart with unchanged configuration keeps the set of symbolic names of every collection, and
 * each name still reaches (by getByName, under the new parents) the object with the same configurationId.
 */
export const restartNamesCheck: ConformanceCheck = {
  ruleId: 'RESTART-NAMES',
  async run(context) {
    const { before, after } = await requireRestartedTarget(context);
    const named = before.listings.filter((listing) => listing.ok && listing.node.resource.nameProperty !== undefined && listing.key !== undefined);
    if (!named.some((listing) => listing.items.length > 0)) context.notApplicable('no collection of named instances listed any instance before the restart');
    const pairs = namedPairs(context, named, after);
    await settleNames(context, pairs);
    const groups = new FindingGroups();
    const readable = pairs.filter((pair): pair is NamedPair & { names: Set<string> } => compareNames(pair, groups));
    // Every name is compared in the listings; the reads by name are bounded per instance path, as ADDR-NAME's are,
    // so that a very large server does not cost a read per instance.
    const reads = boundEnumeration(readable.flatMap(nameReads));
    await reachByName(context, reads.chosen, groups);
    groups.reportTo(context);
    context.note(`${pairs.length} collection(s) of named instances compared; ${describeEnumeration(reads, 'name(s)')} read by getByName after the restart`);
  },
};

/** Each collection of named instances listed before the restart, with the same collection after it and the names it lists. */
function namedPairs(context: CheckContext, named: SnapshotListing[], after: TargetSnapshot): NamedPair[] {
  const coreServer = context.settings.coreServer;
  const pairs: NamedPair[] = [];
  for (const old of named) {
    const current = after.listingByKey(old.key!);
    // No such collection after the restart: one of its parents is gone, which the parent's collection shows.
    if (!current) continue;
    const nameProperty = old.node.resource.nameProperty!;
    // With --core-server, the top-level collection is compared on that core server only, as it was snapshot.
    const keep = (name: string) => old.node.parent !== undefined || coreServer === undefined || name === coreServer;
    pairs.push({ old, current, nameProperty, oldNames: namesOf(old), keep, exchange: current.exchange, names: listedNames(current.exchange, nameProperty, keep) });
  }
  return pairs;
}

/** Groups a finding when the collection is unreadable or its names changed; false when it is unreadable (nothing to reach). */
function compareNames(pair: NamedPair, groups: FindingGroups): pair is NamedPair & { names: Set<string> } {
  const { old, current, nameProperty, oldNames, exchange: latest, names } = pair;
  const template = old.node.template;
  if (!names) {
    groups.add(`${template} unreadable`, `GET ${current.path} → ${describeOutcome(latest)}`, [old.exchange, latest], (count, examples) => ({
      message: `${count} collection(s) of named instances at ${template} no longer answer 200 with a list after the restart.`,
      expected: '200 with the names listed before the restart',
      actual: examples.join('; '),
    }));
    return false;
  }
  const lost = [...oldNames].filter((name) => !names.has(name)).sort();
  const gained = [...names].filter((name) => !oldNames.has(name)).sort();
  if (lost.length > 0 || gained.length > 0) {
    const what = [lost.length > 0 ? `lost ${list(lost)}` : '', gained.length > 0 ? `gained ${list(gained)}` : ''].filter(Boolean).join(', ');
    groups.add(`${template} names`, `${current.path}: ${what}`, [old.exchange, latest], (count, examples) => ({
      message: `The restart changed the set of ${nameProperty} values in ${count} collection(s) at ${template}.`,
      expected: 'the same names as before the restart',
      actual: examples.join('; ') + (count > examples.length ? `; and ${count - examples.length} more` : ''),
    }));
  }
  return true;
}

/** One read by name after the restart: the instance as listed before it, and its path under the new parents. */
interface NameRead {
  /** The instance path read (what the enumeration bound counts by). */
  node: InstanceNode;
  template: string;
  old: SnapshotListing;
  item: SnapshotItem;
  path: string;
}

/** The reads by name of every instance of `pair` named before the restart whose name is still listed. */
function nameReads(pair: NamedPair & { names: Set<string> }): NameRead[] {
  const { old, current, names } = pair;
  const node = old.node.item;
  if (!node) return [];
  const forms: AddressingForm[] = [...current.parentRefs.map((): AddressingForm => 'uuid'), 'name'];
  return old.items
    .filter((item) => item.name !== undefined && names.has(item.name))
    .map((item) => ({ node, template: old.node.template, old, item, path: buildPath(node, [...current.parentRefs, { id: '', name: item.name! }], forms) }));
}

/**
 * Makes the reads by name, all at once (the client bounds what is in flight), and groups, in their order, those
 * that no longer reach the same object.
 */
async function reachByName(context: CheckContext, reads: NameRead[], groups: FindingGroups): Promise<void> {
  const exchanges = await inOrder(reads, context.client.maxConcurrentRequests, async (read) => requireAnswer(await context.client.get(read.path)));
  for (const [index, { template, old, item, path }] of reads.entries()) {
    const exchange = exchanges[index];
    const body = (exchange.json ?? {}) as Record<string, unknown>;
    const differing = Object.keys(item.identity).filter((property) => canonicalJson(body[property] ?? null) !== canonicalJson(item.identity[property] ?? null));
    if (exchange.status === 200 && differing.length === 0) continue;
    const actual = exchange.status === 200 ? describeDifferences(differing, item.identity, body) : describeOutcome(exchange);
    groups.add(`${template} reach`, `GET ${path} → ${actual}`, [old.exchange, exchange], (count, examples) => ({
      message: `${count} name(s) of ${template} no longer reach the object they named before the restart.`,
      expected: `200 with the same ${Object.keys(item.identity).join(', ')} as before the restart`,
      actual: examples.join('; ') + (count > examples.length ? `; and ${count - examples.length} more` : ''),
    }));
  }
}
