/**
 * Discovery of the live instances on the target: walks the resource model from the top-level collections down,
 * lists every collection under every one of its parents (up to a stated bound per collection, on a very large
 * server), and reads a sample of instances and sub-resources. Everything it finds is kept in the canonical order
 * (`canonical-order.ts`), so that a seed draws the same cases whatever order the target lists things in.
 */
import type { CollectionNode, InstanceNode, InstanceRef, PathNode, ResourceModel } from '../contracts/resource-model.js';
import { buildPath } from '../contracts/resource-model.js';
import { inCanonicalOrder } from './canonical-order.js';
import { inOrder } from './in-order.js';
import { sample, seededRandom } from './seeded-random.js';
import type { Exchange, TargetClient } from './target-client.js';

/** One instance found in a collection. */
export interface DiscoveredInstance {
  /** The instance path of the collection it was listed in. */
  node: InstanceNode;
  /** One ref per instance level of `node`: its parents, then itself. */
  refs: InstanceRef[];
  /** The item as the collection listed it. */
  listed: Record<string, unknown>;
  /** The UUID-form path of the collection that listed it. */
  collectionPath: string;
}

/** One read of a path during discovery (a collection, a sampled instance, or a sub-resource). */
export interface DiscoveryRead {
  node: PathNode;
  refs: InstanceRef[];
  exchange: Exchange;
}

/** A collection read under one parent: its ids and names, as they were then. */
export interface CollectionListing {
  node: CollectionNode;
  parentRefs: InstanceRef[];
  path: string;
  ids: string[];
  names: string[];
}

/** A read during discovery that did not give what the contract promises. */
export interface DiscoveryProblem {
  message: string;
  exchange: Exchange;
}

/** How many of a collection's parents discovery listed it under. */
export interface ListingReach {
  template: string;
  /** Parents it was listed under. */
  read: number;
  /** Parents discovery knew of. */
  of: number;
}

/** What discovery found. */
export interface Discovery {
  instances: DiscoveredInstance[];
  listings: CollectionListing[];
  reads: DiscoveryRead[];
  problems: DiscoveryProblem[];
  /** Per nested collection: how many parents it was listed under, of how many. */
  reach: ListingReach[];
  /** One line for a rule's notes: how much was read, and where the bound cut. */
  summary(): string;
  /** Discovered instances listed under `node`. */
  of(node: InstanceNode): DiscoveredInstance[];
}

/** Options of {@link discover}. */
export interface DiscoveryOptions {
  seed: number;
  /**
   * How many parents each nested collection is listed under, at most: a bound for very large servers (then a
   * seeded sample of the parents, in canonical order). Default 400, which lists every collection under every
   * parent on any ordinary server.
   */
  maxParentsPerCollection?: number;
  /** How many instances of each instance path are read (with their sub-resources). Default 3. */
  readsPerInstancePath?: number;
  /** Limit the top-level collection (core servers) to the instance with this name. */
  coreServer?: string;
}

/** Thrown when the target gives no answer at all during discovery. */
export class TargetUnavailableError extends Error {
  readonly exchange: Exchange;
  constructor(exchange: Exchange) {
    super(`The target gave no answer to GET ${exchange.path}: ${exchange.transportError ?? 'no response'}.`);
    this.name = 'TargetUnavailableError';
    this.exchange = exchange;
  }
}

function refOf(node: CollectionNode, item: Record<string, unknown>): InstanceRef {
  const ref: InstanceRef = { id: String(item.id) };
  const nameProperty = node.resource.nameProperty;
  if (nameProperty && typeof item[nameProperty] === 'string') ref.name = item[nameProperty] as string;
  return ref;
}

/** What discovery gathers as it walks, collection by collection. */
interface DiscoveryWalk {
  instances: DiscoveredInstance[];
  byNode: Map<InstanceNode, DiscoveredInstance[]>;
  listings: CollectionListing[];
  reads: DiscoveryRead[];
  problems: DiscoveryProblem[];
  reach: ListingReach[];
}

/** Walks the target. Throws {@link TargetUnavailableError} when it does not answer. */
export async function discover(client: TargetClient, model: ResourceModel, options: DiscoveryOptions): Promise<Discovery> {
  const random = seededRandom(options.seed);
  const maxParents = options.maxParentsPerCollection ?? 400;
  const walk: DiscoveryWalk = { instances: [], byNode: new Map(), listings: [], reads: [], problems: [], reach: [] };
  // Parents come before their children in the contract; sort by depth so that holds for any contract. The
  // collections of one depth do not depend on each other: their reads go out together (the client bounds how many
  // are in flight), and are taken in this order.
  const collections = [...model.collections].sort((a, b) => a.segments.length - b.segments.length || (a.template < b.template ? -1 : 1));
  for (const depth of [...new Set(collections.map((collection) => collection.segments.length))]) {
    const level = collections.filter((collection) => collection.segments.length === depth).map((collection) => {
      const parents = collection.parent ? walk.byNode.get(collection.parent) ?? [] : undefined;
      const parentSets: InstanceRef[][] = parents ? sample(parents, maxParents, random).map((parent) => parent.refs) : [[]];
      if (parents) walk.reach.push({ template: collection.template, read: parentSets.length, of: parents.length });
      return { collection, parentSets };
    });
    const answers = await Promise.all(level.map(({ collection, parentSets }) => Promise.all(parentSets.map((parentRefs) => client.get(buildPath(collection, parentRefs))))));
    level.forEach(({ collection, parentSets }, index) => parentSets.forEach((parentRefs, at) => takeListing(walk, collection, parentRefs, answers[index][at], options)));
  }
  await readInstanceSample(client, model, walk, options.readsPerInstancePath ?? 3, random);
  const { instances, listings, reads, problems, reach, byNode } = walk;
  const summary = () => {
    const cut = reach.filter((r) => r.read < r.of);
    return (
      `${instances.length} instances discovered in ${listings.length} collection reads, ` +
      (cut.length === 0
        ? 'every collection listed under every parent'
        : `every collection listed, under at most ${maxParents} parents each (a seeded sample): ${cut.map((r) => `${r.template} under ${r.read} of ${r.of}`).join(', ')}`)
    );
  };
  return { instances, listings, reads, problems, reach, summary, of: (node) => byNode.get(node) ?? [] };
}

