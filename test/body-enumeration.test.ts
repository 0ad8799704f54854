import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import { everyBodyMutation, fullBodyDraft, isDistinctive, requiredOnlyBodyDraft, schemaProperties, validValue } from '../suites/arbitraries/request-body.js';
import fc from 'fast-check';

const ajv = new Ajv2020({ strict: false });
const accepts = (schema: object, value: unknown) => ajv.validate(schema, value) as boolean;

describe('the enumerated bad bodies', () => {
  test('every one breaks the request schema, and each action with a body gets each kind', async () => {
    const { model } = await loadContract();
    for (const action of model.actions) {
      const draft = fullBodyDraft(action, 7);
      const valid = draft && { ...draft.values, ...Object.fromEntries(Object.keys(draft.refs).map((name) => [name, '100'])) };
      const mutated = everyBodyMutation(action, valid, accepts);
      if (!action.requestSchema) {
        expect(mutated.map((m) => m.body.kind)).toEqual(['text']);
        continue;
      }
      expect(accepts(action.requestSchema, valid), action.template).toBe(true);
      for (const broken of mutated) {
        if (broken.body.kind === 'text') expect(() => JSON.parse((broken.body as { text: string }).text), broken.label).toThrow();
        else expect(accepts(action.requestSchema, broken.body.value), `${action.template}: ${broken.label}`).toBe(false);
      }
      const required = (action.requestSchema.required ?? []) as string[];
      expect(mutated.filter((m) => m.label.includes('without the required property'))).toHaveLength(required.length);
      for (const name of Object.keys(schemaProperties(action.requestSchema))) {
        expect(mutated.some((m) => m.label.startsWith(`"${name}" of the wrong type (null)`)), `${action.template} ${name} null`).toBe(true);
      }
    }
  });

  test('a body with only the required properties leaves every optional one out', async () => {
    const { model } = await loadContract();
    const login = model.actions.find((action) => action.definition.name === 'queueLogin')!;
    const draft = requiredOnlyBodyDraft(login, 1)!;
    expect(Object.keys(draft.values)).toEqual([]);
    expect(Object.keys(draft.refs)).toEqual(['extension']);
  });

  test('distinctive values are recognised, and only they', () => {
    fc.assert(fc.property(validValue({ type: 'string' }, true), (value) => isDistinctive(value)));
    fc.assert(fc.property(validValue({ type: 'integer', minimum: 0 }, true), (value) => isDistinctive(value)));
    expect(isDistinctive('away')).toBe(false);
    expect(isDistinctive(3)).toBe(false);
  });
});
