import { runActionProperties } from '../actions/action-property.js';
import { casesPerAction, differencesFinding } from '../actions/case-findings.js';
import { ownerListingsScope } from '../actions/neighbours.js';
import { withActionSession } from '../actions/session.js';
import type { ConformanceCheck } from '../check.js';

/**
 * ACT-IDENTITY: no action changes the UUID of an instance, except that the instances its effect removes or
 * creates come and go: in the collections around the action (its own, and every one that lists what it acts
 * on), no member gives way to another id, and no identity property changes.
 */
export const actIdentityCheck: ConformanceCheck = {
  ruleId: 'ACT-IDENTITY',
  async run(context) {
    if (context.model.actions.length === 0) context.notApplicable('the contract has no action');
    await withActionSession(context, async (session) => {
      const tally = await runActionProperties(session, {
        name: 'identity-kept-by',
        addressing: 'draft',
        extraScope: (invocation) => ownerListingsScope(session.arena, session.current, invocation),
        maxRuns: casesPerAction(context, 0.02),
        async judge(run) {
          if (run.exchange.status !== 204) return undefined; // ACT-EFFECT's to judge
          const identityProperty = (path: string, property: string) => {
            const resource = session.lookup.collection(path)?.resource ?? session.lookup.singleton(path);
            return resource?.identityProperties.includes(property) ?? property === 'id';
          };
          // An id that changed: in one collection, a member missing and another one new (the effect's own
          // comings and goings are already expected), or an identity property with another value.
          const swapped = (path: string) => ['missing', 'unexpected'].every((kind) => run.differences.some((d) => d.path === path && d.kind === kind));
          const changed = run.differences.filter((d) => (d.kind === 'value' ? identityProperty(d.path, d.property!) : swapped(d.path)));
          return differencesFinding(run, changed, 'After the action, instances are listed under other ids', 'every id kept, but those the effect removes or creates');
        },
      });
      tally.note(context, 'cases per action (a random mix of UUID and getByName)');
    });
  },
};
