import type { PathNode, ResourceType } from '../../contracts/resource-model.js';
import type { ConformanceCheck } from '../check.js';
import type { Exchange } from '../target-client.js';
import { uuidTextProblem } from '../uuid-text.js';

/** The resource whose representations a 200 body of `node` carries (one, or a list of them). */
function bodyResource(node: PathNode): ResourceType | undefined {
  return node.kind === 'action' ? undefined : node.resource;
}

/** The objects of a body: the items of a collection, or the body itself. */
function bodyObjects(node: PathNode, body: unknown): Record<string, unknown>[] {
  const objects = node.kind === 'collection' ? (Array.isArray(body) ? body : []) : [body];
  return objects.filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object' && !Array.isArray(item));
}

/**
 * ID-FORMAT: every property that the contract types `format: uuid` (the resource model's `uuidProperties`), in
 * every 200 body read during discovery, is an RFC 4122 UUID in text form. A value that is no string is left to
 * SCHEMA-RESPONSE (a type error), so that one fault is one rule's finding.
 */
export const idFormatCheck: ConformanceCheck = {
  ruleId: 'ID-FORMAT',
  async run(context) {
    const { reads } = await context.discovery();
    const reported = new Set<string>();
    let checked = 0;
    for (const { node, exchange } of reads) {
      const resource = bodyResource(node);
      if (exchange.status !== 200 || !resource || resource.uuidProperties.length === 0) continue;
      for (const object of bodyObjects(node, exchange.json)) {
        for (const property of resource.uuidProperties) {
          const value = object[property];
          if (typeof value !== 'string') continue;
          checked += 1;
          const problem = uuidTextProblem(value);
          // One finding per path and property: the same fault on every item would only repeat itself.
          const key = `${node.template} ${property}`;
          if (!problem || reported.has(key)) continue;
          reported.add(key);
          context.report(malformedIdFinding(node, resource, property, value, problem, exchange));
        }
      }
    }
    if (checked === 0) context.notApplicable('no 200 body read during discovery has a property typed uuid');
    context.note(`${checked} values typed uuid checked in ${reads.filter((read) => read.exchange.status === 200).length} bodies`);
  },
};

function malformedIdFinding(node: PathNode, resource: ResourceType, property: string, value: string, problem: string, exchange: Exchange) {
  return {
    message: `The ${resource.name} property "${property}" in the 200 body of GET ${exchange.path} is not an RFC 4122 UUID: ${JSON.stringify(value)} ${problem}.`,
    expected: `${property} as an RFC 4122 UUID in text form, e.g. 3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f7a8b9c`,
    actual: `${property}: ${JSON.stringify(value)}`,
    exchanges: [exchange],
    provenance: node.provenance,
  };
}
