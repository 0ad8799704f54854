import fc from 'fast-check';
import { actionsByName, exercisableVariants } from '../actions/action-case.js';
import { narrowArena, wholeArena, type Arena, type Scope } from '../actions/arena.js';
import { cloneState, type ArenaState } from '../actions/arena-state.js';
import { resourceLookup } from '../actions/state-comparison.js';
import { actionCommands, describeSteps, requireBranchAsModelled, SequenceDivergence, type SequenceModel, type SequenceReal } from '../actions/sequence-model.js';
import { withActionSession, type ActionSession } from '../actions/session.js';
import { targetedSequences } from '../actions/targeted-sequences.js';
import type { InstanceNode, InstanceRef } from '../../contracts/resource-model.js';
import type { ConformanceCheck } from '../check.js';
import type { Exchange } from '../target-client.js';

/** Instances per parent in the arena of a sequence: few, so that random steps meet the same objects again. */
const SEQUENCE_INSTANCES_PER_PARENT = 3;
/** Steps in one sequence, at most. */
const MAX_STEPS = 8;
/** The share of --runs that sequences get: one sequence costs as much as several one-action cases. */
const RUNS_SHARE = 0.15;

/** How much an instance holds in the arena's collections: the busiest parents make the liveliest sequences. */
function busyness(arena: Arena, state: ArenaState) {
  return (_node: InstanceNode, refs: InstanceRef[]) =>
    arena.collections
      .filter((c) => c.parentRefs.length === refs.length && c.parentRefs[refs.length - 1]?.id === refs[refs.length - 1].id)
      .reduce((total, c) => total + (state.collections.get(c.path)?.size ?? 0), 0);
}

/** Puts the branch back as `state` shows it, from the session's latest look when it is fresh, and notes what it could not. */
async function restoreBranch(session: ActionSession, scope: Scope, state: ArenaState, when: string): Promise<void> {
  const restored = await session.restore(scope, state, session.freshLook(scope)?.state);
  for (const line of restored.notRestored) session.noteOnce(`not restored ${when}: ${line}`);
}

/**
 * ACT-SEQUENCES: random sequences of actions (fast-check commands) on one core server's small arena: after each
 * step the target answers the status the contract's effects predict, what the steps may change reads exactly as
 * the model says (read after a step that creates or removes, else with the next look), and after the last step the
 * whole branch does. A failing sequence is shrunk to a shortest one and reported step by step, each with its curl
 * line.
 */
export const actSequencesCheck: ConformanceCheck = {
  ruleId: 'ACT-SEQUENCES',
  async run(context) {
    const byName = new Map(
      [...actionsByName(context.model.actions)].map(([name, all]) => [name, exercisableVariants(context.model.actions, all).variants] as const).filter(([, variants]) => variants.length > 0),
    );
    if (byName.size === 0) context.notApplicable('the contract has no action the checker can post');
    await withActionSession(context, async (session) => {
      const topNode = [...session.arena.instances.keys()].find((node) => !node.collection.parent);
      const top = topNode && session.arena.instances.get(topNode)?.[0]?.[0];
      if (!top) return context.notApplicable('discovery found no top-level instance to run sequences under');
      const arena = narrowArena(session.arena, SEQUENCE_INSTANCES_PER_PARENT, busyness(session.arena, session.current), [top.id]);
      const scope = wholeArena(arena);
      const runs = Math.min(context.settings.numRuns, Math.max(5, Math.round(context.settings.numRuns * RUNS_SHARE)));
      let sequences = 0;
      let steps = 0;
      // Shrinking runs a sequence per attempt: after the first failure, at most this many more run, and the
      // shortest failing one found by then is the one reported.
      const shrinkBudget = 6 * runs;
      let shrinkAttempts: number | undefined;
      const targeted = targetedSequences(byName, context.settings.seed);
      // Sequences run one after another, each from where the last left the branch (each reads where it starts),
      // and the branch is put back once, when the property ends. From the first failing sequence on, each is
      // undone right after it: fast-check then shrinks, rerunning sequences that must start from the same state.
      let original: ArenaState | undefined;
      let undoEach = false;
      await context.property(
        'sequence-follows-the-model',
        fc.commands([actionCommands(byName)], { maxCommands: MAX_STEPS, size: 'max' }) as fc.Arbitrary<Iterable<fc.AsyncCommand<SequenceModel, SequenceReal>>>,
        async (commands) => {
          if (shrinkAttempts !== undefined && shrinkAttempts++ >= shrinkBudget) return undefined;
          // The previous sequence ended with a look at the whole branch (after its last step, or its restore's):
          // that look is where this one starts.
          const start = await session.lookBefore(scope);
          original ??= start.state;
          const real: SequenceReal = { session, arena, scope, lookup: resourceLookup(arena), steps: [] };
          const model: SequenceModel = { state: cloneState(start.state), created: new Map(session.created), touched: new Map(), steps: 0 };
          let failed = true;
          try {
            await fc.asyncModelRun(() => ({ model, real }), commands);
            await requireBranchAsModelled(real, model);
            failed = false;
            return undefined;
          } catch (error) {
            if (!(error instanceof SequenceDivergence)) throw error;
            shrinkAttempts ??= 0;
            // The reads that show where the sequence started, for the paths where it went wrong.
            const startReads = error.reads.map((read) => start.exchanges.get(read.path)).filter((read): read is Exchange => read !== undefined);
            return {
              message:
                `After step ${error.steps.length} of this sequence, the target is not where the contract's effects lead (a step that only sets values is read with the next look: the difference may come from any step up to this one):\n${describeSteps(error.steps)}\nthen: ${error.problem}\n` +
                'The sequence starts from the state its first reads show; what the target did before (the checker\'s earlier actions included) may matter too.',
              expected: 'after each step, the status that the model of the effects predicts; at each look, the state it predicts',
              actual: error.problem,
              exchanges: [...startReads, ...error.steps.map((step) => step.exchange), ...error.reads],
              provenance: error.steps.every((step) => step.invocation.action.provenance === 'inferred') ? 'inferred' : 'doc',
            };
          } finally {
            sequences += 1;
            steps += real.steps.length;
            undoEach ||= failed;
            // The sequence ended with a look at the whole branch: the restore starts from it instead of reading again.
            if (undoEach) await restoreBranch(session, scope, start.state, 'after a sequence');
          }
        },
        { maxRuns: runs, examples: targeted.map((sequence) => sequence.commands) },
      );
      if (original) await restoreBranch(session, scope, original, 'after the sequences');
      context.note(`${targeted.length} targeted sequences every run, before the random ones: ${targeted.map((sequence) => sequence.label).join('; ')}`);
      context.note(
        `${sequences} sequences run (${runs} drawn, the rest while shrinking, at most ${shrinkBudget} of those; ${Math.round(RUNS_SHARE * 100)}% of --runs, at least 5, of at most ${MAX_STEPS} steps) with ${steps} steps in all, ` +
          `on ${top.name ?? top.id} with at most ${SEQUENCE_INSTANCES_PER_PARENT} instances per parent (${scope.collections.length} collections, ${scope.singletons.length} sub-resources)`,
      );
    });
  },
};
