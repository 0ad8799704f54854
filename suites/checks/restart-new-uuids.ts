import type { ConformanceCheck } from '../check.js';
import { FindingGroups, requireRestartedTarget, type SnapshotItem, type SnapshotListing } from '../restart-experiment.js';

/** Whether the listing's resource types its `id` as a UUID: only those must be renewed by a restart. */
function hasUuidIds(listing: SnapshotListing): boolean {
  return listing.node.resource.uuidProperties.includes('id');
}

/** RESTART-NEW-UUIDS: after a restart, no instance keeps a UUID that it or any other instance had before. */
export const restartNewUuidsCheck: ConformanceCheck = {
  ruleId: 'RESTART-NEW-UUIDS',
  async run(context) {
    const { before, after } = await requireRestartedTarget(context);
    const earlier = new Map<string, { listing: SnapshotListing; item: SnapshotItem }>();
    for (const listing of before.listings.filter(hasUuidIds)) for (const item of listing.items) if (!earlier.has(item.id)) earlier.set(item.id, { listing, item });
    if (earlier.size === 0) context.notApplicable('no collection listed any instance before the restart');

    const groups = new FindingGroups();
    let compared = 0;
    for (const listing of after.listings.filter(hasUuidIds)) {
      for (const item of listing.items) {
        compared += 1;
        const old = earlier.get(item.id);
        if (!old) continue;
        const same = old.listing.node.resource === listing.node.resource && old.item.keys.at(-1) !== undefined && old.item.keys.at(-1) === item.keys.at(-1);
        const who = same ? 'the same object' : `${old.listing.path}${old.item.name !== undefined ? ` (${old.item.name})` : ''}`;
        groups.add(listing.node.template, `${item.id} at ${listing.path} (before the restart: ${who})`, [old.listing.exchange, listing.exchange], (count, examples) => ({
          message: `${count} instance(s) listed at ${listing.node.template} after the restart have a UUID from before it.`,
          expected: 'every instance has a UUID that no instance had before the restart',
          actual: examples.join('; ') + (count > examples.length ? `; and ${count - examples.length} more` : ''),
          provenance: 'doc',
        }));
      }
    }
    groups.reportTo(context);
    context.note(`${compared} listed instance(s) after the restart compared with ${earlier.size} UUID(s) from before`);
  },
};
