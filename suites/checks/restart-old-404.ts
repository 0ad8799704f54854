import { buildPath, type InstanceNode } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { describeOutcome } from '../finding.js';
import { counterpartParentRefs, FindingGroups, requireRestartedTarget, type SnapshotListing } from '../restart-experiment.js';

const OLD_PATH = 'at their old paths';
const NEW_PARENTS = 'under the new parents (the same-named objects after the restart)';

/**
 * RESTART-OLD-404: after a restart, every UUID from before answers 404 at its old path, and at the path of the
 * same-named object after the restart (the old UUID under the new parents: an old extension UUID under the new
 * core server), where that object is still there.
 */
export const restartOld404Check: ConformanceCheck = {
  ruleId: 'RESTART-OLD-404',
  async run(context) {
    const { before, after } = await requireRestartedTarget(context);
    const probes: { path: string; where: string; node: InstanceNode; listing: SnapshotListing }[] = [];
    const tried = new Set<string>();
    for (const listing of before.listings) {
      const node = listing.node.item;
      if (!node) continue;
      for (const item of listing.items) {
        const paths = [{ path: buildPath(node, item.refs), where: OLD_PATH }];
        const newParents = counterpartParentRefs(after, listing, item);
        if (newParents && newParents.length > 0) paths.push({ path: buildPath(node, [...newParents, { id: item.id }]), where: NEW_PARENTS });
        for (const { path, where } of paths) {
          if (tried.has(path)) continue;
          tried.add(path);
          probes.push({ path, where, node, listing });
        }
      }
    }
    if (probes.length === 0) context.notApplicable('no collection with instance paths listed any instance before the restart');
    // Sent together: the client bounds how many are in flight (--concurrency).
    const exchanges = await Promise.all(probes.map((probe) => context.client.get(probe.path)));
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
    context.note(`${probes.length} path(s) with an old UUID read: ${probes.length - underNewParents} old paths, ${underNewParents} under the new parents`);
  },
};
