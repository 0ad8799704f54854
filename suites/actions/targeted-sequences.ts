/**
 * The sequences ACT-SEQUENCES runs every run, before its random ones, derived from the contract's effects (none is
 * written per action): for every two actions that undo each other (they write one property of one resource with
 * different constants, as pause and unpause do), "do, do again, undo" and "undo, undo, do"; for every action that
 * creates an instance and one that removes it, and every action that changes a property the creation gives a value
 * (a default or a constant), "create, change, remove, create again without the optional properties": the new
 * instance must take the written defaults, not what the old one had. The model compares the whole small arena after
 * every step.
 */
import type { ActionNode } from '../../contracts/resource-model.js';
import type { ValueSpec } from '../../contracts/resource-model.js';
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
  const sequences: TargetedSequence[] = [];
  const names = [...byName.keys()].sort();
  const first = (name: string) => byName.get(name)![0];
  const resourceOf = (name: string) => first(name).ownerInstance.resource.name;

  // Actions that undo each other.
  for (const [index, a] of names.entries()) {
    for (const b of names.slice(index + 1)) {
      if (resourceOf(a) !== resourceOf(b)) continue;
      const constantsA = constantsWritten(first(a));
      const constantsB = constantsWritten(first(b));
      const shared = [...constantsA.keys()].filter((property) => constantsB.has(property) && JSON.stringify(constantsA.get(property)) !== JSON.stringify(constantsB.get(property)));
      if (shared.length === 0) continue;
      for (const [x, y] of [[a, b], [b, a]]) {
        sequences.push({
          label: `${x}, ${x} again, ${y} (${shared.join(', ')})`,
          commands: [
            step(x, byName.get(x)!, fullBodyDraft(first(x), seed)),
            step(x, byName.get(x)!, fullBodyDraft(first(x), seed), 'repeat'),
            step(y, byName.get(y)!, fullBodyDraft(first(y), seed)),
          ],
        });
      }
    }
  }

  // Create, change, remove, create again without the optional properties.
  for (const create of names) {
    const creation = first(create).effects.effects.find((effect) => effect.kind === 'create' && !effect.transient);
    if (!creation || creation.kind !== 'create') continue;
    const templates = new Set(creation.in.map((ref) => ref.node.template));
    const resource = creation.resource.name;
    const removers = names.filter((name) =>
      first(name).effects.effects.some(
        (effect) =>
          effect.kind === 'remove' &&
          !effect.from &&
          (effect.target.kind === 'self' ? resourceOf(name) === resource : effect.target.collections.every((ref) => templates.has(ref.node.template))),
      ),
    );
    for (const remove of removers) {
      for (const change of names.filter((name) => resourceOf(name) === resource && name !== create && name !== remove)) {
        const written = propertiesWritten(first(change));
        const changed = [...written].filter(([property, spec]) => {
          const given = creation.values[property] && creationValue(creation.values[property]);
          if (!given) return false;
          return spec.kind === 'from' || JSON.stringify(spec.value) !== JSON.stringify(given.value);
        });
        if (changed.length === 0) continue;
        // A body-written change takes a value other than the creation's, so that inheriting it shows.
        const changeBody = fullBodyDraft(first(change), seed);
        for (const [property, spec] of changed) {
          if (spec.kind === 'from' && changeBody) changeBody.values[spec.property] = otherThan(creationValue(creation.values[property])!.value);
        }
        sequences.push({
          label: `${create}, ${change} (${changed.map(([property]) => property).join(', ')}), ${remove}, ${create} again without its optional properties`,
          commands: [
            step(create, byName.get(create)!, fullBodyDraft(first(create), seed)),
            step(change, byName.get(change)!, changeBody),
            step(remove, byName.get(remove)!, fullBodyDraft(first(remove), seed)),
            step(create, byName.get(create)!, requiredOnlyBodyDraft(first(create), seed)),
          ],
        });
      }
    }
  }
  return sequences;
}
