import { buildPath, instanceSegments, type AddressingForm } from '../../contracts/resource-model.js';
import { canUseName } from '../arbitraries/addressing-forms.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { bodyId } from '../compare.js';
import { missedWhileListed, type DiscoveredInstance } from '../discovery.js';
import { describeOutcome } from '../finding.js';
import { sample, seededRandom } from '../seeded-random.js';
import { isUuidShaped } from '../uuid-text.js';
import type { Exchange } from '../target-client.js';

/** The keyword of the name form: a name equal to it must still be read as a name. */
const byNameKeyword = 'getByName';

/** Why a name is hard to carry in a path: it needs percent-encoding, looks like a UUID, or is the keyword. */
export function awkwardNameKind(name: string): string | undefined {
  if (encodeURIComponent(name) !== name) return 'needs percent-encoding';
  if (isUuidShaped(name)) return 'is UUID-shaped';
  if (name === byNameKeyword) return `equals ${byNameKeyword}`;
  return undefined;
}

/** One case: a discovered instance read with one awkward name level written getByName, the others by UUID. */
interface EncodingCase {
  instance: DiscoveredInstance;
  level: number;
  name: string;
  kind: string;
}

/** How many cases per path template and level, beyond the first of every distinct name. */
const casesPerTemplateLevel = 6;

function encodingCases(instances: readonly DiscoveredInstance[], seed: number): EncodingCase[] {
  const candidates: EncodingCase[] = [];
  for (const instance of instances) {
    instanceSegments(instance.node).forEach((_, level) => {
      const name = instance.refs[level].name;
      const kind = name === undefined ? undefined : awkwardNameKind(name);
      if (kind && canUseName(instance.node, instance.refs, level)) candidates.push({ instance, level, name: name!, kind });
    });
  }
  // Every distinct awkward name at its own level (users, queues...) once; nested paths under it sampled.
  const random = seededRandom(seed);
  const groups = new Map<string, EncodingCase[]>();
  for (const candidate of candidates) {
    const own = candidate.level === candidate.instance.refs.length - 1;
    const key = own ? `${candidate.instance.node.template} ${candidate.level} ${candidate.instance.refs[0].id} ${candidate.name}` : `${candidate.instance.node.template} ${candidate.level}`;
    groups.set(key, [...(groups.get(key) ?? []), candidate]);
  }
  return [...groups.values()].flatMap((group) => sample(group, group[0].level === group[0].instance.refs.length - 1 ? 1 : casesPerTemplateLevel, random));
}

/**
 * ADDR-ENCODING: a symbolic name that needs percent-encoding (space, `+`, `%`, non-ASCII), one that is
 * UUID-shaped and one equal to `getByName` are reached by getByName/{encodeURIComponent(name)}, at every
 * name-capable level of a path: the name form answers 200 with the id of the instance.
 */
export const addrEncodingCheck: ConformanceCheck = {
  ruleId: 'ADDR-ENCODING',
  async run(context) {
    const { instances } = await context.discovery();
    const cases = encodingCases(instances, context.settings.seed);
    if (cases.length === 0) context.notApplicable('no discovered instance has a symbolic name that needs percent-encoding, is UUID-shaped or equals getByName');
    const names = new Set(cases.map((c) => `${JSON.stringify(c.name)} (${c.kind})`));
    context.note(`${cases.length} paths read with an awkward name by getByName; names: ${[...names].sort().join(', ')}`);
    const reported = new Set<string>();
    for (const { instance, level, name, kind } of cases) {
      const parameter = instanceSegments(instance.node)[level].parameter;
      if (reported.has(`${instance.node.template} ${parameter}`)) continue;
      const id = instance.refs[instance.refs.length - 1].id;
      const forms: AddressingForm[] = instance.refs.map((_, index) => (index === level ? 'name' : 'uuid'));
      const readByName = async () => requireAnswer(await context.client.get(buildPath(instance.node, instance.refs, forms)));
      const reaches = (exchange: Exchange) => exchange.status === 200 && bodyId(exchange.json) === id;
      const byName = await readByName();
      if (reaches(byName)) continue;
      // The UUID form must reach it now (else ADDR-UUID's to judge), and it must still be listed (else churn).
      const byUuid = requireAnswer(await context.client.get(buildPath(instance.node, instance.refs)));
      if (!reaches(byUuid)) continue;
      const evidence = await missedWhileListed(context.client, instance, readByName, reaches);
      if (!evidence) continue;
      reported.add(`${instance.node.template} ${parameter}`);
      context.report({
        message: `The ${instanceSegments(instance.node)[level].nameProperty} ${JSON.stringify(name)} (it ${kind}) written getByName/${encodeURIComponent(name)} at level {${parameter}} does not reach the instance its UUID reaches.`,
        expected: `200 with id ${id}`,
        actual: byName.status === 200 ? `200 with id ${JSON.stringify(bodyId(byName.json))}` : describeOutcome(byName),
        exchanges: [byName, byUuid, ...evidence],
        provenance: 'inferred',
      });
    }
  },
};
