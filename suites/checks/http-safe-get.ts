import fc from 'fast-check';
import { buildPath, instanceSegments, type AddressingForm, type InstanceRef, type PathNode, type ResourceModel } from '../../contracts/resource-model.js';
import { requireAnswer, type CheckContext, type ConformanceCheck } from '../check.js';
import { inOrder } from '../in-order.js';
import { bodyId, describeDifferences, identityDifferences, stableDifferences } from '../compare.js';
import type { Discovery } from '../discovery.js';
import type { FindingInput } from '../finding.js';
import { membershipIsLive } from '../live-membership.js';
import { sample, seededRandom } from '../seeded-random.js';
import type { Exchange } from '../target-client.js';

/** One GET of the experiment. */
interface PlannedRead {
  node: PathNode;
  refs: InstanceRef[];
  path: string;
}

/** How many parents each nested collection is read under, and how many instances of each instance path. */
const collectionsPerNode = 6;
const instancesPerNode = 2;

/**
 * The paths the experiment reads, chosen with the run's seed: collections under a sample of parents (non-empty
 * ones first: they say more about membership), a sample of instances of every instance path by UUID and, where
 * the last level has a name, by name, and the sub-resources of those instances.
 */
function planReads(model: ResourceModel, discovery: Discovery, seed: number): PlannedRead[] {
  const random = seededRandom(seed);
  const plan: PlannedRead[] = [];
  for (const node of model.collections) {
    const listings = discovery.listings.filter((listing) => listing.node === node);
    const nonEmpty = listings.filter((listing) => listing.ids.length > 0);
    const chosen = [...sample(nonEmpty, collectionsPerNode, random), ...sample(listings.filter((l) => l.ids.length === 0), collectionsPerNode - Math.min(nonEmpty.length, collectionsPerNode), random)];
    plan.push(...chosen.map((listing) => ({ node, refs: listing.parentRefs, path: listing.path })));
  }
  for (const node of model.instances) {
    for (const { refs } of sample(discovery.of(node), instancesPerNode, random)) {
      plan.push({ node, refs, path: buildPath(node, refs) });
      const last = refs.length - 1;
      if (instanceSegments(node)[last]?.nameProperty && refs[last].name !== undefined) {
        const forms: AddressingForm[] = refs.map((_, index) => (index === last ? 'name' : 'uuid'));
        plan.push({ node, refs, path: buildPath(node, refs, forms) });
      }
      for (const singleton of model.singletons.filter((s) => s.owner === node)) plan.push({ node: singleton, refs, path: buildPath(singleton, refs) });
    }
  }
  return plan;
}

