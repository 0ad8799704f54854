/**
 * The pure helpers behind ID-FORMAT, ADDR-ENCODING, HTTP-SAFE-GET, HTTP-NO-500, HTTP-METHOD and AUTH-REQUIRED:
 * what counts as a UUID, which names are awkward in a path, which collections may change members on their own,
 * example bodies that the contract accepts, and the ids that stand for an unknown instance.
 */
import { fc, test } from '@fast-check/vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect } from 'vitest';
import { loadContract } from '../contracts/load-contract.js';
import { awkwardNameKind } from '../suites/checks/addr-encoding.js';
import { exampleValue } from '../suites/example-body.js';
import { membershipIsLive } from '../suites/live-membership.js';
import { malformedIds, seededUuid } from '../suites/probe-paths.js';
import { seededRandom } from '../suites/seeded-random.js';
import { isUuidShaped, uuidTextProblem } from '../suites/uuid-text.js';

describe('uuidTextProblem', () => {
  test.prop([fc.uuid()])('accepts every UUID fast-check makes, in either case', (uuid) => {
    expect(uuidTextProblem(uuid)).toBeUndefined();
    expect(uuidTextProblem(uuid.toUpperCase())).toBeUndefined();
  });

  test('accepts the nil UUID and rejects other shapes, versions and variants', () => {
    expect(uuidTextProblem('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect(uuidTextProblem('1')).toMatch(/8-4-4-4-12/);
    expect(uuidTextProblem('3f2b8c1e9a4d4e7b8c2a1d5e6f7a8b9c')).toMatch(/8-4-4-4-12/);
    expect(uuidTextProblem('{3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f7a8b9c}')).toMatch(/8-4-4-4-12/);
    expect(uuidTextProblem('3f2b8c1e-9a4d-0e7b-8c2a-1d5e6f7a8b9c')).toMatch(/version digit 0/);
    expect(uuidTextProblem('3f2b8c1e-9a4d-4e7b-cc2a-1d5e6f7a8b9c')).toMatch(/variant digit c/);
  });
});

describe('awkwardNameKind', () => {
  test('names a path cannot carry as they are', () => {
    for (const name of ['john doe', 'a+b', '100%sure', 'zoë', 'José', 'a/b']) expect(awkwardNameKind(name)).toBe('needs percent-encoding');
    expect(awkwardNameKind('3a8c3b7c-f3c2-4563-8b92-409d3fb64afe')).toBe('is UUID-shaped');
    expect(awkwardNameKind('getByName')).toBe('equals getByName');
    for (const name of ['100', 'sales', 'main', 'first.last-1_x~']) expect(awkwardNameKind(name)).toBeUndefined();
  });
});

describe('probe ids', () => {
  test.prop([fc.uuid()])('malformed ids are never UUID-shaped, even those made from a real id', (realId) => {
    for (const id of malformedIds(realId)) expect(isUuidShaped(id)).toBe(false);
  });

  test.prop([fc.integer()])('a seeded UUID is an RFC 4122 UUID, the same for the same seed', (seed) => {
    const uuid = seededUuid(seededRandom(seed));
    expect(uuidTextProblem(uuid)).toBeUndefined();
    expect(seededUuid(seededRandom(seed))).toBe(uuid);
  });
});

describe('with the shipped contract', async () => {
  const { model } = await loadContract();

  test('members come and go on their own only for agents, call segments and logins (LIVE-API.md §5)', () => {
    const live = [...model.resources.values()].filter((resource) => membershipIsLive(resource, model)).map((resource) => resource.name);
    expect(live.sort()).toEqual(['Agent', 'CallSegment', 'Login']);
  });

  test('the example body of every action is accepted by its request schema', () => {
    const ajv = new Ajv2020({ strict: false });
    const withBody = model.actions.filter((action) => action.requestSchema);
    expect(withBody.length).toBeGreaterThan(0);
    for (const action of withBody) {
      const validate = ajv.compile(action.requestSchema!);
      expect(validate(exampleValue(action.requestSchema)), `${action.template}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
