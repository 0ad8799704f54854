import { buildPath, type ActionNode, type CollectionNode, type InstanceNode, type JsonSchema, type ResourceModel, type SingletonNode } from '../../contracts/resource-model.js';
import { requireAnswer, type CheckContext, type ConformanceCheck } from '../check.js';
import { canonicalJson } from '../compare.js';
import type { DiscoveredInstance } from '../discovery.js';
import { describeOutcome } from '../finding.js';
import { seededRandom } from '../seeded-random.js';
import type { Exchange } from '../target-client.js';

/** How many members are tried before giving up (a static member answers 409 to a logout and is skipped). */
const MAX_ATTEMPTS = 6;

/** What the contract says about destroying and re-adding a member of a queue, found in the resource model. */
interface RecreatePlan {
  logout: ActionNode;
  login: ActionNode;
  /** The members' collection under the queue (the agents) and one member's instance path. */
  members: CollectionNode;
  member: InstanceNode;
  /** The member's sub-resource that is the object the login body names (an agent's extension). */
  memberTarget: SingletonNode;
  /** The body property of both actions that carries the name of that object. */
  nameProperty: string;
  /** Properties of the login body that the member's representation has too (paused, penalty): restored as they were. */
  restoredProperties: string[];
}

function schemaProperties(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  return (schema?.properties ?? {}) as Record<string, JsonSchema>;
}

function requiredProperties(schema: JsonSchema | undefined): string[] {
  return Array.isArray(schema?.required) ? (schema.required as string[]) : [];
}

/** Finds the queue logout / login pair (x-action `queueLogout` / `queueLogin`) and the collection they change. */
function recreatePlan(model: ResourceModel): RecreatePlan | string {
  const logout = model.actions.find((action) => action.definition.name === 'queueLogout');
  const login = model.actions.find((action) => action.definition.name === 'queueLogin' && action.ownerInstance === logout?.ownerInstance);
  if (!logout || !login) return 'the contract has no pair of actions named queueLogout / queueLogin on one instance path';
  const owner = logout.ownerInstance;
  // The members are the collection under the logout's instance whose items lead to a named object: the object
  // that the bodies name by its symbolic name.
  for (const members of model.collections.filter((collection) => collection.parent === owner && collection.item)) {
    const memberTarget = model.singletons.find((singleton) => singleton.owner === members.item && singleton.resource?.nameProperty !== undefined);
    if (!memberTarget) continue;
    const nameProperty = requiredProperties(logout.requestSchema).find(
      (property) => schemaProperties(logout.requestSchema)[property]?.type === 'string' && requiredProperties(login.requestSchema).includes(property),
    );
    if (!nameProperty) return `the bodies of ${logout.template} and ${login.template} have no required string property in common to name the member by`;
    const memberSchema = schemaProperties(members.item!.resource.schema);
    const restoredProperties = Object.keys(schemaProperties(login.requestSchema)).filter((property) => property !== nameProperty && property in memberSchema);
    return { logout, login, members, member: members.item!, memberTarget, nameProperty, restoredProperties };
  }
  return `no collection under ${owner.template} has items that lead to a named object (as an agent leads to its extension)`;
}

/** The candidates in a seeded order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

function listedIds(exchange: Exchange): string[] | undefined {
  if (exchange.status !== 200 || !Array.isArray(exchange.json)) return undefined;
  return (exchange.json as { id?: unknown }[]).map((row) => String(row?.id));
}

/** What became of one attempt: `next` when the candidate could not be re-created (gone, static), else done. */
type Attempt = 'next' | 'done';

