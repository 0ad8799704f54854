/**
 * ADDR-PARENT's negative side: a real instance asked for under a parent that does not hold it (read fresh) answers
 * 404, in every mix of UUID and name forms, or for a name form the parent's own instance of that name.
 */
import { buildPath, formsLabel, type AddressingForm, type ResourceModel } from '../../../contracts/resource-model.js';
import { allAddressingForms } from '../../arbitraries/addressing-forms.js';
import {
  alternativesTo, foreignParentCase, foreignParentExamples, foreignParentPools, freshPairs, lists, ownRef, pairRefs, parentParameter, readListing, type FreshPair,
} from '../../arbitraries/foreign-parent.js';
import { requireAnswer, type CheckContext } from '../../check.js';
import { bodyId } from '../../compare.js';
import type { DiscoveredInstance } from '../../discovery.js';
import { describeOutcome, type FindingInput } from '../../finding.js';
import type { Exchange } from '../../target-client.js';
import { breaksExpectation, expectationFor, explainedByNewMembership, type Expectation } from './expectation.js';
import { chainLabel, instanceLabel } from './labels.js';

/** What an answer was, for `actual`: the status, and whose instance came back. */
function describeAnswer(answer: Exchange, instance: DiscoveredInstance, expectation: Expectation): string {
  if (answer.status !== 200) return describeOutcome(answer);
  const id = bodyId(answer.json);
  if (id === ownRef(instance).id) return `200 with ${instanceLabel(instance)} itself (listed in ${instance.collectionPath})`;
  return `200 with id ${JSON.stringify(id)}${expectation.kind === 'namesake' ? ', not the parent\'s own instance' : ''}`;
}

/** Counts of what the read property tried, for the report's notes. */
class ForeignParentTally {
  readonly pairs = new Set<string>();
  readonly byKind = new Map<string, number>();
  readonly forms = new Set<string>();
  requests = 0;
  expected404 = 0;
  namesakes = 0;
  /** Members of a source that the foreign parent turned out to hold when read fresh (so not tried). */
  held = 0;

  pair(pair: FreshPair): void {
    const { collection, parent } = pair.fpCase;
    const key = `${ownRef(pair.instance).id}@${buildPath(collection, parent.refs)}`;
    if (this.pairs.has(key)) return;
    this.pairs.add(key);
    const kind = `${collection.resource.name} under {${parentParameter(collection)}}`;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }

  lines(): string[] {
    const kinds = [...this.byKind.entries()].sort().map(([kind, count]) => `${kind} ×${count}`).join(', ');
    return [
      `${this.pairs.size} (instance, foreign parent) pairs tried in ${this.requests} requests, every mix of addressing forms of each (${this.forms.size} mixes: ${[...this.forms].sort().join(', ')})`,
      `pairs by kind of parent: ${kinds}`,
      `answers expected 404: ${this.expected404}; name forms that reach the foreign parent's own instance of that name (correct): ${this.namesakes}; members of a source that the foreign parent held when read fresh (not tried): ${this.held}`,
    ];
  }
}

/** One pair: the instance is asked for under the foreign parent in every mix of forms. */
async function tryForeignParentRead(context: CheckContext, tally: ForeignParentTally, pair: FreshPair): Promise<FindingInput | undefined> {
  const { collection, parent } = pair.fpCase;
  const target = ownRef(pair.instance);
  const refs = pairRefs(pair);
  tally.pair(pair);
  // The mixes do not depend on each other: they go out together, and are judged in their order.
  const mixes = allAddressingForms(collection.item, refs);
  const answers = await Promise.all(mixes.map((forms) => context.client.get(buildPath(collection.item, refs, forms))));
  for (const [index, forms] of mixes.entries()) {
    const form = forms[forms.length - 1];
    const expectation = expectationFor(pair.listing, target, form);
    const answer = requireAnswer(answers[index]);
    tally.requests += 1;
    tally.forms.add(formsLabel(forms));
    if (expectation.kind === 'absent') tally.expected404 += 1;
    else tally.namesakes += 1;
    if (!breaksExpectation(expectation, answer)) continue;
    // The parent may have gained the instance meanwhile: read its collection again before calling it a fault.
    const relisted = await readListing(context.client, collection, parent.refs);
    if (explainedByNewMembership(relisted, target, form, answer)) continue;
    // An instance that comes and goes on its own (an agent that logged in at its phone and out again between the
    // reads) may have belonged to the parent for a moment: gone from its source too, it is not judged (§5).
    if (collection.resource.liveMembership && !lists(await readListing(context.client, pair.fpCase.source.node, pair.fpCase.source.parentRefs), target.id)) continue;
    return foreignParentFinding(pair, forms, expectation, answer, relisted.exchange);
  }
  return undefined;
}

/** The negative side: a real instance under a parent that does not hold it answers 404, in every mix of forms. */
export async function checkForeignParentReads(context: CheckContext, model: ResourceModel): Promise<void> {
  const discovery = await context.discovery();
  const pools = foreignParentPools(model, discovery);
  if (pools.length === 0) context.notApplicable('no nested collection has a parent and instances listed elsewhere');
  const tally = new ForeignParentTally();
  const examples = foreignParentExamples(pools);
  await context.property('foreign-parent-answers-404', foreignParentCase(pools), async (fpCase) => {
    const pairs = await freshPairs(context.client, fpCase, alternativesTo(pools, fpCase), (held) => (tally.held += held));
    // The pairs go out together; the first of them (in their order) that breaks its expectation is the finding.
    const found = await Promise.all(pairs.map((pair) => tryForeignParentRead(context, tally, pair)));
    return found.find((finding) => finding !== undefined);
  }, { independentRuns: true, examples });
  context.note(`${examples.length} foreign-parent cases tried every run (each kind of parent, a source nearby and one farther), then ${context.settings.numRuns} drawn`);
  for (const line of tally.lines()) context.note(line);
}

function foreignParentFinding(pair: FreshPair, forms: AddressingForm[], expectation: Expectation, answer: Exchange, relisted: Exchange): FindingInput {
  const { collection, parent } = pair.fpCase;
  const { instance } = pair;
  const under = buildPath(collection, parent.refs);
  const parentLabel = chainLabel(parent.node, parent.refs);
  const message =
    expectation.kind === 'absent'
      ? `${instanceLabel(instance)} is reached under ${parentLabel}, which does not hold it: the path written ${formsLabel(forms)} answers ${answer.status}.`
      : `Under ${parentLabel}, getByName/${ownRef(instance).name} answers another instance than that parent's own ${JSON.stringify(ownRef(instance).name)} (path written ${formsLabel(forms)}).`;
  return {
    message,
    expected: expectation.kind === 'absent' ? '404' : `200 with the parent's own instance of that name (id ${expectation.id})`,
    actual: `${describeAnswer(answer, instance, expectation)}; ${under}, read before and after, does not list ${ownRef(instance).id}`,
    exchanges: [pair.sourceRead, pair.listing.exchange, answer, relisted],
    provenance: 'inferred',
  };
}

