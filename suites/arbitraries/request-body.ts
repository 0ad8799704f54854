/**
 * Request bodies of actions, generated from the contract's request schemas: valid ones (drawn before the
 * target's state is known, their body references filled in later from the names the target lists) and
 * mutations that break the schema in one way each (not JSON, not an object, a required property missing, a
 * property of the wrong type, a value out of its range or list).
 */
import fc from 'fast-check';
import type { ActionNode, JsonSchema } from '../../contracts/resource-model.js';

/** How a body reference is filled in: with a name the target lists, or with a value outside the server. */
export type RefPick = { kind: 'listed' } | { kind: 'outside'; value: string };

/** A valid body before the target's state is known: its plain values, and one pick per body reference. */
export interface BodyDraft {
  values: Record<string, unknown>;
  refs: Record<string, RefPick>;
}

/** The properties of an object schema, following a top-level allOf. */
export function schemaProperties(schema: JsonSchema): Record<string, JsonSchema> {
  const fromAllOf = ((schema.allOf ?? []) as JsonSchema[]).reduce<Record<string, JsonSchema>>((merged, part) => ({ ...merged, ...schemaProperties(part) }), {});
  return { ...fromAllOf, ...((schema.properties ?? {}) as Record<string, JsonSchema>) };
}

/** A schema with its top-level allOf folded in (the contract writes `{ allOf: [StatusType] }`). */
function flatten(schema: JsonSchema): JsonSchema {
  const parts = (schema.allOf ?? []) as JsonSchema[];
  return parts.reduce<JsonSchema>((merged, part) => ({ ...merged, ...flatten(part) }), { ...schema, allOf: undefined });
}

/** The JSON type a schema asks for (the first non-null one of a list). */
export function schemaType(schema: JsonSchema): string | undefined {
  const flat = flatten(schema);
  const type = flat.type;
  if (Array.isArray(type)) return (type as string[]).find((t) => t !== 'null');
  if (typeof type === 'string') return type;
  if (Array.isArray(flat.enum)) return typeof flat.enum[0];
  return undefined;
}

/** The length of the random part of a distinctive string, and its alphabet: 36^12 (about 4.7e18) values. */
export const DISTINCTIVE_LENGTH = 12;
/** Distinctive integers are drawn from this range: one of about 2e9 values. */
export const DISTINCTIVE_MIN = 100_000_000;
export const DISTINCTIVE_MAX = 2_100_000_000;

/**
 * A value the schema accepts: its examples and its type's plain values, small ranges so that values meet again.
 * `distinctive`: a free value (a string with no list, an integer with no maximum) is one no server holds by chance
 * (`iso-` and 12 random letters and digits, or an integer of nine or ten digits), so that where it turns up shows
 * where the action wrote it.
 */
export function validValue(schema: JsonSchema, distinctive = false): fc.Arbitrary<unknown> {
  const flat = flatten(schema);
  if ('const' in flat) return fc.constant(flat.const);
  if (Array.isArray(flat.enum) && flat.enum.length > 0) return fc.constantFrom(...(flat.enum as unknown[]));
  if (distinctive) {
    const type = schemaType(flat);
    // Never shrunk: a shrunk value ("iso-aaaaaaaaaaaa") would no longer be one that no server holds by chance.
    if (type === 'string') return fc.noShrink(fc.stringMatching(new RegExp(`^[a-z0-9]{${DISTINCTIVE_LENGTH}}$`)).map((text) => `iso-${text}`));
    if ((type === 'integer' || type === 'number') && typeof flat.maximum !== 'number') return fc.noShrink(fc.integer({ min: DISTINCTIVE_MIN, max: DISTINCTIVE_MAX }));
  }
  const typed = ((): fc.Arbitrary<unknown> => {
    switch (schemaType(flat)) {
      case 'integer':
      case 'number': {
        // Without a written minimum, from 0: a negative value may be out of an unwritten range (§5: returnTime below -1).
        const min = typeof flat.minimum === 'number' ? flat.minimum : 0;
        const max = typeof flat.maximum === 'number' ? flat.maximum : min + 9;
        return fc.integer({ min, max });
      }
      case 'boolean':
        return fc.boolean();
      case 'string': {
        // Never the empty string: where no range is written, a server may store it or answer 412 (LIVE-API.md
        // §5), so a valid body of ours holds none.
        const minLength = Math.max(1, typeof flat.minLength === 'number' ? flat.minLength : 0);
        return fc.string({ minLength, maxLength: Math.max(minLength, 12) });
      }
      default:
        return fc.constant(null);
    }
  })();
  const examples = Array.isArray(flat.examples) ? (flat.examples as unknown[]) : [];
  return examples.length > 0 ? fc.oneof(fc.constantFrom(...examples), typed) : typed;
}

/** Values outside the server for a body reference: the schema's examples, or digit strings. */
function outsideValue(schema: JsonSchema): fc.Arbitrary<string> {
  const examples = (Array.isArray(schema.examples) ? schema.examples : []).filter((e): e is string => typeof e === 'string');
  return examples.length > 0 ? fc.constantFrom(...examples) : fc.stringMatching(/^9[0-9]{6}$/);
}

