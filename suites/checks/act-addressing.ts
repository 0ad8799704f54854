import { runActionProperties } from '../actions/action-property.js';
import { everyRunDraft, readTargets } from '../actions/action-case.js';
import { fullBodyDraft } from '../arbitraries/request-body.js';
import type { ArenaState } from '../actions/arena-state.js';
import type { Candidate } from '../actions/candidates.js';
import { casesPerAction, differencesFinding, missingCreatesFinding, statusFinding, targetReadsFinding } from '../actions/case-findings.js';
import type { ResourceLookup } from '../actions/state-comparison.js';
import { twinScope } from '../actions/neighbours.js';
import { withActionSession } from '../actions/session.js';
import { namesakesOf, type Namesakes } from '../arbitraries/namesakes.js';
import { instanceSegments } from '../../contracts/resource-model.js';
import type { ConformanceCheck } from '../check.js';

/** The namesakes among the names the state lists (a name in two or more collections of one resource). */
function stateNamesakes(state: ArenaState, lookup: ResourceLookup): Namesakes {
  return namesakesOf(
    [...state.collections].flatMap(([path, members]) => {
      const resource = lookup.collection(path)?.resource;
      const nameProperty = resource?.nameProperty;
      if (!resource || !nameProperty) return [];
      return [{ resource: resource.name, path, names: [...members.values()].map((item) => item[nameProperty]).filter((name): name is string => typeof name === 'string') }];
    }),
  );
}

/** How many levels of the candidate's path are written by a namesake's name. */
function namesakeLevels(namesakes: Namesakes, candidate: Candidate): number {
  const { invocation } = candidate;
  return instanceSegments(invocation.action).filter(
    (segment, index) => invocation.forms[index] === 'name' && namesakes.get(segment.resource.name)?.has(invocation.refs[index].name ?? '') === true,
  ).length;
}

/**
 * ACT-ADDRESSING: each action, posted through a random mix of UUID and getByName with at least one level by
 * name, has the effect it has by UUID, on the same object and on no other: nothing changes on the same
 * collection under parents one level apart (the same-named extension or queue of another core server). Every
 * run, each path of each action is posted once on the owner with the most levels written by a namesake's name
 * (a name listed under more than one parent), where a name resolved under the wrong parent shows.
 */
export const actAddressingCheck: ConformanceCheck = {
  ruleId: 'ACT-ADDRESSING',
  async run(context) {
    if (context.model.actions.length === 0) context.notApplicable('the contract has no action');
    await withActionSession(context, async (session) => {
      let enumerated = 0;
      const tally = await runActionProperties(session, {
        name: 'addressed-by-name',
        readTargets: true,
        addressing: 'some-name',
        extraScope: (invocation) => twinScope(session.arena, invocation),
        // Namesakes first (stable): the enumerated case takes the first; drawn picks land anywhere.
        order: (candidates) => {
          const namesakes = stateNamesakes(session.current, session.lookup);
          return candidates
            .map((candidate, index) => ({ candidate, index, score: namesakeLevels(namesakes, candidate) }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .map((entry) => entry.candidate);
        },
        examples: (variants) =>
          variants.map((action, variant) => {
            enumerated += 1;
            return everyRunDraft(context.model.actions, action, variant, fullBodyDraft(action, context.settings.seed), context.settings.seed, true);
          }),
        maxRuns: casesPerAction(context, 0.01),
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
      context.note(`${enumerated} enumerated every run: each path of each action, every level by name, on the owner with the most namesake levels`);
    });
  },
};
