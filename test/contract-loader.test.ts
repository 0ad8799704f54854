/**
 * The contract loader: the shipped contract loads into the resource model the suites rely on, and each kind of
 * broken contract gets a ContractError that names its JSON pointer and what is wrong. A new case is a row.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ContractError } from '../contracts/contract-error.js';
import { defaultContractPath, loadContract } from '../contracts/load-contract.js';
import { buildPath, nameCapableLevels } from '../contracts/resource-model.js';

describe('the shipped contract', () => {
  test('models every resource, collection, sub-resource and action of LIVE-API.md', async () => {
    const { model, sha256, title } = await loadContract();
    expect(title).toBe('iSymphony REST Live API');
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    const names = Object.fromEntries([...model.resources.values()].map((r) => [r.name, r.nameProperty]));
    expect(names).toMatchObject({ CoreServer: 'slug', Extension: 'extensionNumber', Queue: 'identifier', User: 'userName', Conference: 'identifier' });
    expect(names.Agent).toBeUndefined();
    expect(model.collections.map((c) => c.template)).toEqual(
      expect.arrayContaining([
        '/coreServers',
        '/coreServers/{coreServerId}/extensions',
        '/coreServers/{coreServerId}/users/{userId}/extensions',
        '/coreServers/{coreServerId}/queues/{queueId}/agents',
        '/coreServers/{coreServerId}/extensions/{extensionId}/agents',
        '/coreServers/{coreServerId}/extensions/{extensionId}/callSegments',
        '/coreServers/{coreServerId}/queues/{queueId}/callSegments',
        '/coreServers/{coreServerId}/users/{userId}/logins',
        '/coreServers/{coreServerId}/conferences',
      ]),
    );
    expect(model.singletons.map((s) => s.template.split('/').pop()).sort()).toEqual(['extension', 'extension', 'statistics', 'statistics', 'status']);
    expect([...new Set(model.actions.map((a) => a.definition.name))].sort()).toEqual(
      ['agentLogout', 'dndDisable', 'dndEnable', 'originate', 'pause', 'penalty', 'queueLogin', 'queueLogout', 'setStatus', 'transfer', 'unpause'],
    );
    const status = model.singletons.find((s) => s.template.endsWith('/status'))!;
    expect(model.actions.find((a) => a.definition.name === 'setStatus')!.owner).toBe(status);
    expect(model.resources.get('Agent')!.volatileProperties).toEqual(expect.arrayContaining(['paused', 'state', 'penalty']));
  });

  test('writes the getByName forms that the x-name-property extensions allow', async () => {
    const { model } = await loadContract();
    const agentOfQueue = model.instances.find((n) => n.template === '/coreServers/{coreServerId}/queues/{queueId}/agents/{agentId}')!;
    expect(nameCapableLevels(agentOfQueue)).toEqual([0, 1]);
    const refs = [{ id: 'c', name: 'main' }, { id: 'q', name: 'sales line' }, { id: 'a' }];
    expect(buildPath(agentOfQueue, refs, ['name', 'name', 'uuid'])).toBe('/coreServers/getByName/main/queues/getByName/sales%20line/agents/a');
    expect(() => buildPath(agentOfQueue, refs, ['uuid', 'uuid', 'name'])).toThrow(/cannot be addressed by name/);
  });
});

describe('a contract validated earlier in the run', () => {
  test('loads into the same document and resource model as a full load', async () => {
    const full = await loadContract();
    const again = await loadContract(defaultContractPath, { alreadyValidated: true });
    expect(again.sha256).toBe(full.sha256);
    expect(JSON.stringify(again.document)).toBe(JSON.stringify(full.document));
    const shape = (contract: typeof full) => contract.model.nodes.map((node) => [node.kind, node.template, node.provenance]);
    expect(shape(again)).toEqual(shape(full));
    expect(again.model.actions.map((action) => action.effects)).toEqual(full.model.actions.map((action) => action.effects));
  });
});

/** A broken variant of the shipped contract: a text edit, and what the loader must say about it. */
interface BrokenContract {
  name: string;
  edit: (yaml: string) => string;
  code: ContractError['code'];
  pointer?: RegExp;
  message: RegExp;
}

