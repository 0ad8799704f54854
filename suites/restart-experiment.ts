/**
 * The restart experiment that RESTART-NEW-UUIDS, RESTART-OLD-404 and RESTART-NAMES judge: a snapshot of every
 * instance of every collection (ids, names, the other identity properties), a restart of the target, and the
 * same snapshot after it. It runs once per run, whichever of the three rules asks first, and forgets the
 * discovery afterwards: every UUID known before the restart is stale.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { CollectionNode, InstanceNode, InstanceRef, ResourceModel } from '../contracts/resource-model.js';
import { buildPath } from '../contracts/resource-model.js';
import type { CheckContext, CheckEnvironment } from './check.js';
import { canonicalJson } from './compare.js';
import { TargetUnavailableError } from './discovery.js';
import type { FindingInput } from './finding.js';
import { ScopedState } from './run-scope.js';
import { describeRestart, NO_RESTART_REASON, restartTarget, type RestartDone, type RestartOutcome } from './restart-target.js';
import type { Exchange, TargetClient } from './target-client.js';

/** One instance as one collection listed it. */
export interface SnapshotItem {
  id: string;
  /** Its symbolic name, where its resource has one. */
  name?: string;
  /** Its identity properties other than `id` (the name, `configurationId`), as listed. */
  identity: Record<string, unknown>;
  /** Its path refs: the parents', then its own. */
  refs: InstanceRef[];
  /**
   * One key per level of its path that survives a restart: the level's identity properties other than `id`.
   * Undefined at a level whose resource has none (an agent, a call segment): it cannot be matched across a restart.
   */
  keys: (string | undefined)[];
}

/** One collection read under one parent. */
export interface SnapshotListing {
  node: CollectionNode;
  parentRefs: InstanceRef[];
  /** The collection under the same parents after a restart has the same key; undefined when a parent has no key. */
  key?: string;
  /** The UUID-form path that was read. */
  path: string;
  exchange: Exchange;
  /** Whether it answered 200 with a JSON array. */
  ok: boolean;
  items: SnapshotItem[];
}

/** Every collection of the target, read under every parent. */
export interface TargetSnapshot {
  listings: SnapshotListing[];
  /** True when a bound kept the walk from reading some collection under every one of its parents. */
  truncated: boolean;
  durationMs: number;
  /** Finds an instance of `node` by the keys of its levels: its counterpart in another snapshot. */
  findByKeys(node: InstanceNode, keys: (string | undefined)[]): SnapshotItem | undefined;
  /** Finds a listing by its key. */
  listingByKey(key: string): SnapshotListing | undefined;
}

/** Options of {@link snapshotTarget}. */
export interface SnapshotOptions {
  /** Limit the top-level collection to the instance with this name (--core-server). */
  coreServer?: string;
  /** At most this many collection reads (but one of each collection, whatever the bound). Default 5000. */
  maxListings?: number;
  /**
   * Each nested collection is read under at most this many of its parents (evenly spread over them in the order
   * of their keys, so every kind of parent stays represented). Default 400, as discovery's, which reads every
   * collection under every parent on any ordinary server and spares a very large one thousands of reads.
   */
  maxParentsPerCollection?: number;
}

/** The key of one level that survives a restart: identity properties other than `id`, or undefined if none. */
function stableKey(node: CollectionNode, item: Record<string, unknown>): string | undefined {
  const properties = node.resource.identityProperties.filter((property) => property !== 'id');
  if (properties.length === 0) return undefined;
  return canonicalJson(Object.fromEntries(properties.map((property) => [property, item[property] ?? null])));
}

function joinKeys(template: string, keys: (string | undefined)[]): string | undefined {
  return keys.every((key) => key !== undefined) ? `${template}|${keys.join('|')}` : undefined;
}

/**
 * `count` of `parents` at even steps through them in the order of their keys, which survive a restart: the
 * snapshots before and after it choose the same parents, so their listings still pair up.
 */
