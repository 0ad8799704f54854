import { buildPath } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { describeOutcome } from '../finding.js';
import { counterpartParentRefs, FindingGroups, requireRestartedTarget } from '../restart-experiment.js';

/**
 * RESTART-OLD-404: after a restart, every UUID from before answers 404 at its old path, and at the path of the
 * same-named object after the restart (the old UUID under the new parents: an old extension UUID under the new
 * core server), where that object is still there.
 */
export const restartOld404Check: ConformanceCheck = {
  ruleId: 'RESTART-OLD-404',
  async run(context) {
    const { before, after } = await requireRestartedTarget(context);
    const groups = new FindingGroups();
    const tried = new Set<string>();
    let underNewParents = 0;
    for (const listing of before.listings) {
      const node = listing.node.item;
      if (!node) continue;
      for (const item of listing.items) {
        const paths = [{ path: buildPath(node, item.refs), where: 'at their old paths' }];
        const newParents = counterpartParentRefs(after, listing, item);
        if (newParents && newParents.length > 0) {
          paths.push({ path: buildPath(node, [...newParents, { id: item.id }]), where: 'under the new parents (the same-named objects after the restart)' });
        }
        for (const { path, where } of paths) {
          if (tried.has(path)) continue;
          tried.add(path);
          if (where !== 'at their old paths') underNewParents += 1;
          const exchange = requireAnswer(await context.client.get(path));
          if (exchange.status === 404) continue;
          groups.add(`${node.template} ${where}`, `GET ${path} → ${describeOutcome(exchange)}`, [listing.exchange, exchange], (count, examples) => ({
            message: `${count} UUID(s) from before the restart still answer ${where} (${node.template}).`,
            expected: '404',
            actual: examples.join('; ') + (count > examples.length ? `; and ${count - examples.length} more` : ''),
            provenance: 'inferred',
          }));
        }
      }
    }
    if (tried.size === 0) context.notApplicable('no collection with instance paths listed any instance before the restart');
    groups.reportTo(context);
    context.note(`${tried.size} path(s) with an old UUID read: ${tried.size - underNewParents} old paths, ${underNewParents} under the new parents`);
  },
};
