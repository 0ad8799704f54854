import fc from 'fast-check';
import { runActionProperties } from '../actions/action-property.js';
import { everyRunDraft } from '../actions/action-case.js';
import { fullBodyDraft } from '../arbitraries/request-body.js';
import { wholeArena } from '../actions/arena.js';
import { neighbourScore } from '../actions/candidates.js';
import { casesPerAction, differencesFinding, leakedValuesFinding } from '../actions/case-findings.js';
import { withActionSession } from '../actions/session.js';
import type { ConformanceCheck } from '../check.js';

/**
 * ACT-ISOLATION: an action changes only what its effect names. The whole arena (every core server) is read
 * before and after, and every other instance and sub-resource must read the same: its stable properties, and
 * the properties actions write even though the contract calls them volatile (an agent's paused, a status),
 * since only the checker's actions move them. The owner is chosen among those with the most neighbours (an
 * agent whose extension is an agent of other queues too), where an effect would spill over. Free values in the
 * bodies are distinctive (a random note or name, a large random penalty): one that turns up anywhere else after the
 * action, volatile properties included, is a finding, since no server holds such a value by chance.
 */
export const actIsolationCheck: ConformanceCheck = {
  ruleId: 'ACT-ISOLATION',
  async run(context) {
    if (context.model.actions.length === 0) context.notApplicable('the contract has no action');
    await withActionSession(context, async (session) => {
      let enumerated = 0;
      const tally = await runActionProperties(session, {
        name: 'isolated-effect-of',
        addressing: 'uuid',
        extraScope: () => wholeArena(session.arena),
        // Mostly the owner with the most neighbours; now and then any.
        pick: fc.oneof({ weight: 3, arbitrary: fc.nat({ max: 1 }) }, { weight: 1, arbitrary: fc.nat() }),
        order: (candidates) =>
          candidates
            .map((candidate, index) => ({ candidate, index, score: candidate.prediction.owner.kind === 'instance' ? neighbourScore(session.current, candidate.prediction.owner.id) : 0 }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .map((entry) => entry.candidate),
        maxRuns: casesPerAction(context, 0.01),
        distinctiveValues: true,
        // Every run, each path of each action once on the owner with the most neighbours (the first candidate).
        examples: (variants) =>
          variants.map((action, variant) => {
            enumerated += 1;
            return everyRunDraft(context.model.actions, action, variant, fullBodyDraft(action, context.settings.seed, undefined, true), context.settings.seed);
          }),
        async judge(run) {
          if (run.exchange.status !== 204) return undefined; // ACT-EFFECT's to judge
          return (
            differencesFinding(run, run.differences.filter((d) => !d.onTarget), 'The action changed instances that its effect does not name', 'every other instance reads the same') ??
            leakedValuesFinding(run)
          );
        },
      });
      tally.note(context, 'cases per action (by UUID, the whole arena read before and after)');
      context.note(`${enumerated} cases every run: each path of each action on the owner with the most neighbours, with distinctive values`);
    });
  },
};