/** Takes one collection's listing under one parent into the walk: its instances, or a problem. */
function takeListing(walk: DiscoveryWalk, collection: CollectionNode, parentRefs: InstanceRef[], exchange: Exchange, options: DiscoveryOptions): void {
  const path = buildPath(collection, parentRefs);
  if (exchange.status === 0) throw new TargetUnavailableError(exchange);
  walk.reads.push({ node: collection, refs: parentRefs, exchange });
  if (exchange.status !== 200 || !Array.isArray(exchange.json)) {
    walk.problems.push({ message: `GET ${path} must answer 200 with a JSON array.`, exchange });
    return;
  }
  const nameProperty = collection.resource.nameProperty;
  let items = inCanonicalOrder(
    collection.resource,
    (exchange.json as unknown[]).filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string'),
  );
  if (!collection.parent && options.coreServer !== undefined && nameProperty) {
    items = items.filter((item) => item[nameProperty] === options.coreServer);
  }
  const listingNames: string[] = [];
  for (const item of items) {
    const ref = refOf(collection, item);
    if (ref.name !== undefined) listingNames.push(ref.name);
    if (!collection.item) continue;
    const discovered: DiscoveredInstance = { node: collection.item, refs: [...parentRefs, ref], listed: item, collectionPath: path };
    walk.instances.push(discovered);
    const list = walk.byNode.get(collection.item) ?? [];
    list.push(discovered);
    walk.byNode.set(collection.item, list);
  }
  walk.listings.push({ node: collection, parentRefs, path, ids: items.map((item) => String(item.id)), names: listingNames });
}

/** A sample of instance reads and of the sub-resources under them, for the response checks: all at once, kept in order. */
async function readInstanceSample(client: TargetClient, model: ResourceModel, walk: DiscoveryWalk, readsPerPath: number, random: () => number): Promise<void> {
  const sampled: { node: PathNode; refs: InstanceRef[] }[] = [];
  for (const node of model.instances) {
    for (const instance of sample(walk.byNode.get(node) ?? [], readsPerPath, random)) {
      sampled.push({ node, refs: instance.refs });
      for (const singleton of model.singletons.filter((s) => s.owner === node)) sampled.push({ node: singleton, refs: instance.refs });
    }
  }
  const answers = await inOrder(sampled, client.maxConcurrentRequests, ({ node, refs }) => client.get(buildPath(node, refs)));
  for (const [index, { node, refs }] of sampled.entries()) {
    if (answers[index].status === 0) throw new TargetUnavailableError(answers[index]);
    walk.reads.push({ node, refs, exchange: answers[index] });
  }
}

/**
 * Whether the instance is still listed in its collection, read again now: the test that tells churn (it was
 * removed meanwhile) from a fault. Undefined when the collection itself could not be read.
 */
export async function stillListed(client: TargetClient, instance: DiscoveredInstance): Promise<{ listed: boolean | undefined; exchange: Exchange }> {
  const exchange = await client.get(instance.collectionPath);
  if (exchange.status !== 200 || !Array.isArray(exchange.json)) return { listed: undefined, exchange };
  const id = instance.refs[instance.refs.length - 1].id;
  return { listed: (exchange.json as { id?: unknown }[]).some((item) => item?.id === id), exchange };
}

/**
 * After a read that missed a listed instance: the reads that show a fault, or undefined where it can be churn.
 * Churn is an instance no longer listed (removed meanwhile), or one listed whose read, sent `again`, now reaches
 * it (`reaches`): it was away for a moment and came back with the same UUID (logged out and in again; a server
 * that keeps the UUID then is RECREATE-NEW-UUID's to judge, not the rule that met the moment).
 */
export async function missedWhileListed(
  client: TargetClient,
  instance: DiscoveredInstance,
  again: () => Promise<Exchange>,
  reaches: (exchange: Exchange) => boolean,
): Promise<Exchange[] | undefined> {
  const relisted = await stillListed(client, instance);
  if (relisted.listed === false) return undefined;
  const reread = await again();
  return reaches(reread) ? undefined : [relisted.exchange, reread];
}
