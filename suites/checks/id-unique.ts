import { buildPath } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { bodyId, canonicalJson, describeDifferences, stableDifferences } from '../compare.js';
import type { DiscoveredInstance } from '../discovery.js';
import { describeOutcome, type FindingInput } from '../finding.js';
import type { Exchange } from '../target-client.js';

/** The id of the discovered instance itself (its last ref). */
function ownId(instance: DiscoveredInstance): string {
  return instance.refs[instance.refs.length - 1].id.toLowerCase();
}

/**
 * What makes one instance that instance: its resource type, its identity properties (name, configurationId...)
 * and, for a nested instance, the top-level instance it lives under (an object of one core server is never an
 * object of another). The same instance listed in several collections (an agent under its queue and under its
 * extension) has one identity key; two instances that share an id have two.
 */
function identityKey(instance: DiscoveredInstance): string {
  const resource = instance.node.resource;
  const identity = Object.fromEntries(resource.identityProperties.map((key) => [key, instance.listed[key]]));
  const root = instance.refs.length > 1 ? instance.refs[0].id : null;
  return canonicalJson({ type: resource.name, identity, root });
}

function describeSighting(instance: DiscoveredInstance): string {
  const resource = instance.node.resource;
  const identity = resource.identityProperties.filter((key) => key !== 'id').map((key) => `${key} ${JSON.stringify(instance.listed[key])}`);
  return `a ${resource.name} listed in ${instance.collectionPath}${identity.length > 0 ? ` (${identity.join(', ')})` : ''}`;
}

/** ID-UNIQUE: no two instances on the server share an id, across every collection discovery listed. */
export const idUniqueCheck: ConformanceCheck = {
  ruleId: 'ID-UNIQUE',
  async run(context) {
    const { instances } = await context.discovery();
    if (instances.length === 0) context.notApplicable('no collection listed any instance');
    const byId = new Map<string, DiscoveredInstance[]>();
    for (const instance of instances) byId.set(ownId(instance), [...(byId.get(ownId(instance)) ?? []), instance]);
    const shared = [...byId.values()].filter((sightings) => sightings.length > 1);
    context.note(`${byId.size} distinct ids among ${instances.length} listed instances; ${shared.length} ids listed more than once`);

    /** Reads a sighting at its own UUID path now; undefined when it is no longer there (churn). */
    const readNow = async (instance: DiscoveredInstance): Promise<Exchange | undefined> => {
      const exchange = requireAnswer(await context.client.get(buildPath(instance.node, instance.refs)));
      return exchange.status === 200 && bodyId(exchange.json)?.toLowerCase() === ownId(instance) ? exchange : undefined;
    };

    for (const sightings of shared) {
      const found = (await differentIdentities(sightings, readNow)) ?? (await differentRepresentations(sightings, readNow));
      if (found) context.report(found);
    }
  },
};

/**
 * Sightings of one id with different identity keys: two instances share the id when both still answer at their
 * own paths now (one that no longer answers went away meanwhile, which is churn).
 */
async function differentIdentities(
  sightings: DiscoveredInstance[],
  readNow: (instance: DiscoveredInstance) => Promise<Exchange | undefined>,
): Promise<FindingInput | undefined> {
  const byKey = new Map<string, DiscoveredInstance>();
  for (const sighting of sightings) if (!byKey.has(identityKey(sighting))) byKey.set(identityKey(sighting), sighting);
  if (byKey.size < 2) return undefined;
  const [first, second] = [...byKey.values()];
  const firstRead = await readNow(first);
  const secondRead = firstRead && (await readNow(second));
  if (!firstRead || !secondRead) return undefined;
  return {
    message: `Two different instances share the id ${ownId(first)}: ${describeSighting(first)} and ${describeSighting(second)}.`,
    expected: 'a different id for each instance',
    actual: `both answer 200 with id ${ownId(first)} at their own paths (${first.node.template}, ${second.node.template})`,
    exchanges: [firstRead, secondRead],
    provenance: 'inferred',
  };
}

/**
 * Sightings with one identity key whose list items differ in non-volatile properties (possible for resources
 * whose only identity is the id, such as agents): read each at its own path; when those reads still differ,
 * they are two instances. List items alone are not trusted here: a list that renders an item differently from
 * its instance is ADDR-LIST's to judge.
 */
async function differentRepresentations(
  sightings: DiscoveredInstance[],
  readNow: (instance: DiscoveredInstance) => Promise<Exchange | undefined>,
): Promise<FindingInput | undefined> {
  const [first, ...others] = sightings;
  const resource = first.node.resource;
  const other = others.find((candidate) => stableDifferences(resource, first.listed, candidate.listed).length > 0);
  if (!other) return undefined;
  const firstRead = await readNow(first);
  const otherRead = firstRead && (await readNow(other));
  if (!firstRead || !otherRead) return undefined;
  const differences = stableDifferences(resource, firstRead.json, otherRead.json);
  if (differences.length === 0) return undefined;
  return {
    message: `Two different ${resource.name} instances share the id ${ownId(first)}: read at ${first.node.template} and at ${other.node.template}, they differ.`,
    expected: 'one representation per id (volatile properties aside)',
    actual: `${describeDifferences(differences, firstRead.json, otherRead.json)} (${describeOutcome(firstRead)}, ${describeOutcome(otherRead)})`,
    exchanges: [firstRead, otherRead],
    provenance: 'inferred',
  };
}
