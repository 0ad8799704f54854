/**
 * Concrete request paths matched back to the contract: the path node a request reached and the addressing form
 * of each of its instance levels. Contract coverage tallies requests by it; findings name the operations they
 * rest on by it (so that --baseline matches a failure by where it is, not by the instance sampled).
 */
import { instanceSegments, type AddressingForm, type PathNode, type ResourceModel } from './resource-model.js';

/** A concrete request path matched to the contract: the node it reaches and the form of each instance level. */
export interface PathMatch {
  node: PathNode;
  /** One form per instance segment of the node, in order. */
  forms: AddressingForm[];
}

/** The keyword that introduces a symbolic name in a path (`getByName/{name}`). */
const byNameKeyword = 'getByName';

/** Matches the segments of `node` against `parts` from `segment`/`part` on; the forms of the levels matched, or undefined. */
function matchSegments(node: PathNode, parts: string[], segment: number, part: number): AddressingForm[] | undefined {
  if (segment === node.segments.length) return part === parts.length ? [] : undefined;
  if (part >= parts.length) return undefined;
  const current = node.segments[segment];
  if (current.kind === 'literal') {
    return parts[part] === current.text ? matchSegments(node, parts, segment + 1, part + 1) : undefined;
  }
  // A name-capable level written getByName/{name} takes two parts; try that reading first, as the API does.
  if (current.nameProperty && parts[part] === byNameKeyword && part + 1 < parts.length) {
    const rest = matchSegments(node, parts, segment + 1, part + 2);
    if (rest) return ['name', ...rest];
  }
  if (parts[part].length === 0) return undefined;
  const rest = matchSegments(node, parts, segment + 1, part + 1);
  return rest ? ['uuid', ...rest] : undefined;
}

// Every request of a run is matched (coverage): the part counts are worked out once per node.
const partCountsOf = new WeakMap<PathNode, { fewest: number; most: number }>();

/**
 * How many parts a path of `node` has: one per segment, and one more for each name-capable level written
 * getByName/{name}. A path with another count cannot match it (see {@link matchSegments}).
 */
function partCounts(node: PathNode): { fewest: number; most: number } {
  let counts = partCountsOf.get(node);
  if (!counts) {
    const nameCapable = node.segments.filter((segment) => segment.kind === 'instance' && segment.nameProperty).length;
    counts = { fewest: node.segments.length, most: node.segments.length + nameCapable };
    partCountsOf.set(node, counts);
  }
  return counts;
}

/**
 * The contract node that a concrete request path (relative to the API base, percent-encoded, a query string
 * allowed) reaches, with the addressing form of each of its instance levels; undefined when no path of the
 * contract matches. Where two nodes match (a thing named `agents` read by name looks like a collection under an
 * instance whose UUID is `getByName`), the reading that takes `getByName` as the keyword wins, then the one with
 * more literal segments.
 */
export function matchRequestPath(model: ResourceModel, path: string): PathMatch | undefined {
  const parts = path.split(/[?#]/, 1)[0].replace(/^\/+/, '').split('/');
  let best: PathMatch | undefined;
  let bestScore = -1;
  for (const node of model.nodes) {
    const { fewest, most } = partCounts(node);
    if (parts.length < fewest || parts.length > most) continue;
    const forms = matchSegments(node, parts, 0, 0);
    if (!forms) continue;
    // `getByName` is a keyword, never a UUID: the reading that takes it as one wins; then the more literal one.
    const score = forms.filter((form) => form === 'name').length * 1000 + node.segments.length - instanceSegments(node).length;
    if (score > bestScore) {
      best = { node, forms };
      bestScore = score;
    }
  }
  return best;
}

