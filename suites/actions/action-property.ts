/**
 * The property every one-action rule runs, per action name: draw a case, provision what the action needs,
 * run it, and judge it with the rule's own judge; the property's cases are undone together when it ends,
 * whatever happened.
 */
import type fc from 'fast-check';
import type { ActionNode } from '../../contracts/resource-model.js';
import type { FindingInput } from '../finding.js';
import { actionsByName, caseDraft, exercisableVariants, mayHaveLeftOnItsOwn, provisionDraft, provisionOwner, provisioningAction, runCase, type CaseOptions, type CaseRun } from './action-case.js';
import type { CaseDraft } from './candidates.js';
import { CaseTally } from './case-findings.js';
import { CasesToUndo } from './cases-to-undo.js';
import { FLICKER_SENDS } from './moved-on-its-own.js';
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
  /**
   * The rule's verdict on a case that ran: a finding, or undefined. A finding on a case whose target may have left
   * on its own ({@link mayHaveLeftOnItsOwn}) stands only when the case, run again from its draft, shows one
   * {@link FLICKER_SENDS} times in a row.
   */
  judge(run: CaseRun): Promise<FindingInput | undefined>;
}

/**
 * Runs the property for every action of the contract; returns what ran and what was skipped. The cases of one
 * action run one after another and are undone together when its property ends, however it ends (see
 * {@link CasesToUndo}).
 */
export async function runActionProperties(session: ActionSession, options: ActionPropertyOptions): Promise<CaseTally> {
  const { context } = session;
  const tally = new CaseTally();
  for (const [name, all] of actionsByName(context.model.actions)) {
    const { variants, left } = exercisableVariants(context.model.actions, all);
    left.forEach((line) => tally.skip(name, line));
    if (variants.length === 0) continue;
    const undo = new CasesToUndo(session, name);
    try {
      await context.property(
        `${options.name}-${name}`,
        draftsFor(context.model.actions, variants, options.pick, options.distinctiveValues),
        async (draft) => {
          let failed = true; // an error is a failure too
          try {
            const found = await runAndJudge(session, { name, variants, draft, options, tally, undo });
            failed = found !== undefined;
            return found;
          } finally {
            await undo.caseEnded(failed);
          }
        },
        { maxRuns: options.maxRuns, examples: options.examples?.(variants) },
      );
    } finally {
      await undo.undo();
    }
  }
  return tally;
}

/** One case of a property: provision what it needs, run it, hand what it changed to `undo`, and judge it. */
async function runAndJudge(
  session: ActionSession,
  { name, variants, draft, options, tally, undo }: { name: string; variants: ActionNode[]; draft: CaseDraft & { provision?: CaseDraft }; options: ActionPropertyOptions; tally: CaseTally; undo: CasesToUndo },
): Promise<FindingInput | undefined> {
  const action: ActionNode = variants[draft.variant];
  if (action.effects.onlyOnCreated) {
    const problem = await provisionOwner(session, action, draft.provision);
    if (problem) return void tally.skip(name, problem);
  }
  const first = await runCase(session, variants, draft, options);
  if ('skipped' in first) return void tally.skip(name, first.skipped);
  let run: CaseRun = first;
  tally.count(name);
  undo.add(run);
  let found = await options.judge(run);
  // A fault shows on every run of the draft; an agent that logged out at its phone just after the action (and in
  // again, under a new UUID) does not, run after run.
  for (let runs = 1; found && mayHaveLeftOnItsOwn(run, session.lookup); runs += 1) {
    if (runs === FLICKER_SENDS) return { ...found, message: `${found.message} Seen on ${runs} runs of the case in a row (members that come and go on their own, LIVE-API.md §5, would not show it every time).` };
    const again = await runCase(session, variants, draft, options);
    // The finding could not be confirmed: the checker cannot tell it from live telephony, and does not fail.
    if ('skipped' in again) return void tally.skip(name, `a finding that live telephony may explain could not be confirmed (${again.skipped})`);
    tally.count(name);
    undo.add(again);
    run = again;
    found = await options.judge(run);
    if (!found) session.noteOnce(`${name}: a finding on a case whose target left on its own (LIVE-API.md §5) did not show again when the case ran again; not failed`);
  }
  return found;
}

function draftsFor(actions: readonly ActionNode[], variants: ActionNode[], pick?: fc.Arbitrary<number>, distinctive?: boolean) {
  return caseDraft(variants, pick, distinctive).chain((draft) => provisionDraft(provisioningAction(actions, variants[draft.variant])).map((provision) => ({ ...draft, provision })));
}
