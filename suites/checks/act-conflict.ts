import { actionsByName, caseDraft, exercisableVariants, provisionDraft, provisionOwner, provisioningAction } from '../actions/action-case.js';
import { chooseInvocation } from '../actions/candidates.js';
import { CaseTally, casesPerAction } from '../actions/case-findings.js';
import { checkRefusals } from '../actions/refusal.js';
import { withActionSession } from '../actions/session.js';
import type { ConformanceCheck } from '../check.js';

/**
 * ACT-CONFLICT: an action in a state where the contract's `conflicts` say it is not possible (logging in an
 * extension that is already an agent of the queue, logging out one that is not, or a static agent, transferring
 * a call to the extension it is on) answers 409 and changes nothing. The states are found in the arena as it is
 * (or, for a call, made by the checker).
 */
export const actConflictCheck: ConformanceCheck = {
  ruleId: 'ACT-CONFLICT',
  async run(context) {
    const byName = [...actionsByName(context.model.actions)].filter(([, variants]) => variants.some((action) => action.effects.conflicts.length > 0));
    if (byName.length === 0) context.notApplicable('no action of the contract has conflicts');
    await withActionSession(context, async (session) => {
      const tally = new CaseTally();
      const maxRuns = casesPerAction(context, 0.03);
      for (const [name, all] of byName) {
        const { variants, left } = exercisableVariants(context.model.actions, all.filter((action) => action.effects.conflicts.length > 0));
        left.forEach((line) => tally.skip(name, line));
        if (variants.length === 0) continue;
        const arbitrary = caseDraft(variants).chain((draft) => provisionDraft(provisioningAction(context.model.actions, variants[draft.variant])).map((provision) => ({ draft, provision })));
        await context.property(`conflict-${name}`, arbitrary, async ({ draft, provision }) => {
          const action = variants[draft.variant];
          if (action.effects.onlyOnCreated) {
            const problem = await provisionOwner(session, action, provision);
            if (problem) return void tally.skip(name, problem);
          }
          const options = { statuses: [409], preferChange: false, addressing: 'draft' as const, created: session.created };
          // A conflict may need a body reference to name a listed instance (the call's own extension): try that too.
          const listed = draft.body && { ...draft.body, refs: Object.fromEntries(Object.keys(draft.body.refs).map((property) => [property, { kind: 'listed' as const }])) };
          const chosen = chooseInvocation(session.arena, session.current, action, draft, options) ?? (listed && chooseInvocation(session.arena, session.current, action, { ...draft, body: listed }, options));
          if (!chosen) return void tally.skip(name, `the arena has no state in which ${action.template} conflicts`);
          tally.count(name);
          return checkRefusals(session, chosen.invocation, [{ label: `a conflict (${chosen.prediction.reason})`, invocation: chosen.invocation }], 409);
        }, { maxRuns });
      }
      tally.note(context, 'cases per action, each in a state the contract calls a conflict');
    });
  },
};
