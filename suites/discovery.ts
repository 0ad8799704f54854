/**
 * Discovery of the live instances on the target: walks the resource model from the top-level collections down,
 * lists each collection under a seeded sample of its parents, and reads a sample of instances and sub-resources.
 * Its cost grows with the sample sizes, not with the size of the server.
 */
import type { CollectionNode, InstanceNode, InstanceRef, PathNode, ResourceModel } from '../contracts/resource-model.js';
import { buildPath } from '../contracts/resource-model.js';
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

/** What discovery found. */
export interface Discovery {
  instances: DiscoveredInstance[];
  listings: CollectionListing[];
  reads: DiscoveryRead[];
  problems: DiscoveryProblem[];
  /** Discovered instances listed under `node`. */
  of(node: InstanceNode): DiscoveredInstance[];
}

/** Options of {@link discover}. */
export interface DiscoveryOptions {
  seed: number;
  /** How many parents each nested collection is listed under, at most. Default 12. */
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

/** Walks the target. Throws {@link TargetUnavailableError} when it does not answer. */
export async function discover(client: TargetClient, model: ResourceModel, options: DiscoveryOptions): Promise<Discovery> {
  const random = seededRandom(options.seed);
  const maxParents = options.maxParentsPerCollection ?? 12;
  const instances: DiscoveredInstance[] = [];
  const byNode = new Map<InstanceNode, DiscoveredInstance[]>();
  const listings: CollectionListing[] = [];
  const reads: DiscoveryRead[] = [];
  const problems: DiscoveryProblem[] = [];

  // Parents come before their children in the contract; sort by depth so that holds for any contract.
  const collections = [...model.collections].sort((a, b) => a.segments.length - b.segments.length);
  for (const collection of collections) {
    const parentSets: InstanceRef[][] = collection.parent
      ? sample(byNode.get(collection.parent) ?? [], maxParents, random).map((parent) => parent.refs)
      : [[]];
    // The collection under every parent at once; judged in the parents' order.
    const answers = await inOrder(parentSets, client.maxConcurrentRequests, (parentRefs) => client.get(buildPath(collection, parentRefs)));
    for (const [index, parentRefs] of parentSets.entries()) {
      const exchange = answers[index];
      const path = exchange.path;
      if (exchange.status === 0) throw new TargetUnavailableError(exchange);
      reads.push({ node: collection, refs: parentRefs, exchange });
      if (exchange.status !== 200 || !Array.isArray(exchange.json)) {
        problems.push({ message: `GET ${path} must answer 200 with a JSON array.`, exchange });
        continue;
      }
      let items = (exchange.json as unknown[]).filter(
        (item): item is Record<string, unknown> => item !== null && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string',
      );
      if (!collection.parent && options.coreServer !== undefined && collection.resource.nameProperty) {
        items = items.filter((item) => item[collection.resource.nameProperty!] === options.coreServer);
      }
      const listingNames: string[] = [];
      for (const item of items) {
        const ref = refOf(collection, item);
        if (ref.name !== undefined) listingNames.push(ref.name);
        if (!collection.item) continue;
        const discovered: DiscoveredInstance = { node: collection.item, refs: [...parentRefs, ref], listed: item, collectionPath: path };
        instances.push(discovered);
        const list = byNode.get(collection.item) ?? [];
        list.push(discovered);
        byNode.set(collection.item, list);
      }
      listings.push({ node: collection, parentRefs, path, ids: items.map((item) => String(item.id)), names: listingNames });
    }
  }

  // A sample of instance reads and of the sub-resources under them, for the response checks.
  const readsPerPath = options.readsPerInstancePath ?? 3;
  const sampled: { node: PathNode; refs: InstanceRef[] }[] = [];
  for (const node of model.instances) {
    for (const instance of sample(byNode.get(node) ?? [], readsPerPath, random)) {
      sampled.push({ node, refs: instance.refs });
      for (const singleton of model.singletons.filter((s) => s.owner === node)) sampled.push({ node: singleton, refs: instance.refs });
    }
  }
  // All at once, kept in the order above.
  const answers = await inOrder(sampled, client.maxConcurrentRequests, ({ node, refs }) => client.get(buildPath(node, refs)));
  for (const [index, { node, refs }] of sampled.entries()) {
    if (answers[index].status === 0) throw new TargetUnavailableError(answers[index]);
    reads.push({ node, refs, exchange: answers[index] });
  }

  return { instances, listings, reads, problems, of: (node) => byNode.get(node) ?? [] };
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
