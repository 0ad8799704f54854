import fc from 'fast-check';
import {
  buildPath, formsLabel, instanceSegments, type ActionNode, type AddressingForm, type CollectionNode, type InstanceRef, type PathNodeBase, type ResourceModel,
} from '../../contracts/resource-model.js';
import { allAddressingForms, canUseName } from '../arbitraries/addressing-forms.js';
import {
  alternativesTo, foreignParentActionCase, foreignParentCase, foreignParentExamples, foreignParentPools, freshPairs, holderGroups, holderGroupWithForms, lists,
  nestedCollections, ownRef, pairRefs, parentParameter, readListing, sameCollectionSources, type FreshListing, type FreshPair, type NestedCollection,
} from '../arbitraries/foreign-parent.js';
import { requireAnswer, type CheckContext, type ConformanceCheck } from '../check.js';
import { bodyId, describeDifferences, identityDifferences, stableDifferences } from '../compare.js';
import type { DiscoveredInstance } from '../discovery.js';
import { describeOutcome, type FindingInput } from '../finding.js';
import type { Exchange, TargetClient } from '../target-client.js';

/**
 * What a path to an instance under a parent that does not hold it must answer, given that parent's listing: 404,
 * except that the name form reaches the parent's own instance of that name when it has one (extension 101 of core
 * server B is B's own 101, a different instance: correct, not a leak).
 */
type Expectation = { kind: 'absent' } | { kind: 'namesake'; id: string };

function expectationFor(listing: Required<FreshListing>, instance: InstanceRef, form: AddressingForm): Expectation {
  const namesake = form === 'name' ? listing.items.find(({ ref }) => ref.name === instance.name) : undefined;
  return namesake ? { kind: 'namesake', id: namesake.ref.id } : { kind: 'absent' };
}

/** Whether the answer breaks the expectation. A namesake that does not answer is ADDR-NAME's to judge, not ours. */
function breaksExpectation(expectation: Expectation, answer: Exchange): boolean {
  if (expectation.kind === 'absent') return answer.status !== 404;
  return answer.status === 200 && bodyId(answer.json) !== expectation.id;
}

/** Whether a listing read after the answer explains it: the parent gained the instance, or a namesake that answered. */
function explainedByNewMembership(listing: FreshListing, instance: InstanceRef, form: AddressingForm, answer: Exchange): boolean {
  if (!listing.items || lists(listing, instance.id)) return true;
  if (form !== 'name' || answer.status !== 200) return false;
  return listing.items.some(({ ref }) => ref.name === instance.name && ref.id === bodyId(answer.json));
}

/** `CoreServer "main" › Extension "101"`: a chain of refs along a path, named where they have a name. */
function chainLabel(node: PathNodeBase, refs: InstanceRef[]): string {
  return instanceSegments(node)
    .slice(0, refs.length)
    .map((segment, index) => `${segment.resource.name} ${refs[index].name !== undefined ? JSON.stringify(refs[index].name) : refs[index].id}`)
    .join(' › ');
}

