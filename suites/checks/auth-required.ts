import { buildPath, instanceSegments, type InstanceRef, type PathNode } from '../../contracts/resource-model.js';
import { requireAnswer, type ConformanceCheck } from '../check.js';
import { inOrder } from '../in-order.js';
import type { Discovery } from '../discovery.js';
import { exampleValue } from '../example-body.js';
import { describeOutcome } from '../finding.js';
import { discoveredRefsOf } from '../node-refs.js';
import { pathWithIdAt, pick, seededUuid } from '../probe-paths.js';
import { seededRandom } from '../seeded-random.js';
import type { AuthMode, Exchange } from '../target-client.js';

/** One path asked without valid credentials. */
interface AuthProbe {
  node: PathNode;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

/** Shorter strings than this are not looked for in bodies: "100" or "main" could be in any error page. */
const minimumMarkerLength = 5;

/**
 * What would show that a body leaks resource data: every discovered id, and the names and other identity values
 * of discovered instances (as JSON strings, quoted, so that a word of an error page does not count).
 */
function resourceMarkers(discovery: Discovery): { ids: Set<string>; quoted: Set<string> } {
  const ids = new Set<string>();
  const quoted = new Set<string>();
  for (const instance of discovery.instances) {
    ids.add(instance.refs[instance.refs.length - 1].id.toLowerCase());
    const resource = instance.node.resource;
    for (const key of new Set([...resource.identityProperties, ...(resource.nameProperty ? [resource.nameProperty] : [])])) {
      const value = instance.listed[key];
      if (key !== 'id' && typeof value === 'string' && value.length >= minimumMarkerLength) quoted.add(JSON.stringify(value));
    }
  }
  return { ids, quoted };
}

/** The first resource marker found in the body, if any. */
function leakedMarker(exchange: Exchange, markers: { ids: Set<string>; quoted: Set<string> }): string | undefined {
  const lower = exchange.bodyText.toLowerCase();
  for (const id of markers.ids) if (lower.includes(id)) return `the id ${id}`;
  for (const value of markers.quoted) if (exchange.bodyText.includes(value)) return `the value ${value}`;
  return undefined;
}

/** One path per node: the real path of a readable node; an action on an unknown instance, with a valid body. */
function authProbe(node: PathNode, refs: InstanceRef[], random: () => number): AuthProbe {
  if (node.kind !== 'action') return { node, method: 'GET', path: buildPath(node, refs) };
  const last = instanceSegments(node).length - 1;
  return { node, method: 'POST', path: pathWithIdAt(node, refs, last, seededUuid(random)), body: node.requestSchema ? exampleValue(node.requestSchema) : undefined };
}

const expectedStatuses: Record<Exclude<AuthMode, 'valid'>, number[]> = { none: [401, 403], wrong: [403, 401] };

/**
 * AUTH-REQUIRED: every path answers 401 or 403 without credentials, and 403 (or 401) with wrong ones, and no such
 * answer carries resource data (an id, name or other identity value of a discovered instance). One path of every
 * collection, instance, singleton and action of the contract is asked both ways; actions on an unknown instance.
 */
export const authRequiredCheck: ConformanceCheck = {
  ruleId: 'AUTH-REQUIRED',
  async run(context) {
    const discovery = await context.discovery();
    const random = seededRandom(context.settings.seed);
    const markers = resourceMarkers(discovery);
    // A read-only run (--skip ACT) posts no action at all, not even without credentials to an unknown instance.
    const actionsAllowed = context.settings.actionsAllowed !== false;
    const probes = context.model.nodes.filter((node) => actionsAllowed || node.kind !== 'action').flatMap((node) => {
      const candidates = discoveredRefsOf(discovery, node);
      return candidates.length > 0 ? [authProbe(node, pick(candidates, random), random)] : [];
    });
    if (probes.length === 0) context.notApplicable('no path of the contract could be built from what discovery found');
    const reported = new Set<string>();
    // Sent together, judged in the order of the probes.
    const asked = probes.flatMap((probe) => (['none', 'wrong'] as const).map((auth) => ({ probe, auth })));
    const sent = await inOrder(asked, context.client.maxConcurrentRequests, ({ probe, auth }) =>
      context.client.request(probe.method, probe.path, { auth, ...(probe.body === undefined ? {} : { body: probe.body }) }),
    );
    for (const [index, { probe, auth }] of asked.entries()) {
      const exchange = requireAnswer(sent[index]);
      const statusOk = expectedStatuses[auth].includes(exchange.status);
      const leak = leakedMarker(exchange, markers);
      const key = `${probe.node.template} ${auth}`;
      if ((statusOk && !leak) || reported.has(key)) continue;
      reported.add(key);
      const credentials = auth === 'none' ? 'without credentials' : 'with wrong credentials';
      context.report({
        message: statusOk
          ? `${probe.method} ${probe.path} ${credentials} answers ${exchange.status} but its body carries resource data (${leak}).`
          : `${probe.method} ${probe.path} ${credentials} answers ${exchange.status}${leak ? `, with resource data (${leak})` : ''}.`,
        expected: `${expectedStatuses[auth].join(' or ')}, with no resource data in the body`,
        actual: `${describeOutcome(exchange)}${leak ? `; the body carries ${leak}` : ''}`,
        exchanges: [exchange],
      });
    }
    if (!actionsAllowed) context.note('no action path asked: the run is read-only (the ACT rules are skipped)');
    context.note(`${probes.length} paths asked without and with wrong credentials; ${markers.ids.size} ids and ${markers.quoted.size} names looked for in the answers`);
  },
};
