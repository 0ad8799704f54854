/**
 * Paths that reach nothing, built from a real path: one instance level replaced by a malformed id, an unknown
 * UUID or an unknown name. Seeded, so a run's --seed rebuilds them.
 */
import { buildPath, type AddressingForm, type InstanceRef, type PathNode } from '../contracts/resource-model.js';
import { withRefAt } from './node-refs.js';

/** A random RFC 4122 version-4 UUID drawn from `random` (unknown to the target, with overwhelming odds). */
export function seededUuid(random: () => number): string {
  const hex = (count: number) => Array.from({ length: count }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
}

/** Ids that are not UUID-shaped, some close to the real id `realId`; all still well-formed path segments. */
export function malformedIds(realId: string): string[] {
  return [
    'not-a-uuid',
    '0',
    '-1',
    'null',
    'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    realId.slice(0, -1),
    `${realId}0`,
    `{${realId}}`,
    'a'.repeat(300),
    "1' OR '1'='1",
  ].filter((id) => id.length > 0);
}

/** One of `items`, chosen with `random`. */
export function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)];
}

/** The path of `node` with level `level` replaced by `id` (written as a UUID-form segment). */
export function pathWithIdAt(node: PathNode, refs: InstanceRef[], level: number, id: string): string {
  return buildPath(node, withRefAt(refs, level, { id }));
}

/** The path of `node` with level `level` written getByName/{name}, for a name nothing has. */
export function pathWithNameAt(node: PathNode, refs: InstanceRef[], level: number, name: string): string {
  const forms: AddressingForm[] = refs.map((_, index) => (index === level ? 'name' : 'uuid'));
  return buildPath(node, withRefAt(refs, level, { id: refs[level].id, name }), forms);
}
