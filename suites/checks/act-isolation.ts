import fc from 'fast-check';
import { runActionProperties } from '../actions/action-property.js';
import { everyRunDraft } from '../actions/action-case.js';
import { fullBodyDraft } from '../arbitraries/request-body.js';
import type { Arena, ArenaCollection, Scope } from '../actions/arena.js';
import type { ArenaState } from '../actions/arena-state.js';
import { neighbourScore } from '../actions/candidates.js';
import { casesPerAction, differencesFinding, leakedValuesFinding } from '../actions/case-findings.js';
import { withActionSession } from '../actions/session.js';
import type { ConformanceCheck } from '../check.js';

/**
 * The whole arena with each member of collections whose members come and go on their own read once: such a
 * collection (an extension's agents) is left out when every member `state` lists in it is listed in a larger one of
 * the same resource that is read (its queues' agents). Leaving it out judges nothing less: a member's values read
 * the same in either list, and the membership of such collections is compared only where an effect claims it, in
 * the case's own scope, which is always read. The larger lists are kept first, so each member is read in one.
 */
export function wholeArenaOnce(arena: Arena, state: ArenaState): Scope {
  const members = (collection: ArenaCollection) => [...(state.collections.get(collection.path)?.keys() ?? [])];
  const live = arena.collections
    .filter((collection) => collection.node.resource.liveMembership && state.collections.has(collection.path))
    .sort((a, b) => members(b).length - members(a).length || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const read = new Map<string, Set<string>>();
  const left = new Set<string>();
  for (const collection of live) {
    const seen = read.get(collection.node.resource.name) ?? new Set<string>();
    const listed = members(collection);
    if (listed.length > 0 && listed.every((id) => seen.has(id))) {
      left.add(collection.path);
      continue;
    }
    listed.forEach((id) => seen.add(id));
    read.set(collection.node.resource.name, seen);
  }
  return { collections: arena.collections.filter((collection) => !left.has(collection.path)), singletons: arena.singletons };
}

/**
 * ACT-ISOLATION: an action changes only what its effect names. The whole arena (every core server) is read
 * before and after, each agent once ({@link wholeArenaOnce}), and every other instance and sub-resource must read
 * the same: its stable properties, and
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
        extraScope: () => wholeArenaOnce(session.arena, session.current),
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
      tally.note(context, 'cases per action (by UUID, the whole arena read before and after, each agent once)');
      context.note(`${enumerated} cases every run: each path of each action on the owner with the most neighbours, with distinctive values`);
    });
  },
};
