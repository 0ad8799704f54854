import fc from 'fast-check';
import { canUseName } from '../arbitraries/addressing-forms.js';
import { nearMissNames, randomUuidSegment, type UnknownSegment } from '../arbitraries/unknown-segment.js';
import { fullBodyDraft } from '../arbitraries/request-body.js';
import { actionsByName, caseDraft, everyRunDraft, exercisableVariants, provisionDraft, provisionOwner, provisioningAction } from '../actions/action-case.js';
import { chooseInvocation, referenceNames } from '../actions/candidates.js';
import { CaseTally, casesPerAction } from '../actions/case-findings.js';
import type { ArenaState } from '../actions/arena-state.js';
import { bodyObject, type ActionInvocation } from '../actions/invocation.js';
import { checkRefusals, type RefusalAttempt } from '../actions/refusal.js';
import { withActionSession } from '../actions/session.js';
import { instanceSegments, type InstanceRef } from '../../contracts/resource-model.js';
import type { ConformanceCheck } from '../check.js';

/** Per level of the path: an unknown UUID, a malformed one, or (where the level has a name) a near-miss name. */
const unknownKinds = fc.array(fc.constantFrom('uuid', 'malformed', 'name'), { minLength: 6, maxLength: 6 });

/** The attempts of one case: the valid invocation with one level replaced, for every level; and an unknown body name. */
function unknownAttempts(valid: ActionInvocation, kinds: string[], uuids: string[], names: (property: string) => string[], knownNames: (resource: string) => Set<string>): RefusalAttempt[] {
  const attempts: RefusalAttempt[] = [];
  const levels = instanceSegments(valid.action);
  levels.forEach((segment, level) => {
    const real = valid.refs[level];
    const unknowns: UnknownSegment[] = [];
    // 'every' (the enumerated case): an unknown UUID, a malformed id and every near-miss name, all at this level.
    const kindsHere = kinds[level] === 'every' ? ['uuid', 'malformed', 'every-name'] : [kinds[level]];
    for (const kind of kindsHere) {
      if ((kind === 'name' || kind === 'every-name') && canUseName(valid.action, valid.refs, level)) {
        const misses = nearMissNames(real.name!).filter((candidate) => !knownNames(segment.resource.name).has(candidate.value));
        const chosen = kind === 'every-name' ? misses : misses.slice(level % Math.max(1, misses.length)).slice(0, 1);
        unknowns.push(...chosen.map((miss): UnknownSegment => ({ kind: 'near-miss-name', value: miss.value, variant: miss.variant, others: [] })));
        if (chosen.length === 0 && kindsHere.length === 1) unknowns.push({ kind: 'random-uuid', value: uuids[level % uuids.length] });
      } else if (kind === 'malformed') {
        const shapes = ['not-a-uuid', real.id.slice(0, -1), `${real.id}0`, '12345'];
        unknowns.push({ kind: 'malformed-uuid', value: shapes[level % shapes.length] });
      } else if (kind !== 'every-name' || kindsHere.length === 1) {
        unknowns.push({ kind: 'random-uuid', value: uuids[level % uuids.length] });
      }
    }
    for (const unknown of unknowns) {
      const refs: InstanceRef[] = valid.refs.map((ref, index) => (index === level ? { id: unknown.value, name: unknown.value } : ref));
      const forms = valid.forms.map((form, index) => (index === level ? (unknown.kind === 'near-miss-name' ? 'name' : 'uuid') : form));
      const what = unknown.kind === 'near-miss-name' ? `near-miss name, ${unknown.variant},` : unknown.kind.replace(/-/g, ' ');
      attempts.push({ label: `an unknown ${segment.resource.name} at {${segment.parameter}} (${what} ${JSON.stringify(unknown.value)})`, invocation: { ...valid, refs, forms } });
    }
  });
  const body = bodyObject(valid);
  for (const ref of Object.values(valid.action.effects.bodyRefs)) {
    if (ref.unknown !== 'notFound' || !body || typeof body[ref.property] !== 'string') continue;
    const known = names(ref.property);
    const miss = nearMissNames(body[ref.property] as string).find((candidate) => !known.includes(candidate.value));
    if (!miss) continue;
    attempts.push({
      label: `a body naming an unknown ${ref.resource.name} ("${ref.property}": ${JSON.stringify(miss.value)}, a ${miss.variant})`,
      invocation: { ...valid, body: { kind: 'json', value: { ...body, [ref.property]: miss.value } } },
    });
  }
  return attempts;
}

