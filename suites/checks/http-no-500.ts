import { buildPath, instanceSegments, type InstanceRef, type PathNode } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { inOrder } from '../in-order.js';
import { actionBodies } from '../example-body.js';
import { describeOutcome } from '../finding.js';
import { discoveredRefsOf } from '../node-refs.js';
import { malformedIds, pathWithIdAt, pathWithNameAt, pick, seededUuid } from '../probe-paths.js';
import { seededRandom } from '../seeded-random.js';
import type { Exchange } from '../target-client.js';

/** One well-formed request to send, and what it is. */
interface Probe {
  node: PathNode;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** What the request is, for the finding: `a malformed id at {queueId}`. */
  what: string;
}

/** GETs of a readable node that reach nothing: a malformed id at every level, an unknown UUID and name at the last. */
function readProbes(node: PathNode, refs: InstanceRef[], random: () => number): Probe[] {
  const levels = instanceSegments(node);
  const probes: Probe[] = levels.map((segment, level) => {
    const id = pick(malformedIds(refs[level].id), random);
    const shown = id.length > 40 ? `${id.slice(0, 12)}… (${id.length} characters)` : JSON.stringify(id);
    return { node, method: 'GET', path: pathWithIdAt(node, refs, level, id), what: `a malformed id (${shown}) at {${segment.parameter}}` };
  });
  const last = levels.length - 1;
  if (last < 0) return probes;
  probes.push({ node, method: 'GET', path: pathWithIdAt(node, refs, last, seededUuid(random)), what: `an unknown UUID at {${levels[last].parameter}}` });
  if (levels[last].nameProperty) {
    const name = `isym-conform-no-such-name-${seededUuid(random).slice(0, 8)}`;
    probes.push({ node, method: 'GET', path: pathWithNameAt(node, refs, last, name), what: `an unknown name at {${levels[last].parameter}}` });
  }
  if (node.kind === 'instance') {
    probes.push({ node, method: 'GET', path: `${buildPath(node, refs)}/isym-conform-no-such-path`, what: 'an unknown sub-path of a real instance' });
  }
  return probes;
}

/** POSTs of an action on an unknown instance (nothing can change): a valid body, one that is no JSON, a wrong type. */
function actionProbes(node: PathNode & { kind: 'action' }, refs: InstanceRef[], random: () => number): Probe[] {
  const last = instanceSegments(node).length - 1;
  const path = pathWithIdAt(node, refs, last, seededUuid(random));
  return actionBodies(node.requestSchema).map(({ label, body }) => ({ node, method: 'POST', path, body, what: `${label}, on an unknown instance` }));
}

/**
 * HTTP-NO-500: no well-formed request answers 5xx. The GETs of discovery (every readable path), GETs of every
 * readable path with a malformed id at each level and an unknown UUID or name at the last, unknown sub-paths, and
 * POSTs of every action with good and bad bodies, always on an unknown instance so that no state can change (none in
 * a read-only run).
 */
export const httpNo500Check: ConformanceCheck = {
  ruleId: 'HTTP-NO-500',
  async run(context) {
    const discovery = await context.discovery();
    const reported = new Set<string>();
    const judge = (probe: { node: PathNode; what: string }, exchange: Exchange) => {
      if (exchange.status < 500 || reported.has(probe.node.template)) return;
      // One finding per path template: the same fault at every level would only repeat itself.
      reported.add(probe.node.template);
      context.report({
        message: `${exchange.method} ${probe.node.template} with ${probe.what} answers ${exchange.status}.`,
        expected: 'a status below 500 (404 for a path to nothing, 412 for a bad body)',
        actual: describeOutcome(exchange),
        exchanges: [exchange],
      });
    };
    for (const read of discovery.reads) judge({ node: read.node, what: 'the ids discovery found (a plain read)' }, read.exchange);

    const random = seededRandom(context.settings.seed);
    const probes: Probe[] = [];
    const unreached: string[] = [];
    // A read-only run (--skip ACT) posts no action at all, not even to an unknown instance.
    const actionsAllowed = context.settings.actionsAllowed !== false;
    for (const node of context.model.nodes.filter((candidate) => actionsAllowed || candidate.kind !== 'action')) {
      const candidates = discoveredRefsOf(discovery, node);
      if (candidates.length === 0) {
        unreached.push(node.template);
        continue;
      }
      const refs = pick(candidates, random);
      probes.push(...(node.kind === 'action' ? actionProbes(node, refs, random) : readProbes(node, refs, random)));
    }
    // Sent together, judged in the order of the probes.
    const sent = await inOrder(probes, context.client.maxConcurrentRequests, (probe) => context.client.request(probe.method, probe.path, probe.body === undefined ? {} : { body: probe.body }));
    for (const [index, probe] of probes.entries()) judge(probe, requireAnswer(sent[index]));
    context.note(`${discovery.reads.length} discovery reads and ${probes.length} probes (malformed and unknown ids and names, unknown sub-paths, action bodies on unknown instances)`);
    if (!actionsAllowed) context.note('no action posted: the run is read-only (the ACT rules are skipped)');
    if (unreached.length > 0) context.note(`no discovered instance to build a path of: ${unreached.join(', ')}`);
  },
};