/**
 * A valid body draft for `action` (undefined when the action takes no body). Optional properties come and go.
 * `distinctive`: free values no server holds by chance (see {@link validValue}).
 */
export function bodyDraft(action: ActionNode, distinctive = false): fc.Arbitrary<BodyDraft | undefined> {
  const schema = action.requestSchema;
  if (!schema) return fc.constant(undefined);
  const required = new Set((schema.required ?? []) as string[]);
  const refs = action.effects.bodyRefs;
  const entries = Object.entries(schemaProperties(schema)).map(([name, property]) => {
    const ref = refs[name];
    const value: fc.Arbitrary<{ ref?: RefPick; value?: unknown }> = ref
      ? (ref.unknown === 'outside'
          ? fc.oneof(fc.constant<RefPick>({ kind: 'listed' }), outsideValue(property).map((value): RefPick => ({ kind: 'outside', value })))
          : fc.constant<RefPick>({ kind: 'listed' })
        ).map((pick) => ({ ref: pick }))
      : validValue(property, distinctive).map((v) => ({ value: v }));
    return [name, required.has(name) ? value : fc.option(value, { nil: undefined })] as const;
  });
  return fc.tuple(...entries.map(([, arbitrary]) => arbitrary)).map((drawn) => {
    const draft: BodyDraft = { values: {}, refs: {} };
    drawn.forEach((entry, index) => {
      if (!entry) return;
      const name = entries[index][0];
      if (entry.ref) draft.refs[name] = entry.ref;
      else draft.values[name] = entry.value;
    });
    return draft;
  });
}

/** How a valid body is broken: the kind, and picks that choose the property and the wrong value. */
export interface BodyMutation {
  kind: 'not-json' | 'not-object' | 'missing-required' | 'wrong-type' | 'out-of-range';
  property: number;
  variant: number;
}

/** A mutation of a body (of an action with a request schema), or of an empty body (of one without). */
export function bodyMutation(action: ActionNode): fc.Arbitrary<BodyMutation> {
  const kinds: BodyMutation['kind'][] = action.requestSchema ? ['not-json', 'not-object', 'missing-required', 'wrong-type', 'out-of-range'] : ['not-json'];
  return fc.record({ kind: fc.constantFrom(...kinds), property: fc.nat(), variant: fc.nat() });
}

const notJsonTexts = ['{', '{"a":', 'not json', "{'single': 'quotes'}", '[1,', '{"a": 1,}', 'undefined'];

/** Values of every JSON type, to put where another type is asked for. */
const otherTypeValues: unknown[] = [null, 12, 'text', true, [], {}, 1.5];

/** Values that break a property's range or list, for its schema. */
function outOfRange(schema: JsonSchema): unknown[] {
  const flat = flatten(schema);
  const values: unknown[] = [];
  if (typeof flat.minimum === 'number') values.push(flat.minimum - 1, flat.minimum - 1000);
  if (typeof flat.maximum === 'number') values.push(flat.maximum + 1);
  if (typeof flat.minLength === 'number' && flat.minLength > 0) values.push('');
  if (Array.isArray(flat.enum) && typeof flat.enum[0] === 'string') {
    const first = flat.enum[0] as string;
    values.push(`not-${first}`, first.toUpperCase() === first ? first.toLowerCase() : first.toUpperCase(), '');
  }
  return values.filter((value) => !(Array.isArray(flat.enum) && (flat.enum as unknown[]).includes(value)));
}

/** What a mutation made of a valid body: a label for messages, and the body to send (JSON, or text). */
export interface MutatedBody {
  label: string;
  body: { kind: 'json'; value: unknown } | { kind: 'text'; text: string };
}

/**
 * Applies `mutation` to the valid body `valid` of `action`; undefined when this kind has nothing to break here
 * (no required property, no property with a range). `accepts` tells whether a value fits a property's schema,
 * so that a "wrong" value that the schema allows is never sent as one.
 */