/** An instance with the parents it is listed under. */
function instanceLabel(instance: DiscoveredInstance): string {
  return chainLabel(instance.node, instance.refs);
}

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
  for (const forms of allAddressingForms(collection.item, refs)) {
    const form = forms[forms.length - 1];
    const expectation = expectationFor(pair.listing, target, form);
    const answer = requireAnswer(await context.client.get(buildPath(collection.item, refs, forms)));
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
async function checkForeignParentReads(context: CheckContext, model: ResourceModel): Promise<void> {
  const discovery = await context.discovery();
  const pools = foreignParentPools(model, discovery);
  if (pools.length === 0) context.notApplicable('no nested collection has a parent and instances listed elsewhere');
  const tally = new ForeignParentTally();
  const examples = foreignParentExamples(pools);
  await context.property('foreign-parent-answers-404', foreignParentCase(pools), async (fpCase) => {
    for (const pair of await freshPairs(context.client, fpCase, alternativesTo(pools, fpCase), (held) => (tally.held += held))) {
      const found = await tryForeignParentRead(context, tally, pair);
      if (found) return found;
    }
    return undefined;
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
async function checkHoldersAgree(context: CheckContext): Promise<void> {
  const discovery = await context.discovery();
  const groups = holderGroups(discovery);
  if (groups.length === 0) {
    context.note('no instance was discovered under two parents: the positive side (same instance under each holder) was not tried');
    return;
  }
  const tally: HolderTally = { instances: new Set(), reads: 0, gone: 0 };
  await context.property('holders-reach-the-same-instance', holderGroupWithForms(groups), async ({ group, forms }) => {
    const reads: { holder: DiscoveredInstance; forms: AddressingForm[]; exchange: Exchange }[] = [];
    for (const [index, holder] of group.holders.entries()) {
      for (const holderForms of uniqueForms(holder, forms[index])) {
        const exchange = requireAnswer(await context.client.get(buildPath(holder.node, holder.refs, holderForms)));
        tally.reads += 1;
        if (exchange.status !== 200) continue;
        reads.push({ holder, forms: holderForms, exchange });
      }
    }
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
      const firstAgain = requireAnswer(await context.client.get(first.exchange.path));
      const readAgain = requireAnswer(await context.client.get(read.exchange.path));
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

/** The all-UUID form of a holder's path, and the given mix when it differs. */
function uniqueForms(holder: DiscoveredInstance, forms: AddressingForm[]): AddressingForm[][] {
  const uuid = forms.map((): AddressingForm => 'uuid');
  return formsLabel(forms) === formsLabel(uuid) ? [uuid] : [uuid, forms];
}

/**
 * A reversible action to try under a foreign parent: chosen from the instance's state so that its effect would show
 * (pause an agent that is not paused), with the action that undoes it should the target wrongly carry it out. The
 * contract names actions but does not model their effects, so the probes are kept here, by action name.
 */
interface ActionProbe {
  /** The contract's action names (`x-action.name`) the probe posts. */
  actions: readonly string[];
  /** What to post given the instance (and the action's own sub-resource, e.g. a status) as read now. */
  plan(instance: Record<string, unknown>, owner: Record<string, unknown> | undefined): ProbePlan | undefined;
}

interface ProbePlan {
  action: string;
  body?: unknown;
  /** What the effect would be, in words, for the finding. */
  effect: string;
  undo: { action: string; body?: unknown };
}

const ACTION_PROBES: readonly ActionProbe[] = [
  {
    actions: ['pause', 'unpause'],
    plan: ({ paused }) =>
      typeof paused !== 'boolean'
        ? undefined
        : paused
          ? { action: 'unpause', effect: 'paused would read false', undo: { action: 'pause' } }
          : { action: 'pause', effect: 'paused would read true', undo: { action: 'unpause' } },
  },
  {
    actions: ['dndEnable', 'dndDisable'],
    plan: ({ dnd }) =>
      typeof dnd !== 'boolean'
        ? undefined
        : dnd
          ? { action: 'dndDisable', effect: 'dnd would read false', undo: { action: 'dndEnable' } }
          : { action: 'dndEnable', effect: 'dnd would read true', undo: { action: 'dndDisable' } },
  },
  {
    actions: ['penalty'],
    plan: ({ penalty }) =>
      typeof penalty !== 'number'
        ? undefined
        : { action: 'penalty', body: { penalty: penalty + 1 }, effect: `penalty would read ${penalty + 1}`, undo: { action: 'penalty', body: { penalty } } },
  },
  {
    actions: ['setStatus'],
    plan: (_user, status) => {
      if (!status || typeof status.note !== 'string') return undefined;
      const { name, type, note, returnTime } = status;
      const marked = `${note} (isym-conform ADDR-PARENT)`;
      return { action: 'setStatus', body: { name, type, note: marked, returnTime }, effect: `the status note would read ${JSON.stringify(marked)}`, undo: { action: 'setStatus', body: { name, type, note, returnTime } } };
    },
  },
];

/** The action of `name` posted on the same instance path as `like`. */
function sibling(model: ResourceModel, like: ActionNode, name: string): ActionNode | undefined {
  return model.actions.find((action) => action.ownerInstance === like.ownerInstance && action.owner === like.owner && action.definition.name === name);
}

/** One probe on one nested collection: the actions it may post there. */
interface ActionTarget {
  collection: NestedCollection;
  probe: ActionProbe;
  /** Any action of the probe on the collection's items: the others are its siblings. */
  action: ActionNode;
}

function actionTargets(model: ResourceModel, collections: readonly NestedCollection[]): ActionTarget[] {
  return collections.flatMap((collection) =>
    ACTION_PROBES.flatMap((probe) => {
      const action = model.actions.find((candidate) => candidate.ownerInstance === collection.item && probe.actions.includes(candidate.definition.name));
      return action && probe.actions.every((name) => sibling(model, action, name)) ? [{ collection, probe, action }] : [];
    }),
  );
}

async function readJson(client: TargetClient, path: string): Promise<{ exchange: Exchange; body?: Record<string, unknown> }> {
  const exchange = requireAnswer(await client.get(path));
  const ok = exchange.status === 200 && exchange.json !== null && typeof exchange.json === 'object' && !Array.isArray(exchange.json);
  return ok ? { exchange, body: exchange.json as Record<string, unknown> } : { exchange };
}

/**
 * Actions: an action of the contract on a real instance addressed under a foreign parent answers 404 and changes
 * nothing; the instance is read at its real path before and after. A wrong success is undone at once.
 */
async function checkForeignParentActions(context: CheckContext, model: ResourceModel): Promise<void> {
  if (context.settings.actionsAllowed === false) {
    context.note('actions under a foreign parent not tried: the run is read-only (the ACT rules are skipped)');
    return;
  }
  const discovery = await context.discovery();
  // Instances from the same collection under other parents: their real path takes the action and its undo.
  const pools = foreignParentPools(model, discovery, sameCollectionSources(discovery));
  const cases = actionTargets(model, nestedCollections(model)).flatMap((target) => {
    const targetPools = pools.filter((pool) => pool.collection === target.collection);
    return targetPools.length > 0 ? [foreignParentActionCase(targetPools).map((actionCase) => ({ ...actionCase, target }))] : [];
  });
  if (cases.length === 0) {
    context.note('no action of the contract could be tried under a foreign parent (no instance of an action\'s path was discovered)');
    return;
  }
  const tried = new Map<string, number>();
  const forms = new Set<string>();
  await context.property('foreign-parent-action-answers-404', fc.oneof(...cases), async (actionCase) => {
    const [pair] = await freshPairs(context.client, actionCase, alternativesTo(pools, actionCase));
    if (!pair) return undefined;
    const outcome = await tryActionUnderForeignParent(context, model, actionCase.target, pair, actionCase.byName);
    if (outcome === undefined || 'message' in outcome) return outcome;
    tried.set(outcome.label, (tried.get(outcome.label) ?? 0) + 1);
    forms.add(formsLabel(outcome.forms));
    return undefined;
  });
  const counts = [...tried.entries()].sort().map(([label, count]) => `${label} ×${count}`).join(', ');
  context.note(`actions posted under a foreign parent, each answering 404 and changing nothing: ${counts || 'none'} (${forms.size} mixes of forms)`);
}

/** Tries one action; gives what was tried when the target conformed, a finding when not, undefined when not tried. */
async function tryActionUnderForeignParent(
  context: CheckContext,
  model: ResourceModel,
  target: ActionTarget,
  pair: FreshPair,
  byName: boolean[],
): Promise<{ label: string; forms: AddressingForm[] } | FindingInput | undefined> {
  const { client } = context;
  const { collection, parent } = pair.fpCase;
  const { instance } = pair;
  const own = ownRef(instance);
  const refs = pairRefs(pair);
  const forms = instanceSegments(collection.item).map((_, index): AddressingForm => (byName[index] && canUseName(collection.item, refs, index) ? 'name' : 'uuid'));
  // Never post where the foreign parent has its own instance of that name: the action would rightly act on it.
  if (expectationFor(pair.listing, own, forms[forms.length - 1]).kind !== 'absent') return undefined;

  const realPath = (node: PathNodeBase) => buildPath(node, instance.refs);
  const owner = target.action.owner.kind === 'singleton' ? target.action.owner : undefined;
  const before = await readJson(client, realPath(instance.node));
  const ownerBefore = owner ? await readJson(client, realPath(owner)) : undefined;
  if (!before.body || (owner && !ownerBefore?.body)) return undefined; // gone meanwhile, or ADDR-UUID's to report
  const plan = target.probe.plan(before.body, ownerBefore?.body);
  const action = plan && sibling(model, target.action, plan.action);
  const undo = plan && sibling(model, target.action, plan.undo.action);
  if (!plan || !action || !undo) return undefined;

  const posted = requireAnswer(await client.post(buildPath(action, refs, forms), { body: plan.body }));
  const after = await readJson(client, realPath(instance.node));
  const label = `${plan.action} on ${collection.resource.name} under {${parentParameter(collection)}}`;
  const parentLabel = chainLabel(parent.node, parent.refs);
  if (posted.status === 404) {
    const changed = after.body ? stableDifferences(instance.node.resource, before.body, after.body) : [];
    if (changed.length === 0) return { label, forms };
    return {
      message: `${plan.action} on ${instanceLabel(instance)} addressed under ${parentLabel}, which does not hold it, answered 404 but changed the instance (path written ${formsLabel(forms)}).`,
      expected: '404 and no change',
      actual: `404, and ${describeDifferences(changed, before.body, after.body)}`,
      exchanges: [pair.listing.exchange, before.exchange, posted, after.exchange],
      provenance: 'inferred',
    };
  }
  const undone = posted.status >= 200 && posted.status < 300 ? requireAnswer(await client.post(realPath(undo), { body: plan.undo.body })) : undefined;
  const relisted = await readListing(client, collection, parent.refs);
  if (lists(relisted, own.id)) return { label, forms }; // the parent gained it meanwhile: churn
  const ownerAfter = owner ? await readJson(client, realPath(owner)) : undefined;
  return {
    message: `${plan.action} on ${instanceLabel(instance)} addressed under ${parentLabel}, which does not hold it, answered ${posted.status} (path written ${formsLabel(forms)})${undone ? `; the checker undid it with ${plan.undo.action} at the real path` : ''}.`,
    expected: `404, and no change (had it acted, ${plan.effect})`,
    actual: describeOutcome(posted),
    exchanges: [
      pair.listing.exchange, before.exchange, ...(ownerBefore ? [ownerBefore.exchange] : []), posted, after.exchange,
      ...(ownerAfter ? [ownerAfter.exchange] : []), ...(undone ? [undone] : []), relisted.exchange,
    ],
    provenance: 'inferred',
  };
}

/**
 * ADDR-PARENT: an instance is reached only under the parents that hold it. Under a parent whose collection, read
 * fresh, does not list it, every mix of UUID / getByName answers 404 (or, for a name form, the parent's own instance
 * of that name); under each parent that lists it, it is the same instance; and an action addressed under a foreign
 * parent answers 404 and changes nothing.
 */
export const addrParentCheck: ConformanceCheck = {
  ruleId: 'ADDR-PARENT',
  async run(context) {
    await checkForeignParentReads(context, context.model);
    await checkHoldersAgree(context);
    await checkForeignParentActions(context, context.model);
  },
};