async function recreateOne(context: CheckContext, plan: RecreatePlan, candidate: DiscoveredInstance): Promise<Attempt> {
  const { client } = context;
  const refs = candidate.refs;
  const ownerRefs = refs.slice(0, -1);
  const oldId = refs[refs.length - 1].id;
  const oldPath = buildPath(plan.member, refs);

  const oldRead = requireAnswer(await client.get(oldPath));
  if (oldRead.status !== 200) return 'next'; // gone since discovery
  const targetRead = requireAnswer(await client.get(buildPath(plan.memberTarget, refs)));
  const name = (targetRead.json as Record<string, unknown> | undefined)?.[plan.memberTarget.resource!.nameProperty!];
  if (targetRead.status !== 200 || typeof name !== 'string') return 'next';
  const membersPath = buildPath(plan.members, ownerRefs);
  const membersBefore = listedIds(requireAnswer(await client.get(membersPath)));
  if (!membersBefore) return 'next';

  const logout = requireAnswer(await client.post(buildPath(plan.logout, ownerRefs), { body: { [plan.nameProperty]: name } }));
  if (logout.status !== 204) {
    context.note(`logout of ${JSON.stringify(name)} from ${membersPath} answered ${describeOutcome(logout)}: tried another member`);
    return 'next';
  }
  // Log it in again as it was (same paused / penalty), so the run leaves the queue as it found it.
  // A 200 body that is not a JSON object (a broken target) restores nothing: the login then takes the defaults.
  const old = (oldRead.json !== null && typeof oldRead.json === 'object' ? oldRead.json : {}) as Record<string, unknown>;
  const restored = Object.fromEntries(plan.restoredProperties.filter((property) => old[property] !== undefined).map((property) => [property, old[property]]));
  let login = requireAnswer(await client.post(buildPath(plan.login, ownerRefs), { body: { [plan.nameProperty]: name, ...restored } }));
  if (login.status !== 204) login = requireAnswer(await client.post(buildPath(plan.login, ownerRefs), { body: { [plan.nameProperty]: name } }));
  context.invalidateDiscovery();
  if (login.status !== 204) {
    context.undecided(`${JSON.stringify(name)} was logged out of ${membersPath} and the login to re-add it answered ${describeOutcome(login)}: the member stays logged out`);
  }

  const membersAfterExchange = requireAnswer(await client.get(membersPath));
  const membersAfter = listedIds(membersAfterExchange) ?? [];
  const known = new Set(membersBefore.filter((id) => id !== oldId));
  let recreated: { id: string; exchange: Exchange } | undefined;
  for (const id of membersAfter.filter((candidateId) => !known.has(candidateId))) {
    const target = requireAnswer(await client.get(buildPath(plan.memberTarget, [...ownerRefs, { id }])));
    if ((target.json as Record<string, unknown> | undefined)?.[plan.memberTarget.resource!.nameProperty!] === name) recreated = { id, exchange: target };
  }
  if (!recreated) {
    context.undecided(`the login of ${JSON.stringify(name)} to ${membersPath} answered 204 but no member for it is listed there: the re-creation could not be observed`);
  }
  context.note(`${JSON.stringify(name)} logged out of ${membersPath} and in again: member ${oldId} → ${recreated.id}`);

  const staleRead = requireAnswer(await client.get(oldPath));
  const exchanges = [oldRead, targetRead, logout, login, membersAfterExchange];
  if (recreated.id === oldId) {
    context.report({
      message: `The member re-created by a logout and a login of ${JSON.stringify(name)} has the UUID of the member it replaced.`,
      expected: `a new UUID (not ${oldId})`,
      actual: oldId,
      exchanges: [...exchanges, recreated.exchange],
      provenance: 'doc',
    });
  } else if (staleRead.status !== 404) {
    context.report({
      message: `The UUID of a member destroyed by a logout still answers after ${JSON.stringify(name)} was logged in again.`,
      expected: '404',
      actual: describeOutcome(staleRead),
      exchanges: [...exchanges, staleRead],
      provenance: 'doc',
    });
  }

  const newRead = requireAnswer(await client.get(buildPath(plan.member, [...ownerRefs, { id: recreated.id }])));
  const changed = Object.keys(restored).filter((property) => canonicalJson((newRead.json as Record<string, unknown> | undefined)?.[property]) !== canonicalJson(restored[property]));
  if (newRead.status !== 200 || changed.length > 0) context.note(`the re-created member does not read as it was (${newRead.status === 200 ? changed.join(', ') : describeOutcome(newRead)})`);
  return 'done';
}

/**
 * The candidates that look like what the login creates (its effect's constant values: a dynamic agent) first, so
 * that the attempts are not spent on members a logout refuses (static agents).
 */
function likeCreatedFirst(plan: RecreatePlan, candidates: DiscoveredInstance[]): DiscoveredInstance[] {
  const consts = plan.login.effects.effects.flatMap((effect) =>
    effect.kind === 'create' ? Object.entries(effect.values).flatMap(([name, spec]) => (spec.kind === 'const' ? [[name, spec.value] as const] : [])) : [],
  );
  const alike = (candidate: DiscoveredInstance) => consts.every(([name, value]) => canonicalJson(candidate.listed[name]) === canonicalJson(value));
  return [...candidates.filter(alike), ...candidates.filter((candidate) => !alike(candidate))];
}

/**
 * RECREATE-NEW-UUID: an object destroyed and re-added gets a new UUID. A member of a queue (an agent) is logged out
 * and in again with the contract's queueLogout / queueLogin actions; the new member must have a new UUID and the
 * old UUID must answer 404. The member is logged in as it was (same paused / penalty).
 */
export const recreateNewUuidCheck: ConformanceCheck = {
  ruleId: 'RECREATE-NEW-UUID',
  async run(context) {
    if (context.settings.actionsAllowed === false) {
      return context.notApplicable('the run is read-only (the ACT rules are skipped): re-creating an agent takes a queue logout and login');
    }
    const plan = recreatePlan(context.model);
    if (typeof plan === 'string') return context.notApplicable(plan);
    const candidates = likeCreatedFirst(plan, shuffled((await context.discovery()).of(plan.member), context.settings.seed));
    if (candidates.length === 0) context.notApplicable(`no member is listed at ${plan.members.template}`);
    for (const candidate of candidates.slice(0, MAX_ATTEMPTS)) {
      if ((await recreateOne(context, plan, candidate)) === 'done') return;
    }
    context.notApplicable(`none of ${Math.min(MAX_ATTEMPTS, candidates.length)} member(s) tried at ${plan.members.template} could be logged out (static members, or gone)`);
  },
};