/** Every name the state shows for a name property: a near miss that is someone's real name is not unknown. */
function namesOf(state: ArenaState, nameProperty: string | undefined): Set<string> {
  const names = new Set<string>();
  if (!nameProperty) return names;
  for (const members of state.collections.values()) for (const item of members.values()) if (typeof item[nameProperty] === 'string') names.add(item[nameProperty] as string);
  return names;
}

/**
 * ACT-UNKNOWN: an action whose path names an unknown instance at any level (an unknown UUID, a malformed one, a
 * near-miss name), or whose body names an unknown instance where the contract says that is a 404, answers 404
 * and changes nothing. Every level of the path is tried in each case.
 */
export const actUnknownCheck: ConformanceCheck = {
  ruleId: 'ACT-UNKNOWN',
  async run(context) {
    if (context.model.actions.length === 0) context.notApplicable('the contract has no action');
    await withActionSession(context, async (session) => {
      const tally = new CaseTally();
      let enumerated = 0;
      let attemptsSent = 0;
      const maxRuns = casesPerAction(context, 0.01);
      for (const [name, all] of actionsByName(context.model.actions)) {
        const { variants, left } = exercisableVariants(context.model.actions, all);
        left.forEach((line) => tally.skip(name, line));
        if (variants.length === 0) continue;
        const arbitrary = caseDraft(variants).chain((draft) =>
          fc.record({
            draft: fc.constant(draft),
            provision: provisionDraft(provisioningAction(context.model.actions, variants[draft.variant])),
            kinds: unknownKinds,
            uuids: fc.array(randomUuidSegment().map((s) => s.value), { minLength: 6, maxLength: 6 }),
          }),
        );
        // Every run, on every path of the action, one case: every level with an unknown UUID, a malformed id and
        // every near miss of its name (where it has one). Its attempts go out together.
        const uuids = fc.sample(fc.array(randomUuidSegment().map((segment) => segment.value), { minLength: 6, maxLength: 6 }), { seed: context.settings.seed, numRuns: 1 })[0];
        const examples = variants.map((action, variant) => {
          const { provision, ...draft } = everyRunDraft(context.model.actions, action, variant, fullBodyDraft(action, context.settings.seed), context.settings.seed);
          enumerated += 1;
          return { draft, provision, kinds: Array<string>(6).fill('every'), uuids };
        });
        await context.property(`unknown-instance-${name}`, arbitrary, async ({ draft, provision, kinds, uuids }) => {
          const action = variants[draft.variant];
          if (action.effects.onlyOnCreated) {
            const problem = await provisionOwner(session, action, provision);
            if (problem) return void tally.skip(name, problem);
          }
          const chosen = chooseInvocation(session.arena, session.current, action, draft, { statuses: [204, 409], preferChange: false, addressing: 'draft', created: session.created });
          if (!chosen) return void tally.skip(name, `no instance of the arena fits ${action.template}`);
          tally.count(name);
          const valid = chosen.invocation;
          const attempts = unknownAttempts(
            valid,
            kinds,
            uuids,
            // Every name the listing shows, not only the arena's: a near miss that is another instance's real name
            // (on a large server, one the arena left out) is not unknown.
            (property) => referenceNames(session.arena, session.current, action, valid.refs, property, { wholeListing: true }),
            (resource) => namesOf(session.current, context.model.resources.get(resource)?.nameProperty),
          );
          attemptsSent += attempts.length;
          return checkRefusals(session, valid, attempts, 404);
        }, { maxRuns, examples });
      }
      tally.note(context, 'cases per action (each with an unknown instance at every level of the path, and in the body)');
      context.note(`${enumerated} cases every run (each path of each action: an unknown UUID, a malformed id, every near-miss name, at every level); ${attemptsSent} refused actions sent in all`);
    });
  },
};
