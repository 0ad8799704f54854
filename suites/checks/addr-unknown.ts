import fc from 'fast-check';
import { discoveredInstance } from '../arbitraries/discovered-instance.js';
import { buildPath, instanceSegments, type AddressingForm, type InstanceRef } from '../../contracts/resource-model.js';
import { canUseName } from '../arbitraries/addressing-forms.js';
import { malformedUuidSegment, nearMissNames, randomUuidSegment, type UnknownSegment } from '../arbitraries/unknown-segment.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import type { Discovery, DiscoveredInstance } from '../discovery.js';
import { describeOutcome } from '../finding.js';

/** One case: a real path with one level replaced by something the target does not have. */
interface UnknownCase {
  instance: DiscoveredInstance;
  level: number;
  unknown: UnknownSegment;
  forms: AddressingForm[];
}

/** The names listed in the collection of `level` under the same parents, when discovery listed it. */
function knownNames(discovery: Discovery, instance: DiscoveredInstance, level: number): string[] | undefined {
  const parentIds = instance.refs.slice(0, level).map((ref) => ref.id).join('/');
  const listing = discovery.listings.find(
    (l) => l.parentRefs.length === level && l.parentRefs.map((ref) => ref.id).join('/') === parentIds && l.ids.includes(instance.refs[level].id),
  );
  return listing?.names;
}

/** What replaces level `level` of the instance's path: a random UUID, a malformed one, or a near-miss name. */
function unknownSegment(discovery: Discovery, instance: DiscoveredInstance, level: number): fc.Arbitrary<UnknownSegment> {
  const real = instance.refs[level];
  const ids = fc.oneof(randomUuidSegment(), malformedUuidSegment(real.id));
  const names = canUseName(instance.node, instance.refs, level) ? knownNames(discovery, instance, level) : undefined;
  const misses = names ? nearMissNames(real.name!).filter((miss) => !names.includes(miss.value)) : [];
  if (misses.length === 0) return ids;
  // Near misses are where lenient name matching hides: they weigh as much as both id kinds together, and a case
  // of them tries every variant (prefix, suffix, case...) so that one lenient kind of match is not left to chance.
  return fc.oneof(ids, fc.constantFrom(...misses).map((miss): UnknownSegment => ({ kind: 'near-miss-name', ...miss, others: misses.filter((m) => m !== miss) })));
}

function unknownCase(discovery: Discovery, instance: DiscoveredInstance): fc.Arbitrary<UnknownCase> {
  const levels = instanceSegments(instance.node);
  return fc.integer({ min: 0, max: levels.length - 1 }).chain((level) =>
    fc.record({
      instance: fc.constant(instance),
      level: fc.constant(level),
      unknown: unknownSegment(discovery, instance, level),
      forms: fc.tuple(
        ...levels.map((_, index) =>
          index !== level && canUseName(instance.node, instance.refs, index) ? fc.constantFrom<AddressingForm>('uuid', 'name') : fc.constant<AddressingForm>('uuid'),
        ),
      ),
    }),
  );
}

/** ADDR-UNKNOWN: an unknown UUID, a malformed UUID and an unknown name answer 404, at every level of a path. */
export const addrUnknownCheck: ConformanceCheck = {
  ruleId: 'ADDR-UNKNOWN',
  async run(context) {
    const discovery = await context.discovery();
    const knownIds = new Set(discovery.instances.map((instance) => instance.refs[instance.refs.length - 1].id));
    // Any discovered instance gives a real path; the arbitrary chooses the level to replace and what with.
    const representatives = discovery.instances;
    if (representatives.length === 0) context.notApplicable('no collection listed any instance');
    const kindsTried = new Set<string>();
    const arbitrary = discoveredInstance(representatives).chain((instance) => unknownCase(discovery, instance));
    await context.property('unknown-at-any-level', arbitrary, async ({ instance, level, unknown, forms }) => {
      const variants = unknown.kind === 'near-miss-name' ? [unknown, ...unknown.others] : [unknown];
      const caseForms = forms.map((form, index) => (index === level ? (unknown.kind === 'near-miss-name' ? 'name' : 'uuid') : form));
      const parameter = instanceSegments(instance.node)[level].parameter;
      kindsTried.add(`${unknown.kind}@${parameter}`);
      for (const variant of variants) {
        if (knownIds.has(variant.value)) continue;
        const refs: InstanceRef[] = instance.refs.map((ref, index) => (index === level ? { id: variant.value, name: variant.value } : ref));
        const exchange = requireAnswer(await context.client.get(buildPath(instance.node, refs, caseForms)));
        if (exchange.status === 404) continue;
        const what = 'variant' in variant ? `an unknown name (${variant.variant} of ${JSON.stringify(instance.refs[level].name)})` : `a ${unknown.kind.replace('-', ' ')}`;
        return {
          message: `A path with ${what} at level {${parameter}} must answer 404.`,
          expected: '404',
          actual: describeOutcome(exchange),
          exchanges: [exchange],
          provenance: 'inferred',
        };
      }
      return undefined;
    }, { independentRuns: true });
    context.note(`unknown kinds and levels tried: ${[...kindsTried].sort().join(', ')}`);
  },
};
