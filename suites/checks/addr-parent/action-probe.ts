/**
 * The action ADDR-PARENT posts on an instance addressed under a foreign parent, chosen by the effect model alone:
 * among the actions posted on the instance's path, one whose predicted effect would show on the state as read now
 * (pause an agent that is not paused; a distinctive value where the body carries a free one), and that the restore
 * planner could undo should the target wrongly carry it out. No action is known here by name: an action added to
 * the contract with its effect is probed like the others.
 */
import type { ActionNode, InstanceRef, ResourceModel } from '../../../contracts/resource-model.js';
import type { NestedCollection } from '../../arbitraries/foreign-parent.js';
import type { BodyDraft } from '../../arbitraries/request-body.js';
import { transientResourcesOf, type Arena, type Scope } from '../../actions/arena.js';
import { overlaidStates, type ArenaState, type Item } from '../../actions/arena-state.js';
import { draftBodies } from '../../actions/candidates.js';
import { unrangedValue } from '../../actions/body-validation.js';
import { expectedAfter } from '../../actions/expected-outcome.js';
import { predict, type Prediction } from '../../actions/prediction.js';
import { changesState } from '../../actions/state-comparison.js';
import { uuidForms, type ActionInvocation } from '../../actions/invocation.js';
import { planUndo } from '../../actions/restore-planner.js';

/** The actions that may be posted on the items of a nested collection, and those left out with the reason. */
export interface ProbeActions {
  collection: NestedCollection;
  actions: ActionNode[];
  leftOut: string[];
}

/**
 * The actions posted on `collection`'s items. Left out: an action posted only on what the checker created (never
 * on a live call of a real person), one on instances that only live telephony makes, and one that creates what
 * cannot be taken back (a call): should the target wrongly carry it out, nothing could undo it.
 */
export function probeActions(model: ResourceModel, collection: NestedCollection): ProbeActions {
  const transient = transientResourcesOf(model);
  const actions: ActionNode[] = [];
  const leftOut: string[] = [];
  for (const action of model.actions.filter((candidate) => candidate.ownerInstance === collection.item)) {
    const name = action.definition.name;
    if (action.effects.onlyOnCreated || transient.has(collection.item.resource)) leftOut.push(`${name} (posted only on what the checker created)`);
    else if (action.effects.effects.some((effect) => effect.kind === 'create' && effect.transient)) leftOut.push(`${name} (what it creates cannot be taken back)`);
    else actions.push(action);
  }
  return { collection, actions, leftOut };
}

/** Every invocation at the instance's real path (`refs`, UUID forms) that the drafts make of `actions`, one draft each. */
export function probeInvocations(arena: Arena, state: ArenaState, actions: readonly ActionNode[], refs: InstanceRef[], drafts: readonly (BodyDraft | undefined)[]): ActionInvocation[] {
  return actions.flatMap((action, index) =>
    draftBodies(arena, state, action, refs, drafts[index]).map((body): ActionInvocation => ({
      action,
      refs,
      forms: uuidForms(action),
      body: body === undefined ? undefined : { kind: 'json', value: body },
    })),
  );
}

/** An invocation whose effect would show (and could be undone), with what the model predicts of it. */
export interface ActionProbe {
  invocation: ActionInvocation;
  prediction: Prediction;
}

/**
 * The invocations that `state` (a fresh look at `scope`) shows would change something the restore planner can put
 * back; the undo is planned on `known`, all that is known of the target with `state` in it (the names an undo's
 * body refers to lie outside the scope). A body holding a value LIVE-API.md writes no range for is left out: a
 * server may refuse it (§5).
 */
export function viableProbes(arena: Arena, state: ArenaState, known: ArenaState, scope: Scope, invocations: readonly ActionInvocation[]): ActionProbe[] {
  return invocations.flatMap((invocation) => {
    if (unrangedValue(invocation)) return [];
    const prediction = predict(arena, state, invocation);
    if (prediction.status !== 204 || !changesState(state, prediction) || prediction.creates.some((create) => create.transient)) return [];
    return planUndo(arena, scope, known, predictedState(known, prediction)) ? [{ invocation, prediction }] : [];
  });
}

/**
 * The state `prediction` leads to, each instance it creates standing under a placeholder id with the effect's values.
 * The look it is matched against is `state` with the placeholders added: only the collections they are added to
 * are copied (expectedAfter only reads the look), not all that is known of the target.
 */
function predictedState(state: ArenaState, prediction: Prediction): ArenaState {
  const added = new Map<string, Map<string, Item>>();
  prediction.creates.forEach((create, index) => {
    const id = `predicted-${index}`;
    const item = { id, ...Object.fromEntries(Object.entries(create.values).map(([name, expected]) => [name, expected.value])) };
    for (const collection of create.collections) {
      const members = added.get(collection.path) ?? new Map(state.collections.get(collection.path));
      members.set(id, structuredClone(item));
      added.set(collection.path, members);
    }
  });
  return expectedAfter(state, prediction, overlaidStates(state, { collections: added, singletons: new Map() })).state;
}

/** `paused would read true`: what the effect would have been, for a finding. */
export function describeEffect(prediction: Prediction): string {
  const sets = prediction.sets.flatMap((set) => Object.entries(set.values).map(([name, expected]) => `${name} would read ${JSON.stringify(expected.value)}`));
  const creates = prediction.creates.map((create) => `a new ${create.resource.name} would be listed in ${create.collections.map((c) => c.path).join(' and ')}`);
  const removes = prediction.removes.map((remove) => `${remove.id} would no longer be listed`);
  return [...sets, ...creates, ...removes].join('; ');
}