/** `items` in an order drawn from `orderSeed` (Fisher-Yates). */
function shuffled<T>(items: readonly T[], orderSeed: number): T[] {
  const random = seededRandom(orderSeed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function itemsById(body: unknown): Map<string, unknown> {
  const items = Array.isArray(body) ? body : [];
  return new Map(items.flatMap((item) => (bodyId(item) === undefined ? [] : [[bodyId(item)!.toLowerCase(), item] as [string, unknown]])));
}

/** Compares two reads of one path; says how they differ in what must not change, or undefined. */
function readDifference(model: ResourceModel, read: PlannedRead, a: Exchange, b: Exchange): string | undefined {
  const levels = instanceSegments(read.node);
  // A read by UUID that gives another id is ADDR-UUID's (or ADDR-NAME's) to judge, not a change of state.
  if (read.node.kind === 'instance') {
    const id = read.refs[read.refs.length - 1].id;
    if ([a, b].some((exchange) => exchange.status === 200 && bodyId(exchange.json) !== id)) return undefined;
  }
  if (a.status !== b.status) {
    const holder = levels[levels.length - 1]?.resource;
    // The instance the path hangs on may have ended on its own (a call hung up): not a change made by a GET.
    const gone = (a.status === 200 && b.status === 404) || (a.status === 404 && b.status === 200);
    if (gone && holder && membershipIsLive(holder, model)) return undefined;
    return `it answered ${a.status}, then ${b.status}`;
  }
  if (a.status !== 200 || a.json === undefined || b.json === undefined) return undefined;
  const resource = read.node.kind === 'action' ? undefined : read.node.resource;
  if (!resource) return undefined;
  if (read.node.kind === 'collection') {
    const before = itemsById(a.json);
    const after = itemsById(b.json);
    if (!membershipIsLive(resource, model)) {
      const removed = [...before.keys()].filter((id) => !after.has(id));
      const added = [...after.keys()].filter((id) => !before.has(id));
      if (removed.length + added.length > 0) {
        return `its members changed (${[removed.length > 0 ? `gone: ${removed.join(', ')}` : '', added.length > 0 ? `new: ${added.join(', ')}` : ''].filter(Boolean).join('; ')})`;
      }
    }
    for (const [id, item] of before) {
      const other = after.get(id);
      if (other === undefined) continue;
      const differences = [...new Set([...identityDifferences(resource, item, other), ...stableDifferences(resource, item, other)])];
      if (differences.length > 0) return `its member ${id} changed: ${describeDifferences(differences, item, other)}`;
    }
    return undefined;
  }
  // An object whose properties the contract does not list (statistics): what is volatile in it is unknown.
  if (Object.keys((resource.schema.properties ?? {}) as object).length === 0) return undefined;
  const differences = [...new Set([...identityDifferences(resource, a.json, b.json), ...stableDifferences(resource, a.json, b.json)])];
  return differences.length > 0 ? `it changed: ${describeDifferences(differences, a.json, b.json)}` : undefined;
}

/** Reads every planned path in `order`; the exchanges by plan index. */
async function readInOrder(context: CheckContext, plan: PlannedRead[], order: number[]): Promise<Exchange[]> {
  // Started in `order`, as many at once as the client lets be in flight: every read of one round still comes
  // before every read of the next.
  const exchanges: Exchange[] = new Array(plan.length);
  const answers = await inOrder(order, context.client.maxConcurrentRequests, (index) => context.client.get(plan[index].path));
  order.forEach((index, position) => (exchanges[index] = requireAnswer(answers[position])));
  return exchanges;
}

/**
 * HTTP-SAFE-GET: no GET changes state. Every planned path is read in one order drawn by fast-check, then all again
 * in another; a path whose identities, non-volatile values or (for collections whose members do not come and go on
 * their own) members differ is read a third time, and the difference is a fault when that read still differs
 * from the first. Volatile properties are never compared, nor the members of collections of live telephony
 * (calls, agents), nor the undocumented properties of objects such as statistics.
 */
export const httpSafeGetCheck: ConformanceCheck = {
  ruleId: 'HTTP-SAFE-GET',
  async run(context) {
    const discovery = await context.discovery();
    const plan = planReads(context.model, discovery, context.settings.seed);
    if (plan.length === 0) context.notApplicable('discovery found no path to read');
    const indexes = plan.map((_, index) => index);
    const orders = fc.noShrink(fc.record({ firstOrderSeed: fc.nat(), secondOrderSeed: fc.nat() }));
    let confirmed = 0;
    await context.property(
      'reads-in-two-orders',
      orders,
      async ({ firstOrderSeed, secondOrderSeed }): Promise<FindingInput | undefined> => {
        const firstOrder = shuffled(indexes, firstOrderSeed);
        let secondOrder = shuffled(indexes, secondOrderSeed);
        if (secondOrder.every((index, position) => index === firstOrder[position])) secondOrder = [...firstOrder].reverse();
        const first = await readInOrder(context, plan, firstOrder);
        const second = await readInOrder(context, plan, secondOrder);
        const faults: { read: PlannedRead; what: string; exchanges: Exchange[] }[] = [];
        for (const index of indexes) {
          const read = plan[index];
          const what = readDifference(context.model, read, first[index], second[index]);
          if (what === undefined) continue;
          // A third read tells a lasting change from a passing one; only a lasting one is held against the GETs.
          const third = requireAnswer(await context.client.get(read.path));
          if (readDifference(context.model, read, first[index], third) === undefined) continue;
          faults.push({ read, what, exchanges: [first[index], second[index], third] });
        }
        confirmed = faults.length;
        if (faults.length === 0) return undefined;
        const [{ read, what, exchanges }] = faults;
        const others = faults.slice(1, 4).map((fault) => fault.read.path);
        return {
          message:
            `Between two reads of GET ${read.path}, with nothing but GETs in between (${plan.length} paths read twice, in two orders), ${what}; a third read confirms it.` +
            (others.length > 0 ? ` ${faults.length - 1} other path${faults.length > 2 ? 's' : ''} changed too, e.g. ${others.join(', ')}.` : ''),
          expected: 'the same identities, members and non-volatile values on every read',
          actual: what,
          exchanges,
          provenance: read.node.provenance,
        };
      },
      { maxRuns: 1 },
    );
    const live = context.model.collections.filter((node) => membershipIsLive(node.resource, context.model)).map((node) => node.resource.name);
    context.note(`${plan.length} paths read twice in two orders (${plan.filter((r) => r.node.kind === 'collection').length} collections); members not compared for ${[...new Set(live)].join(', ') || 'no resource'}; ${confirmed} lasting differences`);
  },
};
