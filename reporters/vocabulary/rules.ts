/**
 * The catalogue of conformance rules (RULES.md), with their stable ids. A rule is in the report only when a
 * check for it is registered (suites/checks/index.ts); the catalogue itself promises nothing.
 */

/** MUST rules fail the run; SHOULD rules are warnings unless --strict. */
export type RuleLevel = 'MUST' | 'SHOULD';

/** The rule families of RULES.md; one vitest suite file each. */
export type RuleFamily = 'addressing' | 'restart' | 'actions' | 'http';

/** One rule of RULES.md. */
export interface RuleDefinition {
  /** Stable id, e.g. `ADDR-NAME`. Never reused or renumbered. */
  id: string;
  level: RuleLevel;
  family: RuleFamily;
  /** The rule's text, as RULES.md states it. */
  statement: string;
  /** `inferred` when the rule rests on a part of LIVE-API.md that the documentation does not state. */
  provenance: 'doc' | 'inferred';
}

const rule = (id: string, level: RuleLevel, family: RuleFamily, provenance: 'doc' | 'inferred', statement: string): RuleDefinition => ({
  id,
  level,
  family,
  provenance,
  statement,
});

/** Every rule of RULES.md, in its order. */
export const ruleCatalogue: readonly RuleDefinition[] = [
  rule('ADDR-UUID', 'MUST', 'addressing', 'doc', 'Every instance listed in a collection answers 200 at {collection}/{id}, and the body\'s id is that UUID.'),
  rule('ADDR-NAME', 'MUST', 'addressing', 'doc', 'For a resource with a symbolic name, getByName/{name} answers 200 with the same identity and the same representation (volatile properties aside) as the UUID form.'),
  rule('ADDR-MIXED', 'MUST', 'addressing', 'doc', 'Every combination of UUID / getByName over the name-capable levels of a path reaches the same instance.'),
  rule('ADDR-LIST', 'MUST', 'addressing', 'doc', 'An item of a collection equals the instance read at its own path (volatile properties aside).'),
  rule('ADDR-UNKNOWN', 'MUST', 'addressing', 'inferred', 'An unknown UUID, a malformed UUID, and an unknown name answer 404, at every level of a path.'),
  rule('ADDR-PARENT', 'MUST', 'addressing', 'inferred', 'An instance is reached only under the parents it belongs to; under a parent that does not hold it, every addressing form answers 404.'),
  rule('ADDR-ENCODING', 'MUST', 'addressing', 'inferred', 'A symbolic name that needs percent-encoding (space, +, %, non-ASCII) is reached by its encoded form.'),
  rule('ID-FORMAT', 'MUST', 'addressing', 'doc', 'Every id of a resource typed uuid is an RFC 4122 UUID in text form.'),
  rule('ID-UNIQUE', 'MUST', 'addressing', 'inferred', 'No two instances on the server share an id.'),
  rule('NAME-UNIQUE', 'MUST', 'addressing', 'inferred', 'Within one collection, no two instances share a symbolic name.'),
  rule('RESTART-NEW-UUIDS', 'MUST', 'restart', 'doc', 'After a restart, no instance keeps a UUID that it or any other instance had before.'),
  rule('RESTART-OLD-404', 'MUST', 'restart', 'inferred', 'After a restart, every UUID from before answers 404 at its old path and at the path of the same-named instance.'),
  rule('RESTART-NAMES', 'MUST', 'restart', 'inferred', 'A restart with unchanged configuration keeps the set of symbolic names in every collection, each reaching the object with the same configurationId.'),
  rule('RECREATE-NEW-UUID', 'MUST', 'restart', 'doc', 'An object destroyed and re-added gets a new UUID: a queue logout and login gives the agent a new UUID, and the old one answers 404.'),
  rule('ACT-EFFECT', 'MUST', 'actions', 'inferred', 'Each action answers 204 and its documented effect is observable by GET right after.'),
  rule('ACT-ADDRESSING', 'MUST', 'actions', 'doc', 'An action reached through any mix of UUID / getByName has the same effect as through UUIDs, on the same object and no other.'),
  rule('ACT-UNKNOWN', 'MUST', 'actions', 'inferred', 'An action on an unknown instance answers 404 and changes no state.'),
  rule('ACT-BAD-BODY', 'MUST', 'actions', 'doc', 'An action with a body that is not JSON, lacks a required property, has one of the wrong type or out of range answers 412 and changes no state.'),
  rule('ACT-CONFLICT', 'SHOULD', 'actions', 'inferred', 'An action not possible in the current state answers 409 and changes no state.'),
  rule('ACT-ISOLATION', 'MUST', 'actions', 'inferred', 'An action changes only its own object (and those its effect names).'),
  rule('ACT-SEQUENCES', 'MUST', 'actions', 'inferred', 'Any sequence of actions leaves the server in the state a model of the documented effects predicts.'),
  rule('ACT-IDENTITY', 'MUST', 'actions', 'doc', 'No action except logout/login changes the UUID of any instance.'),
  rule('SCHEMA-RESPONSE', 'MUST', 'http', 'doc', 'Every 200 body matches the contract\'s schema for that path.'),
  rule('HTTP-CONTENT-TYPE', 'MUST', 'http', 'doc', 'Every 200 body is sent as application/json.'),
  rule('HTTP-SAFE-GET', 'MUST', 'http', 'doc', 'No GET changes state.'),
  rule('HTTP-NO-500', 'MUST', 'http', 'doc', 'No well-formed request answers 5xx.'),
  rule('HTTP-METHOD', 'SHOULD', 'http', 'inferred', 'A method the contract does not list for a path answers 404 or 405, never 2xx.'),
  rule('AUTH-REQUIRED', 'MUST', 'http', 'doc', 'Every path answers 401 or 403 without credentials, and 403 (or 401) with wrong ones; no body there leaks resource data.'),
];

/** The rule with this id; throws for an id RULES.md does not have. */
export function ruleById(id: string): RuleDefinition {
  const found = ruleCatalogue.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`Unknown rule id "${id}". Known ids: ${ruleCatalogue.map((r) => r.id).join(', ')}.`);
  return found;
}

/** The order in which families run: reads first, then actions, restart last (it renews every UUID). */
export const familyOrder: readonly RuleFamily[] = ['addressing', 'http', 'actions', 'restart'];

/**
 * Whether `ruleId` is selected by a list of selectors from --only / --skip. A selector is a rule id
 * (`ADDR-NAME`) or the prefix of a family of ids (`ADDR`, `ACT`, `RESTART`), case-insensitive.
 */
export function matchesSelector(ruleId: string, selectors: readonly string[]): boolean {
  const id = ruleId.toUpperCase();
  return selectors.some((selector) => {
    const s = selector.trim().toUpperCase();
    return s.length > 0 && (id === s || id.startsWith(`${s}-`));
  });
}

/** The family prefixes of the rule ids, as --only / --skip take them: the part before the first `-` (`ACT`, `ADDR`, `HTTP`). */
export function rulePrefixes(): string[] {
  return [...new Set(ruleCatalogue.map(({ id }) => id.split('-')[0]))].sort();
}

/** The selectors of `selectors` that select no rule of the catalogue (a typo such as `ADDR-UUIDD` or `ACTION`). */
export function unknownSelectors(selectors: readonly string[]): string[] {
  return selectors.filter((selector) => selector.trim().length > 0 && !ruleCatalogue.some((rule) => matchesSelector(rule.id, [selector])));
}