function spreadByKeys<T extends { refs: InstanceRef[]; keys: (string | undefined)[] }>(parents: T[], count: number): T[] {
  const sortKey = (parent: T) => `${parent.keys.map((key) => key ?? '').join('|')}|${parent.refs.map((ref) => ref.id).join('|')}`;
  const ordered = parents.map((parent) => ({ parent, key: sortKey(parent) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return Array.from({ length: count }, (_, step) => ordered[Math.floor((step * ordered.length) / count)].parent);
}

/** Reads every collection under every parent (a full walk, bounded by `maxListings` and `maxParentsPerCollection`). */
export async function snapshotTarget(client: TargetClient, model: ResourceModel, options: SnapshotOptions = {}): Promise<TargetSnapshot> {
  const started = performance.now();
  const maxListings = options.maxListings ?? 5000;
  const maxParents = options.maxParentsPerCollection ?? 400;
  const listings: SnapshotListing[] = [];
  const itemsByNode = new Map<InstanceNode, SnapshotItem[]>();
  let truncated = false;
  // Parents come before their children: by depth, as discovery does. The collections of one depth are read together.
  const collections = [...model.collections].sort((a, b) => a.segments.length - b.segments.length);
  let planned = 0;
  for (const depth of [...new Set(collections.map((collection) => collection.segments.length))]) {
    const level = collections.flatMap((collection, position) => {
      if (collection.segments.length !== depth) return [];
      const parents: { refs: InstanceRef[]; keys: (string | undefined)[] }[] = collection.parent ? (itemsByNode.get(collection.parent) ?? []) : [{ refs: [], keys: [] }];
      // Each collection gets an equal share of what is left of the bound (and passes on what it does not use), so
      // a bound met on a very large server still lists every collection, under some parents each.
      const room = Math.min(maxParents, Math.max(1, Math.floor((maxListings - planned) / (collections.length - position))));
      if (parents.length > room) truncated = true;
      const read = parents.length > room ? spreadByKeys(parents, room) : parents;
      planned += read.length;
      return [{ collection, read }];
    });
    // Sent together: the client bounds how many are in flight (--concurrency).
    const answers = await Promise.all(level.map(({ collection, read }) => Promise.all(read.map((parent) => client.get(buildPath(collection, parent.refs))))));
    for (const [position, { collection, read }] of level.entries()) {
      for (const [index, parent] of read.entries()) {
        const listing = snapshotListing(collection, parent, answers[position][index], options);
        listings.push(listing);
        if (collection.item) {
          const known = itemsByNode.get(collection.item) ?? [];
          known.push(...listing.items);
          itemsByNode.set(collection.item, known);
        }
      }
    }
  }
  return snapshotOf(listings, itemsByNode, truncated, started);
}

/** One collection's listing under one parent, as the snapshot keeps it: its items, and the read as text. */
function snapshotListing(collection: CollectionNode, parent: { refs: InstanceRef[]; keys: (string | undefined)[] }, exchange: Exchange, options: SnapshotOptions): SnapshotListing {
  if (exchange.status === 0) throw new TargetUnavailableError(exchange);
  const ok = exchange.status === 200 && Array.isArray(exchange.json);
  let rows = ok
    ? (exchange.json as unknown[]).filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object' && typeof (row as { id?: unknown }).id === 'string')
    : [];
  const nameProperty = collection.resource.nameProperty;
  if (!collection.parent && options.coreServer !== undefined && nameProperty) rows = rows.filter((row) => row[nameProperty] === options.coreServer);
  const items = rows.map((row): SnapshotItem => {
    const ref: InstanceRef = { id: row.id as string };
    if (nameProperty && typeof row[nameProperty] === 'string') ref.name = row[nameProperty] as string;
    const identity = Object.fromEntries(collection.resource.identityProperties.filter((property) => property !== 'id').map((property) => [property, row[property]]));
    const item: SnapshotItem = { id: ref.id, identity, refs: [...parent.refs, ref], keys: [...parent.keys, stableKey(collection, row)] };
    if (ref.name !== undefined) item.name = ref.name;
    return item;
  });
  // The items are taken: the body is kept as text only (a parsed list of a large server takes several times more).
  if (exchange.json !== undefined && !exchange.truncated) exchange.json = undefined;
  return { node: collection, parentRefs: parent.refs, key: joinKeys(collection.template, parent.keys), path: exchange.path, exchange, ok, items };
}

/** The snapshot of the listings read: with its look-ups by stable keys. */
function snapshotOf(listings: SnapshotListing[], itemsByNode: Map<InstanceNode, SnapshotItem[]>, truncated: boolean, started: number): TargetSnapshot {
  const byKeys = new Map<string, SnapshotItem>();
  for (const [node, items] of itemsByNode) {
    for (const item of items) {
      const key = joinKeys(node.template, item.keys);
      if (key !== undefined && !byKeys.has(key)) byKeys.set(key, item);
    }
  }
  const byListingKey = new Map(listings.filter((listing) => listing.key !== undefined).map((listing) => [listing.key!, listing]));
  return {
    listings,
    truncated,
    durationMs: Math.round(performance.now() - started),
    findByKeys: (node, keys) => {
      const key = joinKeys(node.template, keys);
      return key === undefined ? undefined : byKeys.get(key);
    },
    listingByKey: (key) => byListingKey.get(key),
  };
}

/** The body of a read as JSON: a snapshot's reads keep their bodies as text only. Undefined when it is not JSON. */
export function bodyJson(exchange: Exchange): unknown {
  if (exchange.json !== undefined || exchange.bodyText === '') return exchange.json;
  try {
    return JSON.parse(exchange.bodyText);
  } catch {
    return undefined;
  }
}

/** The refs of the counterparts of an item's parents in `after`; undefined when a parent has no counterpart there. */
export function counterpartParentRefs(after: TargetSnapshot, listing: SnapshotListing, item: SnapshotItem): InstanceRef[] | undefined {
  if (!listing.node.parent) return [];
  return after.findByKeys(listing.node.parent, item.keys.slice(0, -1))?.refs;
}

/** The experiment: the target before, the restart, and the target after (when the restart worked). */
export interface RestartExperiment {
  before: TargetSnapshot;
  restart: RestartOutcome;
  after?: TargetSnapshot;
}

// One experiment per run, kept in the run scope: every check's context carries the run's scope, whatever copy of
// the environment it is and whatever client it was given.
const experimentOfRun = new ScopedState<{ experiment?: Promise<RestartExperiment> }>('restart experiment', () => ({}));

async function runExperiment(environment: CheckEnvironment): Promise<RestartExperiment> {
  const options = { coreServer: environment.settings.coreServer };
  const before = await snapshotTarget(environment.client, environment.model, options);
  let restart: RestartOutcome;
  try {
    restart = await restartTarget(environment.client, environment.settings.restart!);
  } finally {
    // Whatever happened, the discovery made before may now name UUIDs that no longer exist.
    environment.invalidateDiscovery();
  }
  if (!restart.ok) return { before, restart };
  const deadline = performance.now() + environment.settings.restart!.readyTimeoutS * 1000;
  return { before, restart, after: await snapshotWhenWarm(environment, before, options, deadline) };
}

/** Pause between two snapshots of a target that is still warming up, ms. */
const WARM_UP_INTERVAL_MS = 1000;

/**
 * Whether the snapshot after the restart met a target still starting: a collection that answers 5xx (e.g. 503)
 * and answered 200 before the restart. (One that answered 5xx before too is how the target is, not a start.)
 */
function stillStarting(before: TargetSnapshot, after: TargetSnapshot): boolean {
  return after.listings.some((listing) => listing.exchange.status >= 500 && listing.key !== undefined && before.listingByKey(listing.key)?.ok === true);
}

/**
 * The snapshot after the restart. A target that answers its root collection again may still be starting behind
 * it (503 elsewhere): that is no fault, so the snapshot is taken again until it is whole or the ready timeout
 * runs out; then the last one stands, and the rules judge what it shows.
 */
async function snapshotWhenWarm(environment: CheckEnvironment, before: TargetSnapshot, options: SnapshotOptions, deadline: number): Promise<TargetSnapshot> {
  for (;;) {
    const snapshot = await snapshotTarget(environment.client, environment.model, options);
    if (!stillStarting(before, snapshot) || performance.now() + WARM_UP_INTERVAL_MS > deadline) return snapshot;
    await delay(WARM_UP_INTERVAL_MS);
  }
}

/** The run's restart experiment, done on the first call and shared by the later ones. */
export function restartExperiment(environment: CheckEnvironment): Promise<RestartExperiment> {
  const kept = environment.scope.state(experimentOfRun);
  kept.experiment ??= runExperiment(environment);
  return kept.experiment;
}

/** What a restart rule judges: both snapshots of a restart that worked. */
export interface RestartedTarget {
  before: TargetSnapshot;
  after: TargetSnapshot;
  restart: RestartDone;
}

/**
 * The experiment for a restart rule: `skip` without a restart mechanism, `error` when the restart failed or the
 * target did not come back; notes how long the restart took.
 */
export async function requireRestartedTarget(context: CheckContext): Promise<RestartedTarget> {
  if (!context.settings.restart || (context.settings.restart.command === undefined && context.settings.restart.controlUrl === undefined)) {
    context.notApplicable(NO_RESTART_REASON);
  }
  const experiment = await restartExperiment(context);
  if (!experiment.restart.ok || !experiment.after) context.undecided(experiment.restart.ok ? 'the target was not read after the restart' : experiment.restart.reason);
  context.note(describeRestart(experiment.restart));
  const { before, after } = experiment;
  const count = (snapshot: TargetSnapshot) => snapshot.listings.reduce((sum, listing) => sum + listing.items.length, 0);
  context.note(
    `snapshots: ${before.listings.length} collections / ${count(before)} items before (${before.durationMs} ms), ${after.listings.length} / ${count(after)} after (${after.durationMs} ms)` +
      (before.truncated || after.truncated ? '; the walk met its bound: some collections were read under a part of their parents' : ''),
  );
  return { before, after, restart: experiment.restart };
}

/**
 * Gathers the breaches of one rule by kind (e.g. per instance path), so that a server that breaks the rule for
 * hundreds of instances gives one finding per kind, with a few examples, not hundreds.
 */
export class FindingGroups {
  private readonly groups = new Map<string, { finding: (count: number, examples: string[]) => Omit<FindingInput, 'exchanges'>; examples: string[]; exchanges: Exchange[]; count: number }>();

  constructor(
    private readonly maxExamples = 5,
    private readonly maxExchanges = 6,
  ) {}

  /** Adds one breach to the group `kind`; `finding` builds the group's finding from its count and examples. */
  add(kind: string, example: string, exchanges: Exchange[], finding: (count: number, examples: string[]) => Omit<FindingInput, 'exchanges'>): void {
    const group = this.groups.get(kind) ?? { finding, examples: [], exchanges: [], count: 0 };
    group.count += 1;
    if (group.examples.length < this.maxExamples) group.examples.push(example);
    for (const exchange of exchanges) if (group.exchanges.length < this.maxExchanges && !group.exchanges.includes(exchange)) group.exchanges.push(exchange);
    this.groups.set(kind, group);
  }

  /** Reports one finding per group. */
  reportTo(context: CheckContext): void {
    for (const group of this.groups.values()) context.report({ ...group.finding(group.count, group.examples), exchanges: group.exchanges });
  }
}
