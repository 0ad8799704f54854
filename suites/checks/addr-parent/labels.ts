/** How ADDR-PARENT names instances and parents in its findings. */
import { instanceSegments, type InstanceRef, type PathNodeBase } from '../../../contracts/resource-model.js';
import type { DiscoveredInstance } from '../../discovery.js';

/** `CoreServer "main" › Extension "101"`: a chain of refs along a path, named where they have a name. */
export function chainLabel(node: PathNodeBase, refs: InstanceRef[]): string {
  return instanceSegments(node)
    .slice(0, refs.length)
    .map((segment, index) => `${segment.resource.name} ${refs[index].name !== undefined ? JSON.stringify(refs[index].name) : refs[index].id}`)
    .join(' › ');
}

/** An instance with the parents it is listed under. */
export function instanceLabel(instance: DiscoveredInstance): string {
  return chainLabel(instance.node, instance.refs);
}

