/**
 * The sequences ACT-SEQUENCES runs every run, before its random ones, derived from the contract's effects (none is
 * written per action): for every two actions that undo each other (they write one property of one resource with
 * different constants, as pause and unpause do), "do, do again, undo" and "undo, undo, do"; for every action that
 * creates an instance and one that removes it, and every action that changes a property the creation gives a value
 * (a default or a constant), "create, change, remove, create again without the optional properties": the new
 * instance must take the written defaults, not what the old one had. The model compares the whole small arena after
 * every step.
 */
import type { ActionEffect, ActionNode, ValueSpec } from '../../contracts/resource-model.js';
import { fullBodyDraft, requiredOnlyBodyDraft, type BodyDraft } from '../arbitraries/request-body.js';
import { ActionCommand, type StepKind } from './sequence-model.js';

/** One targeted sequence: what it tries, and its commands. */
export interface TargetedSequence {
  label: string;
  commands: ActionCommand[];
}

/** Properties `action` writes on its own instance with a constant: property → value. */
function constantsWritten(action: ActionNode): Map<string, unknown> {
  const written = new Map<string, unknown>();
  for (const effect of action.effects.effects) {
    if (effect.kind !== 'set' || effect.target.kind !== 'self') continue;
    for (const [property, spec] of Object.entries(effect.values)) if (spec.kind === 'const') written.set(property, spec.value);
  }
  return written;
}

/** Properties `action` writes on its own instance, with how. */
function propertiesWritten(action: ActionNode): Map<string, ValueSpec> {
  const written = new Map<string, ValueSpec>();
  for (const effect of action.effects.effects) {
    if (effect.kind === 'set' && effect.target.kind === 'self') for (const [property, spec] of Object.entries(effect.values)) written.set(property, spec);
  }
  return written;
}

/** The value a creation gives a property when the body leaves it out: its constant or its default. */
function creationValue(spec: ValueSpec): { value: unknown } | undefined {
  if (spec.kind === 'const') return { value: spec.value };
  return spec.hasDefault ? { value: spec.default } : undefined;
}

/** A value of the same type as `value` that differs from it. */
function otherThan(value: unknown): unknown {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value + 7;
  return `${String(value)}-changed`;
}

function step(name: string, variants: ActionNode[], body: BodyDraft | undefined, kind: StepKind = 'fresh'): ActionCommand {
  return new ActionCommand(name, variants, { variant: 0, body, byName: Array(6).fill(false), pick: 0, mode: 'change', kind });
}

/** Every targeted sequence of the contract's actions (those the checker can post: `byName`). */
export function targetedSequences(byName: Map<string, ActionNode[]>, seed: number): TargetedSequence[] {
  const actions = new PostableActions(byName);
  return [...undoingSequences(actions, seed), ...recreationSequences(actions, seed)];
}

/** The actions the checker can post, by name: names in order, each name's first variant and the resource it acts on. */
class PostableActions {
  /** The names, sorted: the sequences come in one order on every run. */
  readonly names: string[];

  constructor(readonly byName: Map<string, ActionNode[]>) {
    this.names = [...byName.keys()].sort();
  }

  first(name: string): ActionNode {
    return this.byName.get(name)![0];
  }

  resourceOf(name: string): string {
    return this.first(name).ownerInstance.resource.name;
  }

  /** A step posting `name` with `body`. */
  step(name: string, body: BodyDraft | undefined, kind: StepKind = 'fresh'): ActionCommand {
    return step(name, this.byName.get(name)!, body, kind);
  }
}

/** For two actions that write one property of one resource with different constants: "do, do again, undo", both ways. */
function undoingSequences(actions: PostableActions, seed: number): TargetedSequence[] {
  const sequences: TargetedSequence[] = [];
  const { names } = actions;
  const fullBody = (name: string) => fullBodyDraft(actions.first(name), seed);
  for (const [index, a] of names.entries()) {
    for (const b of names.slice(index + 1)) {
      if (actions.resourceOf(a) !== actions.resourceOf(b)) continue;
      const constantsA = constantsWritten(actions.first(a));
      const constantsB = constantsWritten(actions.first(b));
      const shared = [...constantsA.keys()].filter((property) => constantsB.has(property) && JSON.stringify(constantsA.get(property)) !== JSON.stringify(constantsB.get(property)));
      if (shared.length === 0) continue;
      for (const [x, y] of [[a, b], [b, a]]) {
        sequences.push({
          label: `${x}, ${x} again, ${y} (${shared.join(', ')})`,
          commands: [actions.step(x, fullBody(x)), actions.step(x, fullBody(x), 'repeat'), actions.step(y, fullBody(y))],
        });
      }
    }
  }
  return sequences;
}

/**
 * For an action that creates, one that removes what it created, and one that changes a property the creation gives
 * a value: "create, change, remove, create again without the optional properties".
 */
function recreationSequences(actions: PostableActions, seed: number): TargetedSequence[] {
  const sequences: TargetedSequence[] = [];
  const { names } = actions;
  const fullBody = (name: string) => fullBodyDraft(actions.first(name), seed);
  for (const create of names) {
    const creation = actions.first(create).effects.effects.find((effect) => effect.kind === 'create' && !effect.transient);
    if (!creation || creation.kind !== 'create') continue;
    const resource = creation.resource.name;
    for (const remove of removersOf(actions, creation)) {
      for (const change of names.filter((name) => actions.resourceOf(name) === resource && name !== create && name !== remove)) {
        const written = propertiesWritten(actions.first(change));
        const changed = [...written].filter(([property, spec]) => {
          const given = creation.values[property] && creationValue(creation.values[property]);
          if (!given) return false;
          return spec.kind === 'from' || JSON.stringify(spec.value) !== JSON.stringify(given.value);
        });
        if (changed.length === 0) continue;
        // A body-written change takes a value other than the creation's, so that inheriting it shows.
        const changeBody = fullBody(change);
        for (const [property, spec] of changed) {
          if (spec.kind === 'from' && changeBody) changeBody.values[spec.property] = otherThan(creationValue(creation.values[property])!.value);
        }
        sequences.push({
          label: `${create}, ${change} (${changed.map(([property]) => property).join(', ')}), ${remove}, ${create} again without its optional properties`,
          commands: [
            actions.step(create, fullBody(create)),
            actions.step(change, changeBody),
            actions.step(remove, fullBody(remove)),
            actions.step(create, requiredOnlyBodyDraft(actions.first(create), seed)),
          ],
        });
      }
    }
  }
  return sequences;
}

/** The actions that remove what `creation` creates: their own instance of its resource, or a member of its collections. */
function removersOf(actions: PostableActions, creation: Extract<ActionEffect, { kind: 'create' }>): string[] {
  const templates = new Set(creation.in.map((ref) => ref.node.template));
  const resource = creation.resource.name;
  return actions.names.filter((name) =>
    actions.first(name).effects.effects.some(
      (effect) =>
        effect.kind === 'remove' &&
        !effect.from &&
        (effect.target.kind === 'self' ? actions.resourceOf(name) === resource : effect.target.collections.every((ref) => templates.has(ref.node.template))),
    ),
  );
}
