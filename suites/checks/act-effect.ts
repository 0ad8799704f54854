import { runActionProperties } from '../actions/action-property.js';
import { everyRunDraft, readTargets } from '../actions/action-case.js';
import { casesPerAction, differencesFinding, missingCreatesFinding, statusFinding, targetReadsFinding } from '../actions/case-findings.js';
import { withActionSession } from '../actions/session.js';
import type { ConformanceCheck } from '../check.js';
import { optionalProperties, requiredOnlyBodyDraft } from '../arbitraries/request-body.js';

/**
 * ACT-EFFECT: each action, posted by UUID where the contract's effect changes something, answers 204, and the
 * effect (the values written, the instances created or removed) shows right after: in the collections that
 * list what it acted on, and at its own path read by UUID and by name.
 */
export const actEffectCheck: ConformanceCheck = {
  ruleId: 'ACT-EFFECT',
  async run(context) {
    if (context.model.actions.length === 0) context.notApplicable('the contract has no action');
    await withActionSession(context, async (session) => {
      const enumerated: string[] = [];
      const tally = await runActionProperties(session, {
        name: 'effect-of',
        readTargets: true,
        addressing: 'uuid',
        maxRuns: casesPerAction(context, 0.03),
        // Every run, each path of an action with optional body properties once with all of them left out: the
        // effect must show their documented defaults (a queue login without paused or penalty: false and 0).
        examples: (variants) =>
          variants.flatMap((action, variant) => {
            if (optionalProperties(action).length === 0) return [];
            enumerated.push(`${action.definition.name} without ${optionalProperties(action).join(', ')}`);
            return [everyRunDraft(context.model.actions, action, variant, requiredOnlyBodyDraft(action, context.settings.seed), context.settings.seed)];
          }),
        async judge(run) {
          const status = statusFinding(run);
          if (status || run.exchange.status !== 204) return status;
          return (
            missingCreatesFinding(run) ??
            differencesFinding(run, run.differences.filter((d) => d.onTarget), 'The effect does not show in the collections right after the action', 'the values and members that the contract\'s effect gives') ??
            targetReadsFinding(run, await readTargets(session, run))
          );
        },
      });
      tally.note(context, 'cases per action (by UUID, each changing the state)');
      context.note(`enumerated every run (${enumerated.length}): ${enumerated.join('; ')} (the defaults the contract writes)`);
    });
  },
};
