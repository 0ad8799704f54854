import { runActionProperties } from '../actions/action-property.js';
import { readTargets } from '../actions/action-case.js';
import { casesPerAction, differencesFinding, missingCreatesFinding, statusFinding, targetReadsFinding } from '../actions/case-findings.js';
import { twinScope } from '../actions/neighbours.js';
import { withActionSession } from '../actions/session.js';
import type { ConformanceCheck } from '../check.js';

/**
 * ACT-ADDRESSING: each action, posted through a random mix of UUID and getByName with at least one level by
 * name, has the effect it has by UUID, on the same object and on no other: nothing changes on the same
 * collection under parents one level apart (the same-named extension or queue of another core server).
 */
export const actAddressingCheck: ConformanceCheck = {
  ruleId: 'ACT-ADDRESSING',
  async run(context) {
    if (context.model.actions.length === 0) context.notApplicable('the contract has no action');
    await withActionSession(context, async (session) => {
      const tally = await runActionProperties(session, {
        name: 'addressed-by-name',
        addressing: 'some-name',
        extraScope: (invocation) => twinScope(session.arena, invocation),
        maxRuns: casesPerAction(context, 0.02),
        async judge(run) {
          const status = statusFinding(run);
          if (status || run.exchange.status !== 204) return status;
          return (
            missingCreatesFinding(run) ??
            differencesFinding(run, run.differences.filter((d) => d.onTarget), 'Addressed by name, the action does not have its effect', 'the effect it has when addressed by UUID') ??
            differencesFinding(run, run.differences.filter((d) => !d.onTarget), 'Addressed by name, the action changed another object too', 'no change to any other object') ??
            targetReadsFinding(run, await readTargets(session, run))
          );
        },
      });
      tally.note(context, 'cases per action (a mix of UUID and getByName, at least one level by name)');
    });
  },
};
