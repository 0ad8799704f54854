/**
 * Concrete instance refs for any node of the path tree, taken from discovery: what fills the instance levels of
 * a collection (its parents), an instance, a singleton (its owner) or an action (the instance it acts on).
 */
import { instanceSegments, type InstanceRef, type PathNode } from '../contracts/resource-model.js';
import type { Discovery } from './discovery.js';

/** Every discovered way to fill the instance levels of `node`: one ref per level, in order. */
export function discoveredRefsOf(discovery: Discovery, node: PathNode): InstanceRef[][] {
  switch (node.kind) {
    case 'collection':
      return node.parent ? discovery.of(node.parent).map((instance) => instance.refs) : [[]];
    case 'instance':
      return discovery.of(node).map((instance) => instance.refs);
    case 'singleton':
      return discovery.of(node.owner).map((instance) => instance.refs);
    case 'action':
      return discovery.of(node.ownerInstance).map((instance) => instance.refs);
  }
}

/** The instance levels of `node` that hold a discovered instance (for a collection, its parents). */
export function levelCount(node: PathNode): number {
  return instanceSegments(node).length;
}

/** `refs` with level `level` replaced by `ref`. */
export function withRefAt(refs: readonly InstanceRef[], level: number, ref: InstanceRef): InstanceRef[] {
  return refs.map((current, index) => (index === level ? ref : current));
}
