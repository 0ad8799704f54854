/**
 * The property every one-action rule runs, per action name: draw a case, provision what the action needs,
 * run it, judge it with the rule's own judge, and undo it, whatever happened.
 */
import type fc from 'fast-check';
import type { ActionNode } from '../../contracts/resource-model.js';
import type { FindingInput } from '../finding.js';
import { actionsByName, caseDraft, exercisableVariants, provisionDraft, provisionOwner, provisioningAction, restoreCase, runCase, type CaseOptions, type CaseRun } from './action-case.js';
import type { CaseDraft } from './candidates.js';
import { CaseTally } from './case-findings.js';
import type { ActionSession } from './session.js';

/** What one rule does with each case. */
export interface ActionPropertyOptions extends CaseOptions {
  /** The property's name prefix, e.g. `effect-of` (the action's name follows). */
  name: string;
  /** Cases per action. */
  maxRuns: number;
  /** How the candidate is picked (default: any index). */
  pick?: fc.Arbitrary<number>;
  /** Bodies carry distinctive free values (no server holds them by chance). Default false. */
  distinctiveValues?: boolean;
  /**
   * Cases every run, before the drawn ones, per action: drafts for its exercisable paths (`variants`). The notes
   * count them. Default none.
   */
  examples?: (variants: readonly ActionNode[]) => (CaseDraft & { provision?: CaseDraft })[];
  /** The rule's verdict on a case that ran: a finding, or undefined. */
  judge(run: CaseRun): Promise<FindingInput | undefined>;
}

/** Runs the property for every action of the contract; returns what ran and what was skipped. */
export async function runActionProperties(session: ActionSession, options: ActionPropertyOptions): Promise<CaseTally> {
  const { context } = session;
  const tally = new CaseTally();
  for (const [name, all] of actionsByName(context.model.actions)) {
    const { variants, left } = exercisableVariants(context.model.actions, all);
    left.forEach((line) => tally.skip(name, line));
    if (variants.length === 0) continue;
    await context.property(`${options.name}-${name}`, draftsFor(context.model.actions, variants, options.pick, options.distinctiveValues), async (draft) => {
      const action: ActionNode = variants[draft.variant];
      if (action.effects.onlyOnCreated) {
        const problem = await provisionOwner(session, action, draft.provision);
        if (problem) return void tally.skip(name, problem);
      }
      const run = await runCase(session, variants, draft, options);
      if ('skipped' in run) return void tally.skip(name, run.skipped);
      tally.count(name);
      try {
        return await options.judge(run);
      } finally {
        for (const line of await restoreCase(session, run)) session.noteOnce(`not restored after a case: ${line}`);
      }
    }, { maxRuns: options.maxRuns, examples: options.examples?.(variants) });
  }
  return tally;
}

function draftsFor(actions: readonly ActionNode[], variants: ActionNode[], pick?: fc.Arbitrary<number>, distinctive?: boolean) {
  return caseDraft(variants, pick, distinctive).chain((draft) => provisionDraft(provisioningAction(actions, variants[draft.variant])).map((provision) => ({ ...draft, provision })));
}