export function mutateBody(
  action: ActionNode,
  valid: Record<string, unknown> | undefined,
  mutation: BodyMutation,
  accepts: (schema: JsonSchema, value: unknown) => boolean,
): MutatedBody | undefined {
  const pick = <T>(items: readonly T[], index: number): T | undefined => (items.length === 0 ? undefined : items[index % items.length]);
  const schema = action.requestSchema;
  if (mutation.kind === 'not-json') {
    const text = pick([...notJsonTexts, ...(valid ? [JSON.stringify(valid).slice(0, -1)] : [])], mutation.variant)!;
    return { label: `a body that is not JSON (${JSON.stringify(text)})`, body: { kind: 'text', text } };
  }
  if (!schema || !valid) return undefined;
  const properties = schemaProperties(schema);
  if (mutation.kind === 'not-object') {
    const value = pick([[], 'text', 42, null, true, [valid]], mutation.variant);
    return { label: `a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value} instead of an object`, body: { kind: 'json', value } };
  }
  if (mutation.kind === 'missing-required') {
    const name = pick((schema.required ?? []) as string[], mutation.property);
    if (name === undefined) return undefined;
    const { [name]: _removed, ...rest } = valid;
    return { label: `a body without the required property "${name}"`, body: { kind: 'json', value: rest } };
  }
  const names = Object.keys(properties).filter((name) => (mutation.kind === 'wrong-type' ? true : outOfRange(properties[name]).length > 0));
  const name = pick(names, mutation.property);
  if (name === undefined) return undefined;
  const candidates = (mutation.kind === 'wrong-type' ? otherTypeValues : outOfRange(properties[name])).filter((value) => !accepts(properties[name], value));
  const value = pick(candidates, mutation.variant);
  if (candidates.length === 0) return undefined;
  const what = mutation.kind === 'wrong-type' ? 'of the wrong type' : 'out of its range or list';
  return { label: `"${name}" ${what} (${JSON.stringify(value)})`, body: { kind: 'json', value: { ...valid, [name]: value } } };
}

/**
 * A valid body draft with every property present (so that each can be broken): body references name a listed
 * instance, the other values are the first valid value drawn with `seed`. Undefined when the action takes no body.
 */
export function fullBodyDraft(action: ActionNode, seed: number, only?: (name: string) => boolean, distinctive = false): BodyDraft | undefined {
  const schema = action.requestSchema;
  if (!schema) return undefined;
  const draft: BodyDraft = { values: {}, refs: {} };
  for (const [name, property] of Object.entries(schemaProperties(schema))) {
    if (only && !only(name)) continue;
    if (action.effects.bodyRefs[name]) draft.refs[name] = { kind: 'listed' };
    else draft.values[name] = fc.sample(validValue(property, distinctive), { seed, numRuns: 1 })[0];
  }
  return draft;
}

/** The optional properties of an action's body (none without a body). */
export function optionalProperties(action: ActionNode): string[] {
  const schema = action.requestSchema;
  if (!schema) return [];
  const required = new Set((schema.required ?? []) as string[]);
  return Object.keys(schemaProperties(schema)).filter((name) => !required.has(name));
}

/** A valid body draft with only the required properties: every optional one left out, for its default. */
export function requiredOnlyBodyDraft(action: ActionNode, seed: number): BodyDraft | undefined {
  const optional = new Set(optionalProperties(action));
  return fullBodyDraft(action, seed, (name) => !optional.has(name));
}

/**
 * Every way the enumeration breaks a valid body of `action`, each once: for an action with a body, a body that is
 * not JSON, JSON that is not an object (each other JSON type), each required property missing, each property with
 * each wrong JSON type and null, each value just outside a written range or list; for an action without one, a
 * non-empty body that is not JSON. `accepts` keeps out a "wrong" value the schema allows.
 */
export function everyBodyMutation(action: ActionNode, valid: Record<string, unknown> | undefined, accepts: (schema: JsonSchema, value: unknown) => boolean): MutatedBody[] {
  const schema = action.requestSchema;
  const notJson: MutatedBody = { label: `a body that is not JSON (${JSON.stringify(notJsonTexts[0])})`, body: { kind: 'text', text: notJsonTexts[0] } };
  if (!schema || !valid) return [notJson];
  const mutated: MutatedBody[] = [notJson];
  const truncated = JSON.stringify(valid).slice(0, -1);
  mutated.push({ label: `a body that is not JSON (the valid body cut short: ${JSON.stringify(truncated)})`, body: { kind: 'text', text: truncated } });
  for (const value of [[], 'text', 42, null, true]) {
    mutated.push({ label: `a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value} instead of an object`, body: { kind: 'json', value } });
  }
  for (const name of (schema.required ?? []) as string[]) {
    const { [name]: _removed, ...rest } = valid;
    mutated.push({ label: `a body without the required property "${name}"`, body: { kind: 'json', value: rest } });
  }
  const properties = schemaProperties(schema);
  for (const [name, property] of Object.entries(properties)) {
    for (const value of otherTypeValues.filter((candidate) => !accepts(property, candidate))) {
      mutated.push({ label: `"${name}" of the wrong type (${JSON.stringify(value)})`, body: { kind: 'json', value: { ...valid, [name]: value } } });
    }
    for (const value of outOfRange(property).filter((candidate) => !accepts(property, candidate))) {
      mutated.push({ label: `"${name}" out of its range or list (${JSON.stringify(value)})`, body: { kind: 'json', value: { ...valid, [name]: value } } });
    }
  }
  return mutated;
}

/** Whether a value is one {@link validValue} draws as distinctive: a coincidence with it is negligible. */
export function isDistinctive(value: unknown): boolean {
  if (typeof value === 'string') return new RegExp(`^iso-[a-z0-9]{${DISTINCTIVE_LENGTH}}$`).test(value);
  return typeof value === 'number' && Number.isInteger(value) && value >= DISTINCTIVE_MIN && value <= DISTINCTIVE_MAX;
}