const brokenContracts: BrokenContract[] = [
  {
    name: 'an x-resource that names no schema',
    edit: (yaml) => yaml.replace('x-resource: Extension', 'x-resource: Extention'),
    code: 'CONTRACT_EXTENSION_INVALID',
    pointer: /^#\/paths\/~1coreServers~1\{coreServerId\}~1extensions~1\{extensionId\}/,
    message: /x-resource "Extention"/,
  },
  {
    name: 'an x-name-property that is no property of the resource',
    edit: (yaml) => yaml.replace('x-name-property: identifier\n    agentId', 'x-name-property: queueName\n    agentId'),
    code: 'CONTRACT_EXTENSION_INVALID',
    message: /x-name-property "queueName"/,
  },
  {
    name: 'an x-provenance outside doc / inferred',
    edit: (yaml) => yaml.replace('  /coreServers:\n    x-provenance: inferred', '  /coreServers:\n    x-provenance: guessed'),
    code: 'CONTRACT_EXTENSION_INVALID',
    pointer: /^#\/paths\/~1coreServers\/x-provenance$/,
    message: /x-provenance must be equal to one of the allowed values/,
  },
  {
    name: 'an x-volatile that is not a boolean',
    edit: (yaml) => yaml.replace('paused: { type: boolean, x-volatile: true }', "paused: { type: boolean, x-volatile: 'yes' }"),
    code: 'CONTRACT_EXTENSION_INVALID',
    pointer: /^#\/components\/schemas\/Agent\/properties\/paused\/x-volatile$/,
    message: /must be boolean/,
  },
  {
    name: 'an action without a name',
    edit: (yaml) => yaml.replace(/x-action: \{ name: originate[^\n]*/, 'x-action: { }').replace(/x-action:\n(\s+)name: originate/, 'x-action:\n$1nam: originate'),
    code: 'CONTRACT_EXTENSION_INVALID',
    pointer: /originate\/post\/x-action$/,
    message: /must have required property 'name'/,
  },
  {
    name: 'an instance path whose collection is missing',
    edit: (yaml) => yaml.replace(/  \/coreServers\/\{coreServerId\}\/conferences:\n[\s\S]*?(?=  \/coreServers\/\{coreServerId\}\/conferences\/\{conferenceId\}:)/, ''),
    code: 'CONTRACT_INVALID',
    pointer: /conferences~1\{conferenceId\}$/,
    message: /must follow its collection path/,
  },
  {
    name: 'an OpenAPI error (an operation without responses)',
    edit: (yaml) => yaml.replace("      operationId: listCoreServers\n      responses:", "      operationId: listCoreServers\n      respones:"),
    code: 'CONTRACT_INVALID',
    message: /not a valid OpenAPI document/,
  },
  {
    name: 'a Swagger 2.0 document',
    edit: (yaml) => yaml.replace('openapi: 3.1.0', 'swagger: "2.0"'),
    code: 'CONTRACT_INVALID',
    pointer: /^#\/openapi$/,
    message: /must be an OpenAPI 3\.x document/,
  },
];

describe('a broken contract', () => {
  test.each(brokenContracts)('$name is rejected with its pointer', async ({ edit, code, pointer, message }) => {
    const shipped = await readFile(defaultContractPath, 'utf8');
    const broken = edit(shipped);
    expect(broken, 'the edit must change the contract').not.toBe(shipped);
    const file = join(await mkdtemp(join(tmpdir(), 'isym-contract-')), 'contract.yaml');
    await writeFile(file, broken);
    const error = await loadContract(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).code).toBe(code);
    expect((error as ContractError).message).toMatch(message);
    if (pointer) expect((error as ContractError).pointer).toMatch(pointer);
  });

  test('a file that is not YAML, or not there, is unreadable', async () => {
    await expect(loadContract(join(import.meta.dirname, 'fixtures/contracts/unparsable.yaml'))).rejects.toMatchObject({ code: 'CONTRACT_UNREADABLE' });
    await expect(loadContract('/nonexistent/contract.yaml')).rejects.toMatchObject({ code: 'CONTRACT_UNREADABLE', message: expect.stringMatching(/--contract/) });
  });
});
