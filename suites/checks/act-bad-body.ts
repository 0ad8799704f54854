import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { bodyMutation, everyBodyMutation, fullBodyDraft, mutateBody, type BodyMutation } from '../arbitraries/request-body.js';
import { actionsByName, caseDraft, exercisableVariants, provisionDraft, provisionOwner, provisioningAction } from '../actions/action-case.js';
import { chooseInvocation } from '../actions/candidates.js';
import { CaseTally, casesPerAction } from '../actions/case-findings.js';
import { bodyObject } from '../actions/invocation.js';
import { checkRefusals } from '../actions/refusal.js';
import { withActionSession } from '../actions/session.js';
import { instanceSegments, type JsonSchema } from '../../contracts/resource-model.js';
import type { CaseDraft } from '../actions/candidates.js';
import type { ConformanceCheck } from '../check.js';

const ajv = new Ajv2020({ strict: false });

/** Whether `value` fits `schema` (a property's schema): a "wrong" value the schema allows is never sent as one. */
function accepts(schema: JsonSchema, value: unknown): boolean {
  return ajv.validate(schema, value) as boolean;
}

/** One case: a valid invocation broken by one drawn mutation, or (`every`) by every enumerated one in turn. */
interface BadBodyCase {
  draft: CaseDraft;
  provision: CaseDraft | undefined;
  mutation?: BodyMutation;
  every?: true;
}

/**
 * ACT-BAD-BODY: an action whose body is not JSON, not a JSON object, lacks a required property, has a property
 * of the wrong type (null included) or a value outside its range or list, answers 412 and changes nothing. The
 * bodies are valid ones (for an action that would succeed) broken in one way. Every run first sends, for every
 * path of every action, every enumerated bad body (each required property missing, each property with each wrong
 * JSON type and null, each value just outside a written range or list, text that is not JSON, JSON that is not an
 * object; for an action without a body, a non-empty body that is not JSON), whatever --runs is; then random
 * mutations of random valid bodies with the rest of its share of --runs.
 */
export const actBadBodyCheck: ConformanceCheck = {
  ruleId: 'ACT-BAD-BODY',
  async run(context) {
    if (context.model.actions.length === 0) context.notApplicable('the contract has no action');
    await withActionSession(context, async (session) => {
      const tally = new CaseTally();
      const enumerated = new Map<string, number>();
      const maxRuns = casesPerAction(context, 0.02);
      const kinds = new Set<string>();
      const seed = context.settings.seed;
      for (const [name, all] of actionsByName(context.model.actions)) {
        const { variants, left } = exercisableVariants(context.model.actions, all);
        left.forEach((line) => tally.skip(name, line));
        if (variants.length === 0) continue;
        const arbitrary = caseDraft(variants).chain((draft) =>
          fc.record({ draft: fc.constant(draft), provision: provisionDraft(provisioningAction(context.model.actions, variants[draft.variant])), mutation: bodyMutation(variants[draft.variant]) }),
        );
        const examples: BadBodyCase[] = variants.map((action, variant) => {
          const provisioner = provisioningAction(context.model.actions, action);
          return {
            draft: { variant, body: fullBodyDraft(action, seed), byName: instanceSegments(action).map(() => false), pick: 0 },
            provision: provisioner ? fc.sample(provisionDraft(provisioner), { seed, numRuns: 1 })[0] : undefined,
            every: true,
          };
        });
        await context.property<BadBodyCase>(`bad-body-${name}`, arbitrary, async ({ draft, provision, mutation, every }) => {
          const action = variants[draft.variant];
          if (action.effects.onlyOnCreated) {
            const problem = await provisionOwner(session, action, provision);
            if (problem) return void tally.skip(name, problem);
          }
          const chosen = chooseInvocation(session.arena, session.current, action, draft, { statuses: [204], preferChange: false, addressing: 'uuid', created: session.created });
          if (!chosen) return void tally.skip(name, `no instance of the arena fits ${action.template}`);
          const valid = chosen.invocation;
          if (every) {
            const all = everyBodyMutation(action, bodyObject(valid), accepts);
            enumerated.set(name, (enumerated.get(name) ?? 0) + all.length);
            return checkRefusals(session, valid, all.map((broken) => ({ label: broken.label, invocation: { ...valid, body: broken.body } })), 412);
          }
          const broken = mutateBody(action, bodyObject(valid), mutation!, accepts) ?? mutateBody(action, bodyObject(valid), { ...mutation!, kind: 'not-json' }, accepts)!;
          tally.count(name);
          kinds.add(mutation!.kind);
          return checkRefusals(session, valid, [{ label: broken.label, invocation: { ...valid, body: broken.body } }], 412);
        }, { maxRuns, examples });
      }
      context.note(
        `enumerated bad bodies, every run, on every path of each action: ${[...enumerated].map(([action, n]) => `${action} ${n}`).join(', ')} (${[...enumerated.values()].reduce((a, b) => a + b, 0)} in all)`,
      );
      tally.note(context, 'random cases per action');
      context.note(`kinds of random bad body sent: ${[...kinds].sort().join(', ')}`);
    });
  },
};
