import fc from 'fast-check';
import { discoveredNamesakes, isNamesake } from '../arbitraries/namesakes.js';
import { discoveredInstance } from '../arbitraries/discovered-instance.js';
import { buildPath, type AddressingForm } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { bodyId, describeDifferences, identityDifferences, stableDifferences } from '../compare.js';
import { missedWhileListed } from '../discovery.js';
import { boundEnumeration, describeEnumeration } from '../enumeration-bound.js';
import { describeOutcome } from '../finding.js';
import { expectSharedReads, judgeWithSharedReads } from '../shared-reads.js';

/** ADDR-NAME: getByName/{name} reaches the same instance, with the same representation, as the UUID form. */
export const addrNameCheck: ConformanceCheck = {
  ruleId: 'ADDR-NAME',
  async run(context) {
    // The enumerated cases cover every instance (or template) each run; the drawn ones, a share of --runs, meet some again.
    const drawnRuns = Math.max(1, Math.round(context.settings.numRuns * 0.3));
    const discovery = await context.discovery();
    const named = discovery.instances.filter((instance) => instance.refs[instance.refs.length - 1].name !== undefined);
    if (named.length === 0) context.notApplicable('no discovered instance has a symbolic name');
    const namesakes = discoveredNamesakes(discovery.listings);
    const shared = named.filter((instance) => isNamesake(namesakes, instance));
    const enumerated = boundEnumeration(named);
    context.note(
      `${describeEnumeration(enumerated, 'named instances')}, each read by name every run (${shared.length} of them namesakes: a name listed under more than one parent); ` +
        `then ${drawnRuns} drawn, half of them among the namesakes`,
    );
    const drawn = shared.length > 0 ? fc.oneof(discoveredInstance(named), discoveredInstance(shared)) : discoveredInstance(named);
    const formsOf = (instance: { refs: unknown[] }) => {
      const uuidForms: AddressingForm[] = Array(instance.refs.length).fill('uuid');
      return { uuidForms, nameForms: [...uuidForms.slice(0, -1), 'name'] as AddressingForm[] };
    };
    // ADDR-UUID reads these instances by UUID, and ADDR-MIXED the namesakes in both forms: one read serves them all.
    expectSharedReads(
      context,
      enumerated.chosen.flatMap((instance) => Object.values(formsOf(instance)).map((forms) => buildPath(instance.node, instance.refs, forms))),
    );
    await context.property('name-equals-uuid', drawn, (instance) => judgeWithSharedReads(context, async (read) => {
      const levels = instance.refs.length;
      const { uuidForms, nameForms } = formsOf(instance);
      const byUuid = requireAnswer(await read(buildPath(instance.node, instance.refs, uuidForms)));
      const id = instance.refs[levels - 1].id;
      if (byUuid.status !== 200 || bodyId(byUuid.json) !== id) return undefined; // ADDR-UUID's to judge
      const namePath = buildPath(instance.node, instance.refs, nameForms);
      const readByName = async () => requireAnswer(await context.client.get(namePath));
      const byName = requireAnswer(await read(namePath));
      const resource = instance.node.resource;
      if (byName.status !== 200) {
        const evidence = await missedWhileListed(context.client, instance, readByName, (again) => again.status === 200);
        if (!evidence) return undefined;
        return {
          message: `getByName/${instance.refs[levels - 1].name} does not reach the instance that its UUID reaches.`,
          expected: '200',
          actual: describeOutcome(byName),
          exchanges: [byUuid, byName, ...evidence],
          provenance: instance.node.provenance,
        };
      }
      const identity = identityDifferences(resource, byUuid.json, byName.json);
      if (identity.length > 0) {
        return {
          message: 'The name form reaches another instance than the UUID form.',
          expected: `the same identity (${resource.identityProperties.join(', ')})`,
          actual: describeDifferences(identity, byUuid.json, byName.json),
          exchanges: [byUuid, byName],
          provenance: instance.node.provenance,
        };
      }
      const stable = stableDifferences(resource, byUuid.json, byName.json);
      if (stable.length === 0) return undefined;
      // A non-volatile property may still have changed between the two reads: read the UUID form once more.
      const again = requireAnswer(await context.client.get(buildPath(instance.node, instance.refs, uuidForms)));
      if (again.status === 200 && stableDifferences(resource, again.json, byName.json).length === 0) return undefined;
      return {
        message: 'The name form and the UUID form of one instance give different representations.',
        expected: 'the same non-volatile properties',
        actual: describeDifferences(stable, byUuid.json, byName.json),
        exchanges: [byUuid, byName, again],
        provenance: instance.node.provenance,
      };
    }), { examples: enumerated.chosen, maxRuns: drawnRuns, independentRuns: true });
  },
};
