import fc from 'fast-check';
import { discoveredInstance } from '../arbitraries/discovered-instance.js';
import { buildPath, instanceSegments, type AddressingForm, type InstanceNode, type InstanceRef, type PathNodeBase, type ResourceModel } from '../../contracts/resource-model.js';
import { malformedIds } from '../probe-paths.js';
import { canUseName } from '../arbitraries/addressing-forms.js';
import { malformedUuidSegment, nearMissNames, randomUuidSegment, type UnknownSegment } from '../arbitraries/unknown-segment.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import type { Discovery, DiscoveredInstance } from '../discovery.js';
import { describeOutcome } from '../finding.js';

/** One case: a real path with one level replaced by something the target does not have. */
interface UnknownCase {
  /** The path written: the instance's own (default), or a collection or sub-resource under it. */
  target?: PathNodeBase;
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

/**
 * The cases every run: for every path template of the contract that GET reads (instance paths, collections under a
 * parent, sub-resources), at every level, an unknown UUID, a malformed id, and (where the level has a name) an
 * unknown name with every near miss of a real one (a prefix, a longer name, other spellings), on the first
 * discovered instance (canonical order) with the most levels that have a name.
 */
function everyTemplateCases(model: ResourceModel, discovery: Discovery, seed: number): UnknownCase[] {
  const unknownUuid = fc.sample(randomUuidSegment(), { seed, numRuns: 1 })[0];
  const unrelatedName = `zz${fc.sample(fc.stringMatching(/^[a-z0-9]{8}$/), { seed, numRuns: 1 })[0]}`;
  const targets: { target: PathNodeBase; owner: InstanceNode }[] = [
    ...model.instances.map((node) => ({ target: node, owner: node })),
    ...model.collections.filter((node) => node.parent).map((node) => ({ target: node, owner: node.parent! })),
    ...model.singletons.map((node) => ({ target: node, owner: node.owner })),
  ];
  const cases: UnknownCase[] = [];
  targets.forEach(({ target, owner }, templateIndex) => {
    const candidates = discovery.of(owner);
    if (candidates.length === 0) return;
    const named = (instance: DiscoveredInstance) => instance.refs.filter((_, level) => canUseName(owner, instance.refs, level)).length;
    const instance = candidates.reduce((best, candidate) => (named(candidate) > named(best) ? candidate : best), candidates[0]);
    const levels = instanceSegments(owner);
    const forms = levels.map((): AddressingForm => 'uuid');
    levels.forEach((_, level) => {
      const real = instance.refs[level];
      const malformed = malformedIds(real.id);
      cases.push({ target, instance, level, forms, unknown: unknownUuid });
      cases.push({ target, instance, level, forms, unknown: { kind: 'malformed-uuid', value: malformed[(templateIndex + level) % malformed.length] } });
      if (!canUseName(owner, instance.refs, level)) return;
      const names = knownNames(discovery, instance, level) ?? [];
      const misses = [...nearMissNames(real.name!), { value: unrelatedName, variant: 'unrelated name' }].filter((miss) => !names.includes(miss.value));
      if (misses.length > 0) cases.push({ target, instance, level, forms, unknown: { kind: 'near-miss-name', ...misses[0], others: misses.slice(1) } });
    });
  });
  return cases;
}

/** ADDR-UNKNOWN: an unknown UUID, a malformed UUID and an unknown name answer 404, at every level of a path. */
export const addrUnknownCheck: ConformanceCheck = {
  ruleId: 'ADDR-UNKNOWN',
  async run(context) {
    // The enumerated cases cover every instance (or template) each run; the drawn ones, a share of --runs, meet some again.
    const drawnRuns = Math.max(1, Math.round(context.settings.numRuns * 0.3));
    const discovery = await context.discovery();
    const knownIds = new Set(discovery.instances.map((instance) => instance.refs[instance.refs.length - 1].id));
    // Any discovered instance gives a real path; the arbitrary chooses the level to replace and what with.
    const representatives = discovery.instances;
    if (representatives.length === 0) context.notApplicable('no collection listed any instance');
    const kindsTried = new Set<string>();
    const arbitrary = discoveredInstance(representatives).chain((instance) => unknownCase(discovery, instance));
    const examples = everyTemplateCases(context.model, discovery, context.settings.seed);
    const templates = new Set(examples.map((example) => (example.target ?? example.instance.node).template));
    context.note(
      `${examples.length} cases every run: ${templates.size} path templates (instances, collections, sub-resources), every level, with an unknown UUID, ` +
        `a malformed id and (where the level has a name) an unknown name and its near misses; then ${drawnRuns} drawn`,
    );
    await context.property('unknown-at-any-level', arbitrary, async ({ target, instance, level, unknown, forms }) => {
      const variants = unknown.kind === 'near-miss-name' ? [unknown, ...unknown.others] : [unknown];
      const caseForms = forms.map((form, index) => (index === level ? (unknown.kind === 'near-miss-name' ? 'name' : 'uuid') : form));
      const parameter = instanceSegments(instance.node)[level].parameter;
      kindsTried.add(`${unknown.kind}@${parameter}`);
      for (const variant of variants) {
        if (knownIds.has(variant.value)) continue;
        const refs: InstanceRef[] = instance.refs.map((ref, index) => (index === level ? { id: variant.value, name: variant.value } : ref));
        const exchange = requireAnswer(await context.client.get(buildPath(target ?? instance.node, refs, caseForms)));
        if (exchange.status === 404) continue;
        const what = 'variant' in variant ? `an unknown name (${variant.variant} of ${JSON.stringify(instance.refs[level].name)})` : `a ${unknown.kind.replace('-', ' ')}`;
        return {
          message: `A path${target ? ` (${target.template})` : ''} with ${what} at level {${parameter}} must answer 404.`,
          expected: '404',
          actual: describeOutcome(exchange),
          exchanges: [exchange],
          provenance: 'inferred',
        };
      }
      return undefined;
    }, { examples, maxRuns: drawnRuns, independentRuns: true });
    context.note(`unknown kinds and levels tried: ${[...kindsTried].sort().join(', ')}`);
  },
};
