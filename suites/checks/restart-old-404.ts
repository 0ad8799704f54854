import { buildPath, type InstanceNode, type InstanceRef } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { describeOutcome } from '../finding.js';
import { inOrder } from '../in-order.js';
import { counterpartParentRefs, FindingGroups, requireRestartedTarget, type SnapshotItem, type SnapshotListing, type TargetSnapshot } from '../restart-experiment.js';
import { sample, seededRandom } from '../seeded-random.js';

const OLD_PATH = 'at their old paths';
const NEW_PARENTS = 'under the new parents (the same-named objects after the restart)';

/** Beyond one path of every kind, at most this many more paths with an old UUID are read (a seeded sample). */
export const OLD_404_SAMPLE = 200;

/** One read of a path with an old UUID in it. */
interface Probe {
  path: string;
  where: string;
  /** Its kind: the path template, where the old UUID sits, and how the other levels are written. */
  kind: string;
  node: InstanceNode;
  listing: SnapshotListing;
}

/**
 * The paths of one instance from before the restart that must answer 404: its old path; its old UUID under the
 * new counterparts of its parents; and, where the whole chain has counterparts, the old UUID of each parent level
 * with every other level new (an old queue UUID between a new core server and a new agent).
 */
function probesOf(after: TargetSnapshot, listing: SnapshotListing, node: InstanceNode, item: SnapshotItem): Probe[] {
  const last = item.refs.length - 1;
  const probes: Probe[] = [{ path: buildPath(node, item.refs), where: OLD_PATH, kind: `${node.template} old`, node, listing }];
  const newParents = counterpartParentRefs(after, listing, item);
  if (newParents && newParents.length > 0) {
    probes.push({ path: buildPath(node, [...newParents, { id: item.id }]), where: NEW_PARENTS, kind: `${node.template} @${last}`, node, listing });
  }
  const counterpart = after.findByKeys(node, item.keys);
  if (counterpart) {
    for (let level = 0; level < last; level += 1) {
      const refs: InstanceRef[] = counterpart.refs.map((ref, index) => (index === level ? { id: item.refs[level].id } : { id: ref.id }));
      probes.push({ path: buildPath(node, refs), where: NEW_PARENTS, kind: `${node.template} @${level}`, node, listing });
    }
  }
  return probes;
}

/**
 * RESTART-OLD-404: after a restart, every UUID from before answers 404 at its old path, and at the path of the
 * same-named object after the restart (the old UUID under the new parents: an old extension UUID under the new
 * core server), where that object is still there. Every kind of such path (each path template with the old UUID
 * at each level) is read at least once; of the other paths, a seeded sample of at most {@link OLD_404_SAMPLE}.
 */
export const restartOld404Check: ConformanceCheck = {
  ruleId: 'RESTART-OLD-404',
  async run(context) {
    const { before, after } = await requireRestartedTarget(context);
    const candidates: Probe[] = [];
    const tried = new Set<string>();
    for (const listing of before.listings) {
      const node = listing.node.item;
      if (!node) continue;
      for (const item of listing.items) {
        for (const probe of probesOf(after, listing, node, item)) {
          if (tried.has(probe.path)) continue;
          tried.add(probe.path);
          candidates.push(probe);
        }
      }
    }
    if (candidates.length === 0) context.notApplicable('no collection with instance paths listed any instance before the restart');
    // The first path of every kind, then a seeded sample of the rest; read in the order they were found.
    const kinds = new Set<string>();
    const firsts = new Set<Probe>();
    for (const probe of candidates) {
      if (kinds.has(probe.kind)) continue;
      kinds.add(probe.kind);
      firsts.add(probe);
    }
    const rest = candidates.filter((probe) => !firsts.has(probe));
    const sampled = new Set(sample(rest, OLD_404_SAMPLE, seededRandom(context.settings.seed)));
    const probes = candidates.filter((probe) => firsts.has(probe) || sampled.has(probe));
    const exchanges = await inOrder(probes, context.client.maxConcurrentRequests, (probe) => context.client.get(probe.path));
    const groups = new FindingGroups();
    // One finding per kind of path (old, under the new parents), naming every instance path where it happened.
    const templates = new Map<string, Set<string>>();
    for (const [index, { path, where, node, listing }] of probes.entries()) {
      const exchange = requireAnswer(exchanges[index]);
      if (exchange.status === 404) continue;
      const seen = templates.get(where) ?? new Set<string>();
      seen.add(node.template);
      templates.set(where, seen);
      groups.add(where, `GET ${path} → ${describeOutcome(exchange)}`, [listing.exchange, exchange], (count, examples) => ({
        message: `${count} UUID(s) from before the restart still answer ${where}, at ${[...templates.get(where)!].join(', ')}.`,
        expected: '404',
        actual: examples.join('; ') + (count > examples.length ? `; and ${count - examples.length} more` : ''),
        provenance: 'inferred',
      }));
    }
    groups.reportTo(context);
    const underNewParents = probes.filter((probe) => probe.where === NEW_PARENTS).length;
    context.note(
      `${probes.length} path(s) with an old UUID read (${probes.length - underNewParents} old paths, ${underNewParents} under the new parents): ` +
        `one of each of ${kinds.size} kinds (path template × level of the old UUID) and a seeded sample of ${sampled.size} of the other ${rest.length}`,
    );
  },
};
