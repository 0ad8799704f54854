import { instanceSegments, buildPath, type InstanceRef, type PathNode } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { inOrder } from '../in-order.js';
import type { Discovery } from '../discovery.js';
import { describeOutcome } from '../finding.js';
import { discoveredRefsOf } from '../node-refs.js';
import { pathWithIdAt, pick, seededUuid } from '../probe-paths.js';
import { seededRandom } from '../seeded-random.js';

/** The methods LIVE-API.md never uses; each must answer 404 or 405 where the contract does not list it. */
const unlistedMethods = ['PUT', 'PATCH', 'DELETE'] as const;
type UnlistedMethod = (typeof unlistedMethods)[number];

/** One request of a method the path does not have. */
interface MethodProbe {
  node: PathNode;
  method: UnlistedMethod;
  path: string;
  body?: unknown;
  /** How the path was chosen, for the finding. */
  target: string;
}

/** The body a GET of this path gave during discovery, when it did: a PUT of it changes nothing if accepted. */
function currentBody(discovery: Discovery, node: PathNode, refs: InstanceRef[]): unknown {
  const path = buildPath(node, refs);
  const read = discovery.reads.find((candidate) => candidate.exchange.path === path && candidate.exchange.status === 200);
  if (read) return read.exchange.json;
  const listed = node.kind === 'instance' ? discovery.of(node).find((instance) => buildPath(node, instance.refs) === path)?.listed : undefined;
  return listed ?? {};
}

/**
 * The probes of one path. A PUT sends back what a GET gave and a PATCH an empty object, to the real path of a
 * readable node: a server that wrongly accepts them still changes nothing. Every DELETE, and every method on an
 * action path, goes to an unknown instance: a server that wrongly accepted those on a real one could end a call,
 * log an agent out or run the action.
 */
function methodProbes(discovery: Discovery, node: PathNode, refs: InstanceRef[], random: () => number): MethodProbe[] {
  const last = instanceSegments(node).length - 1;
  const unknownPath = last >= 0 ? pathWithIdAt(node, refs, last, seededUuid(random)) : undefined;
  const realPath = buildPath(node, refs);
  return unlistedMethods
    .filter((method) => !node.methods.includes(method.toLowerCase()))
    .flatMap((method): MethodProbe[] => {
      if (method === 'DELETE' || node.kind === 'action') {
        return unknownPath ? [{ node, method, path: unknownPath, target: 'an unknown instance' }] : [];
      }
      const body = method === 'PUT' ? currentBody(discovery, node, refs) : {};
      return [{ node, method, path: realPath, body, target: method === 'PUT' ? 'a real path, with the body a GET gave' : 'a real path, with an empty object' }];
    });
}

/**
 * HTTP-METHOD (SHOULD): PUT, PATCH and DELETE, where the contract does not list them, answer 404 or 405 and never
 * 2xx, on one path of every collection, instance, singleton and action of the contract.
 */
export const httpMethodCheck: ConformanceCheck = {
  ruleId: 'HTTP-METHOD',
  async run(context) {
    const discovery = await context.discovery();
    const random = seededRandom(context.settings.seed);
    const probes: MethodProbe[] = [];
    // A read-only run (--skip ACT) sends nothing to action paths, whatever the method.
    const actionsAllowed = context.settings.actionsAllowed !== false;
    for (const node of context.model.nodes.filter((candidate) => actionsAllowed || candidate.kind !== 'action')) {
      const candidates = discoveredRefsOf(discovery, node);
      if (candidates.length > 0) probes.push(...methodProbes(discovery, node, pick(candidates, random), random));
    }
    if (probes.length === 0) context.notApplicable('no path of the contract lacks PUT, PATCH or DELETE, or none could be built');
    const reported = new Set<string>();
    // Sent together, judged in the order of the probes.
    const sent = await inOrder(probes, context.client.maxConcurrentRequests, (probe) => context.client.request(probe.method, probe.path, probe.body === undefined ? {} : { body: probe.body }));
    for (const [index, probe] of probes.entries()) {
      const exchange = requireAnswer(sent[index]);
      if (exchange.status === 404 || exchange.status === 405) continue;
      const key = `${probe.node.kind} ${probe.method}`;
      if (reported.has(key)) continue;
      // One finding per kind of path and method: the same handling on every path would only repeat itself.
      reported.add(key);
      const accepted = exchange.status >= 200 && exchange.status < 300;
      context.report({
        message: `${probe.method} on ${probe.node.kind} path ${probe.node.template} (${probe.target}) ${accepted ? 'is accepted' : `answers ${exchange.status}`}; the contract does not list ${probe.method} there.`,
        expected: '404 or 405',
        actual: describeOutcome(exchange),
        exchanges: [exchange],
        provenance: 'inferred',
      });
    }
    if (!actionsAllowed) context.note('no action path tried: the run is read-only (the ACT rules are skipped)');
    const kinds = new Set(probes.map((probe) => probe.node.kind));
    context.note(`${probes.length} requests of ${unlistedMethods.join(', ')} on ${new Set(probes.map((p) => p.node.template)).size} paths (${[...kinds].join(', ')}); DELETE and action paths only on unknown instances`);
  },
};
