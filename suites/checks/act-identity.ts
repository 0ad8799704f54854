import { runActionProperties } from '../actions/action-property.js';
import { casesPerAction, differencesFinding } from '../actions/case-findings.js';
import { ownerListingsScope } from '../actions/neighbours.js';
import { withActionSession } from '../actions/session.js';
import { buildPath, instanceSegments } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { describeOutcome } from '../finding.js';
import { describeInvocation } from '../actions/invocation.js';

/**
 * ACT-IDENTITY: no action changes the UUID of an instance, except that the instances its effect removes or
 * creates come and go: every other member of the collections around the action keeps its id (and its identity
 * properties), and the instance acted on still answers at its UUID path with that UUID.
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
          const found = differencesFinding(run, changed, 'After the action, instances are listed under other ids', 'every id kept, but those the effect removes or creates');
          if (found) return found;
          const owner = run.prediction.owner;
          if (owner.kind !== 'instance' || run.prediction.removes.some((r) => r.id === owner.id)) return undefined;
          const node = run.invocation.action.ownerInstance;
          const read = requireAnswer(await context.client.get(buildPath(node, run.invocation.refs.slice(0, instanceSegments(node).length))));
          const id = (read.json as { id?: unknown } | undefined)?.id;
          if (read.status === 200 && id === owner.id) return undefined;
          return {
            message: `After ${describeInvocation(run.invocation)}, the instance acted on no longer answers at its UUID ${owner.id}.`,
            expected: `200 with id ${owner.id}`,
            actual: read.status === 200 ? `200 with id ${JSON.stringify(id)}` : describeOutcome(read),
            exchanges: [run.exchange, read],
            provenance: run.invocation.action.provenance,
          };
        },
      });
      tally.note(context, 'cases per action (a random mix of UUID and getByName)');
    });
  },
};
