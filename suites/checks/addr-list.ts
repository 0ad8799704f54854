import { discoveredInstance } from '../arbitraries/discovered-instance.js';
import { buildPath } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { bodyId, describeDifferences, stableDifferences } from '../compare.js';
import { describeOutcome } from '../finding.js';

/** ADDR-LIST: an item of a collection equals the instance read at its own path, volatile properties aside. */
export const addrListCheck: ConformanceCheck = {
  ruleId: 'ADDR-LIST',
  async run(context) {
    const { instances } = await context.discovery();
    if (instances.length === 0) context.notApplicable('no collection listed any instance');
    await context.property('list-item-equals-instance', discoveredInstance(instances), async (instance) => {
      const id = instance.refs[instance.refs.length - 1].id;
      const resource = instance.node.resource;
      const list = requireAnswer(await context.client.get(instance.collectionPath));
      const item = Array.isArray(list.json) ? (list.json as unknown[]).find((candidate) => bodyId(candidate) === id) : undefined;
      if (item === undefined) return undefined; // no longer listed: churn
      const read = requireAnswer(await context.client.get(buildPath(instance.node, instance.refs)));
      if (read.status !== 200 || bodyId(read.json) !== id) return undefined; // ADDR-UUID's to judge
      const differences = stableDifferences(resource, item, read.json);
      if (differences.length === 0) return undefined;
      // A non-volatile property may have changed between the two reads: list once more and compare again.
      const relist = requireAnswer(await context.client.get(instance.collectionPath));
      const again = Array.isArray(relist.json) ? (relist.json as unknown[]).find((candidate) => bodyId(candidate) === id) : undefined;
      if (again === undefined || stableDifferences(resource, again, read.json).length === 0) return undefined;
      return {
        message: `The item listed in ${instance.collectionPath} differs from the instance read at its own path.`,
        expected: 'the same non-volatile properties',
        actual: `${describeDifferences(differences, item, read.json)} (list ${describeOutcome(list)}, instance ${describeOutcome(read)})`,
        exchanges: [list, read, relist],
        provenance: instance.node.provenance,
      };
    }, { independentRuns: true });
  },
};
