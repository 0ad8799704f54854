import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { bodyMutation, mutateBody } from '../arbitraries/request-body.js';
import { actionsByName, caseDraft, exercisableVariants, provisionDraft, provisionOwner, provisioningAction } from '../actions/action-case.js';
import { chooseInvocation } from '../actions/candidates.js';
import { CaseTally, casesPerAction } from '../actions/case-findings.js';
import { bodyObject } from '../actions/invocation.js';
import { checkRefusals } from '../actions/refusal.js';
import { withActionSession } from '../actions/session.js';
import type { JsonSchema } from '../../contracts/resource-model.js';
import type { ConformanceCheck } from '../check.js';

const ajv = new Ajv2020({ strict: false });

/** Whether `value` fits `schema` (a property's schema): a "wrong" value the schema allows is never sent as one. */
function accepts(schema: JsonSchema, value: unknown): boolean {
  return ajv.validate(schema, value) as boolean;
}

/**
 * ACT-BAD-BODY: an action whose body is not JSON, not a JSON object, lacks a required property, has a property
 * of the wrong type (null included) or a value outside its range or list, answers 412 and changes nothing. The
 * bodies are valid ones (for an action that would succeed) broken in one way, drawn from the contract's request
 * schemas; an action without a body gets a non-empty body that is not JSON.
 */
export const actBadBodyCheck: ConformanceCheck = {
  ruleId: 'ACT-BAD-BODY',
  async run(context) {
    if (context.model.actions.length === 0) context.notApplicable('the contract has no action');
    await withActionSession(context, async (session) => {
      const tally = new CaseTally();
      const maxRuns = casesPerAction(context, 0.04);
      const kinds = new Set<string>();
      for (const [name, all] of actionsByName(context.model.actions)) {
        const { variants, left } = exercisableVariants(context.model.actions, all);
        left.forEach((line) => tally.skip(name, line));
        if (variants.length === 0) continue;
        const arbitrary = caseDraft(variants).chain((draft) =>
          fc.record({ draft: fc.constant(draft), provision: provisionDraft(provisioningAction(context.model.actions, variants[draft.variant])), mutation: bodyMutation(variants[draft.variant]) }),
        );
        await context.property(`bad-body-${name}`, arbitrary, async ({ draft, provision, mutation }) => {
          const action = variants[draft.variant];
          if (action.effects.onlyOnCreated) {
            const problem = await provisionOwner(session, action, provision);
            if (problem) return void tally.skip(name, problem);
          }
          const chosen = chooseInvocation(session.arena, session.current, action, draft, { statuses: [204], preferChange: false, addressing: 'uuid', created: session.created });
          if (!chosen) return void tally.skip(name, `no instance of the arena fits ${action.template}`);
          const valid = chosen.invocation;
          const broken = mutateBody(action, bodyObject(valid), mutation, accepts) ?? mutateBody(action, bodyObject(valid), { ...mutation, kind: 'not-json' }, accepts)!;
          tally.count(name);
          kinds.add(mutation.kind);
          return checkRefusals(session, valid, [{ label: broken.label, invocation: { ...valid, body: broken.body } }], 412);
        }, { maxRuns });
      }
      tally.note(context, 'cases per action');
      context.note(`kinds of bad body sent: ${[...kinds].sort().join(', ')}`);
    });
  },
};
