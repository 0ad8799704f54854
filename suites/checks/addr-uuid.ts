import { discoveredInstance } from '../arbitraries/discovered-instance.js';
import { buildPath } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { bodyId } from '../compare.js';
import { missedWhileListed } from '../discovery.js';
import { boundEnumeration, describeEnumeration } from '../enumeration-bound.js';
import { describeOutcome } from '../finding.js';
import { expectSharedReads, judgeWithSharedReads } from '../shared-reads.js';
import type { Exchange } from '../target-client.js';

/** ADDR-UUID: every listed instance answers 200 at {collection}/{id}, with that id. */
export const addrUuidCheck: ConformanceCheck = {
  ruleId: 'ADDR-UUID',
  async run(context) {
    // The enumerated cases cover every instance (or template) each run; the drawn ones, a share of --runs, meet some again.
    const drawnRuns = Math.max(1, Math.round(context.settings.numRuns * 0.2));
    const discovery = await context.discovery();
    for (const problem of discovery.problems.filter((p) => p.exchange.status < 500 && p.exchange.status !== 200)) {
      context.report({ message: problem.message, expected: '200', actual: describeOutcome(problem.exchange), exchanges: [problem.exchange] });
    }
    if (discovery.instances.length === 0) context.notApplicable('no collection listed any instance');
    context.note(discovery.summary());
    // Every discovered instance (up to the bound per instance path) is read once every run; the drawn cases read some
    // of them again (later, so that an instance that answers only now and then is met more than once).
    const enumerated = boundEnumeration(discovery.instances);
    context.note(`${describeEnumeration(enumerated, 'instances')} read by UUID every run, then ${drawnRuns} drawn`);
    // ADDR-NAME and ADDR-MIXED read the named ones by UUID too: one read serves them all (shared-reads.ts).
    expectSharedReads(context, enumerated.chosen.map((instance) => buildPath(instance.node, instance.refs)));
    await context.property('read-by-uuid', discoveredInstance(discovery.instances), (instance) => judgeWithSharedReads(context, async (read) => {
      const id = instance.refs[instance.refs.length - 1].id;
      const path = buildPath(instance.node, instance.refs);
      const readByUuid = async () => requireAnswer(await context.client.get(path));
      const reaches = (exchange: Exchange) => exchange.status === 200 && bodyId(exchange.json) === id;
      const first = requireAnswer(await read(path));
      if (reaches(first)) return undefined;
      if (first.status === 404) {
        const evidence = await missedWhileListed(context.client, instance, readByUuid, reaches);
        if (!evidence) return undefined; // it went away meanwhile, or for a moment: churn, not a fault
        return {
          message: `An instance listed in ${instance.collectionPath} answers 404 at its UUID path.`,
          expected: `200 with id ${id}`,
          actual: '404 (and the collection still lists it)',
          exchanges: [first, ...evidence],
          provenance: instance.node.provenance,
        };
      }
      return {
        message: `GET of a listed instance by its UUID must answer 200 with that id.`,
        expected: `200 with id ${id}`,
        actual: first.status === 200 ? `200 with id ${JSON.stringify(bodyId(first.json))}` : describeOutcome(first),
        exchanges: [first],
        provenance: instance.node.provenance,
      };
    }), { examples: enumerated.chosen, maxRuns: drawnRuns, independentRuns: true });
  },
};
