/**
 * The contract audit: every constraint the checker enforces from the contract (a range, a length, a pattern, a
 * list, a format, a required property or body, a value an effect fixes, a conflict, a body reference that must
 * name something) rests on a sentence of LIVE-API.md. contracts/README.md keeps the table ("Constraints and
 * their sentences"); this test walks the shipped contract and fails on a constraint without a row, on a row
 * without a constraint, and on a row whose sentence LIVE-API.md does not hold. A constraint LIVE-API.md does not
 * write makes correct servers fail (§5): remove it from the contract, do not add a row for it.
 */
import { readFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, test } from 'vitest';
import { defaultContractPath } from '../contracts/load-contract.js';

type Json = Record<string, unknown>;

/** The JSON Schema keywords that narrow what a value may be (types aside: a wrong type is always 412 or a schema failure). */
const CONSTRAINT_KEYWORDS = [
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern',
  'enum', 'const', 'format', 'required', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
  'dependentRequired',
] as const;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Constraints of one schema, keyed `<owner>[.<property>] <keyword>`; nested objects add their property path. */
function schemaConstraints(owner: string, schema: unknown, into: Set<string>): void {
  if (!isObject(schema)) return;
  for (const keyword of CONSTRAINT_KEYWORDS) {
    if (keyword in schema) into.add(`${owner} ${keyword}`);
  }
  if (schema.additionalProperties === false) into.add(`${owner} additionalProperties`);
  for (const [name, property] of Object.entries(isObject(schema.properties) ? schema.properties : {})) schemaConstraints(`${owner}.${name}`, property, into);
  if (isObject(schema.items)) schemaConstraints(`${owner}[]`, schema.items, into);
  for (const part of [...((schema.allOf as unknown[]) ?? []), ...((schema.anyOf as unknown[]) ?? []), ...((schema.oneOf as unknown[]) ?? [])]) schemaConstraints(owner, part, into);
}

/** What an x-action fixes: the values its effects claim, its conflicts, and its body references. */
function actionConstraints(action: Json, into: Set<string>): void {
  const name = String(action.name);
  for (const effect of (action.effects as Json[]) ?? []) {
    for (const kind of ['set', 'create'] as const) {
      const body = effect[kind];
      if (!isObject(body)) continue;
      for (const [property, spec] of Object.entries(isObject(body.values) ? body.values : {})) {
        if (!isObject(spec)) continue;
        if ('const' in spec) into.add(`action ${name} ${kind} ${property} const`);
        if ('from' in spec) into.add(`action ${name} ${kind} ${property} from`);
        if ('default' in spec) into.add(`action ${name} ${kind} ${property} default`);
      }
      if (kind === 'create') into.add(`action ${name} create`);
    }
    if (isObject(effect.remove)) into.add(`action ${name} remove`);
  }
  for (const conflict of (action.conflicts as Json[]) ?? []) into.add(`action ${name} conflict ${Object.keys(conflict).sort().join('+')}${isObject(conflict.property) ? ` ${String(conflict.property.name)}` : ''}`);
  for (const [property, ref] of Object.entries(isObject(action.bodyRefs) ? action.bodyRefs : {})) {
    into.add(`action ${name} bodyRef ${property} ${isObject(ref) && typeof ref.unknown === 'string' ? ref.unknown : 'notFound'}`);
  }
}

/** Every constraint of the contract document, by a short stable key. */
function contractConstraints(document: Json): Set<string> {
  const found = new Set<string>();
  const components = (document.components ?? {}) as Json;
  for (const [name, schema] of Object.entries((components.schemas ?? {}) as Json)) schemaConstraints(`schema ${name}`, schema, found);
  for (const [name, requestBody] of Object.entries((components.requestBodies ?? {}) as Json)) {
    if (!isObject(requestBody)) continue;
    if (requestBody.required === true) found.add(`body ${name} present`);
    const content = (requestBody.content ?? {}) as Json;
    for (const media of Object.values(content)) schemaConstraints(`body ${name}`, (media as Json).schema, found);
  }
  for (const item of Object.values((document.paths ?? {}) as Json)) {
    for (const operation of Object.values(item as Json)) {
      if (!isObject(operation)) continue;
      if (isObject(operation['x-action'])) actionConstraints(operation['x-action'], found);
      if (isObject(operation.requestBody) && !('$ref' in operation.requestBody)) found.add(`inline request body at ${String(operation.operationId)}`);
    }
  }
  return found;
}

/** The rows of the table in contracts/README.md: constraint key → the LIVE-API.md sentence it rests on. */
function auditTable(readme: string): Map<string, string> {
  const section = readme.split('\n## Constraints and their sentences')[1]?.split('\n## ')[0] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = /^\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|\s*$/.exec(line);
    if (cells) rows.set(cells[1], cells[2]);
  }
  return rows;
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('the contract audit', async () => {
  const document = (await SwaggerParser.parse(defaultContractPath)) as unknown as Json;
  const readme = await readFile(new URL('../contracts/README.md', import.meta.url), 'utf8');
  const spec = squash(await readFile(new URL('../contracts/spec/LIVE-API.md', import.meta.url), 'utf8'));
  const constraints = contractConstraints(document);
  const table = auditTable(readme);

  test('finds the constraints it is meant to find (the walker is not blind)', () => {
    expect(constraints).toContain('body Penalty.penalty minimum');
    expect(constraints).toContain('schema StatusType enum');
    expect(constraints).toContain('action queueLogin conflict exists');
    expect(table.size).toBeGreaterThan(10);
  });

  test('every constraint of the contract has a row tying it to LIVE-API.md', () => {
    expect([...constraints].filter((key) => !table.has(key)).sort()).toEqual([]);
  });

  test('every row is a constraint the contract still has', () => {
    expect([...table.keys()].filter((key) => !constraints.has(key)).sort()).toEqual([]);
  });

  test('every row quotes LIVE-API.md word for word', () => {
    const unquoted = [...table].filter(([, cell]) => {
      const quotes = [...cell.matchAll(/“([^”]+)”/g)].map((match) => squash(match[1]));
      return quotes.length === 0 || quotes.some((quote) => !spec.includes(quote));
    });
    expect(unquoted.map(([key, cell]) => `${key}: ${cell}`)).toEqual([]);
  });

  test('the constraints §5 leaves open are not in the contract', () => {
    for (const open of [
      'body Destination.destination minLength',
      'body QueueLogin.extension minLength',
      'body QueueLogout.extension minLength',
      'body SetStatus.returnTime minimum',
      'body SetStatus.name minLength',
      'body SetStatus.note minLength',
      'action originate create type const',
    ]) expect(constraints, open).not.toContain(open);
  });
});
