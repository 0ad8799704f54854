/**
 * ADDR-PARENT's positive side: one instance under each parent that holds it is the same instance.
 */
import { buildPath, formsLabel, type AddressingForm } from '../../../contracts/resource-model.js';
import { holderGroups, holderGroupWithForms } from '../../arbitraries/foreign-parent.js';
import { requireAnswer, type CheckContext } from '../../check.js';
import { bodyId, describeDifferences, identityDifferences, stableDifferences } from '../../compare.js';
import type { DiscoveredInstance } from '../../discovery.js';
import type { Exchange } from '../../target-client.js';
import { chainLabel } from './labels.js';

/** Counts of what the holders property tried, for the report's notes. */
interface HolderTally {
  instances: Set<string>;
  reads: number;
  gone: number;
}

/**
 * The positive side: one instance under each parent that holds it (an agent under its queue and its extension, an
 * extension under its core server and its users) is the same instance: same identity, same non-volatile properties.
 * Whether a listed instance answers 200 at its UUID path is ADDR-UUID's to judge, and a mixed form that does not
 * answer is ADDR-MIXED's: here only a 200 counts, and it must be that instance.
 */
export async function checkHoldersAgree(context: CheckContext): Promise<void> {
  const discovery = await context.discovery();
  const groups = holderGroups(discovery);
  if (groups.length === 0) {
    context.note('no instance was discovered under two parents: the positive side (same instance under each holder) was not tried');
    return;
  }
  const tally: HolderTally = { instances: new Set(), reads: 0, gone: 0 };
  await context.property('holders-reach-the-same-instance', holderGroupWithForms(groups), async ({ group, forms }) => {
    // Every read of the case goes out together; they are taken in holder order.
    const planned = group.holders.flatMap((holder, index) => uniqueForms(forms[index]).map((holderForms) => ({ holder, forms: holderForms })));
    const answers = await Promise.all(planned.map((read) => context.client.get(buildPath(read.holder.node, read.holder.refs, read.forms))));
    tally.reads += planned.length;
    const reads: { holder: DiscoveredInstance; forms: AddressingForm[]; exchange: Exchange }[] = planned
      .map((read, index) => ({ ...read, exchange: requireAnswer(answers[index]) }))
      .filter((read) => read.exchange.status === 200);
    tally.instances.add(group.id);
    const resource = group.holders[0].node.resource;
    const wrongId = reads.find((read) => bodyId(read.exchange.json) !== group.id);
    if (wrongId) {
      return {
        message: `Under ${chainLabel(wrongId.holder.node, wrongId.holder.refs.slice(0, -1))}, which lists ${group.id}, the path written ${formsLabel(wrongId.forms)} answers another instance.`,
        expected: `200 with id ${group.id}`,
        actual: `200 with id ${JSON.stringify(bodyId(wrongId.exchange.json))}`,
        exchanges: [wrongId.exchange],
        provenance: wrongId.holder.node.provenance,
      };
    }
    for (const read of reads.slice(1)) {
      const first = reads[0];
      const identity = identityDifferences(resource, first.exchange.json, read.exchange.json);
      const stable = stableDifferences(resource, first.exchange.json, read.exchange.json);
      if (identity.length === 0 && stable.length === 0) continue;
      // A non-volatile property may have changed between the reads: read both again before calling it a fault.
      const [firstAgain, readAgain] = (await Promise.all([context.client.get(first.exchange.path), context.client.get(read.exchange.path)])).map(requireAnswer);
      if (firstAgain.status !== 200 || readAgain.status !== 200) {
        tally.gone += 1;
        continue;
      }
      const still = [...identityDifferences(resource, firstAgain.json, readAgain.json), ...stableDifferences(resource, firstAgain.json, readAgain.json)];
      if (still.length === 0) continue;
      return {
        message: `One instance (${group.id}) reads differently under two parents that both hold it: ${chainLabel(first.holder.node, first.holder.refs.slice(0, -1))} (written ${formsLabel(first.forms)}) and ${chainLabel(read.holder.node, read.holder.refs.slice(0, -1))} (written ${formsLabel(read.forms)}).`,
        expected: 'the same identity and non-volatile properties under every parent that lists it',
        actual: describeDifferences(still, firstAgain.json, readAgain.json),
        exchanges: [first.exchange, read.exchange, firstAgain, readAgain],
        provenance: resource.provenance,
      };
    }
    return undefined;
  }, { independentRuns: true });
  context.note(`${tally.instances.size} instances held by several parents read under each of them (${tally.reads} reads, UUID form and a mix of forms)`);
}

/** The all-UUID forms of a holder's path, and the given mix when it differs. */
function uniqueForms(forms: AddressingForm[]): AddressingForm[][] {
  const uuid = forms.map((): AddressingForm => 'uuid');
  return formsLabel(forms) === formsLabel(uuid) ? [uuid] : [uuid, forms];
}
