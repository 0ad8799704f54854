import fc from 'fast-check';
import { buildPath, formsLabel, instanceSegments, type PathNode } from '../../contracts/resource-model.js';
import { discoveredNamesakes } from '../arbitraries/namesakes.js';
import { allAddressingForms } from '../arbitraries/addressing-forms.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { bodyId, describeDifferences, identityDifferences } from '../compare.js';
import { missedWhileListed, type DiscoveredInstance } from '../discovery.js';
import { boundEnumeration, describeEnumeration } from '../enumeration-bound.js';
import { describeOutcome } from '../finding.js';
import { expectSharedReads, judgeWithSharedReads } from '../shared-reads.js';

/** A path reached through a discovered instance: the instance itself, or a sub-resource of it. */
interface MixedTarget {
  node: PathNode & { kind: 'instance' | 'singleton' };
  instance: DiscoveredInstance;
}

/** ADDR-MIXED: every mix of UUID / getByName over the levels of one path reaches the same instance. */
export const addrMixedCheck: ConformanceCheck = {
  ruleId: 'ADDR-MIXED',
  async run(context) {
    const { model } = context;
    const instances = (await context.discovery()).instances.filter((instance) => allAddressingForms(instance.node, instance.refs).length > 1);
    const targets: MixedTarget[] = instances.flatMap((instance) => [
      { node: instance.node, instance },
      ...model.singletons.filter((s) => s.owner === instance.node).map((node) => ({ node, instance })),
    ]);
    if (targets.length === 0) context.notApplicable('no discovered path has a level that can be addressed by name');
    // Every namesake (a name listed under more than one parent) is read every run in every mix of its own path: where
    // a server resolves a name under the wrong parent, only they show it. Paths through a namesake parent are drawn.
    const namesakes = discoveredNamesakes((await context.discovery()).listings);
    const namesakeAt = (target: MixedTarget, index: number) => {
      const ref = target.instance.refs[index];
      return ref.name !== undefined && (namesakes.get(instanceSegments(target.instance.node)[index].resource.name)?.has(ref.name) ?? false);
    };
    const throughNamesake = (target: MixedTarget) => target.instance.refs.some((_, index) => namesakeAt(target, index));
    const enumeration = boundEnumeration(targets.filter((target) => target.node === target.instance.node && namesakeAt(target, target.instance.refs.length - 1)));
    const enumerated = enumeration.chosen;
    const namesakePaths = targets.filter(throughNamesake);
    let combinations = 0;
    const drawn = namesakePaths.length > 0 ? fc.oneof(fc.constantFrom(...targets), fc.constantFrom(...namesakePaths)) : fc.constantFrom(...targets);
    // ADDR-UUID and ADDR-NAME read these paths by UUID, and ADDR-NAME with the last level by name: one read serves them all.
    expectSharedReads(
      context,
      enumerated.flatMap(({ node, instance }) => allAddressingForms(node, instance.refs).map((forms) => buildPath(node, instance.refs, forms))),
    );
    await context.property('every-mix-reaches-the-same-instance', drawn, ({ node, instance }) => judgeWithSharedReads(context, async (read) => {
      const [uuidForms, ...mixes] = allAddressingForms(node, instance.refs);
      const baseline = requireAnswer(await read(buildPath(node, instance.refs, uuidForms)));
      const resource = node.resource;
      // The all-UUID form is ADDR-UUID's to judge: compare with it only when it reached the instance.
      if (baseline.status !== 200) return undefined;
      if (node.kind === 'instance' && bodyId(baseline.json) !== instance.refs[instance.refs.length - 1].id) return undefined;
      for (const forms of mixes) {
        combinations += 1;
        const mixedPath = buildPath(node, instance.refs, forms);
        const readMixed = async () => requireAnswer(await context.client.get(mixedPath));
        const mixed = requireAnswer(await read(mixedPath));
        if (mixed.status !== 200) {
          const evidence = await missedWhileListed(context.client, instance, readMixed, (again) => again.status === 200);
          if (!evidence) return undefined;
          return {
            message: `The path written ${formsLabel(forms)} does not reach what the all-UUID path reaches.`,
            expected: '200',
            actual: describeOutcome(mixed),
            exchanges: [baseline, mixed, ...evidence],
            provenance: node.provenance,
          };
        }
        const differences = resource ? identityDifferences(resource, baseline.json, mixed.json) : [];
        if (differences.length > 0) {
          return {
            message: `The path written ${formsLabel(forms)} reaches another instance than the all-UUID path.`,
            expected: `the same identity (${resource!.identityProperties.join(', ')})`,
            actual: describeDifferences(differences, baseline.json, mixed.json),
            exchanges: [baseline, mixed],
            provenance: node.provenance,
          };
        }
      }
      return undefined;
    }), { examples: enumerated, independentRuns: true });
    context.note(
      `${targets.length} paths to choose from; ${describeEnumeration(enumeration, 'namesake instances')} read every run in every mix of their own path, then ${context.settings.numRuns} drawn ` +
        `(half of them through a namesake); ${combinations} addressing combinations read`,
    );
  },
};
