import { runActionProperties } from '../actions/action-property.js';
import { casesPerAction, differencesFinding } from '../actions/case-findings.js';
import { ownerListingsScope } from '../actions/neighbours.js';
import { withActionSession, type ActionSession } from '../actions/session.js';
import type { CaseRun } from '../actions/action-case.js';
import type { Difference } from '../actions/state-comparison.js';
import { canonicalJson } from '../compare.js';
import type { ConformanceCheck } from '../check.js';

/** Whether `after` lists at `path` a member new since `before`, not the effect's own, equal to `id` but for volatile properties and the id. */
function reappearedUnderAnotherId(session: ActionSession, run: CaseRun, path: string, id: string): boolean {
  const was = run.before.state.collections.get(path)?.get(id);
  const now = run.after.state.collections.get(path);
  if (!was || !now) return false;
  const volatile = new Set(session.lookup.collection(path)?.resource.volatileProperties ?? []);
  const stable = (item: Record<string, unknown>) => canonicalJson(Object.fromEntries(Object.entries(item).filter(([key]) => key !== 'id' && !volatile.has(key))));
  return [...now].some(([other, item]) => other !== id && !run.before.state.collections.get(path)?.has(other) && !run.outcome.focus.has(other) && stable(item) === stable(was));
}

/**
 * What of `run` shows an id changed: in one collection, a member missing and a new one that is the same instance
 * but for its id (the effect's own comings and goings are already expected; where members come and go on their
 * own, another agent that logged in has other properties), or an identity property changed. None for an action
 * that was not accepted (ACT-EFFECT's to judge).
 */
function identityChanges(session: ActionSession, run: CaseRun): Difference[] {
  if (run.exchange.status !== 204) return [];
  const identityProperty = (path: string, property: string) => {
    const resource = session.lookup.collection(path)?.resource ?? session.lookup.singleton(path);
    return resource?.identityProperties.includes(property) ?? property === 'id';
  };
  const swapped = (path: string) =>
    run.differences.some((d) => d.path === path && d.kind === 'missing' && d.id !== undefined && reappearedUnderAnotherId(session, run, path, d.id));
  return run.differences.filter((d) => (d.kind === 'value' ? identityProperty(d.path, d.property!) : swapped(d.path)));
}

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
          return differencesFinding(run, identityChanges(session, run), 'After the action, instances are listed under other ids', 'every id kept, but those the effect removes or creates');
        },
      });
      tally.note(context, 'cases per action (a random mix of UUID and getByName)');
    });
  },
};
