import fc from 'fast-check';
import type { DiscoveredInstance } from '../discovery.js';

/**
 * A discovered instance, chosen first by its instance path and then within it, so that a path with few
 * instances (queues) is tried as often as one with many (logins, agents).
 */
export function discoveredInstance(instances: readonly DiscoveredInstance[]): fc.Arbitrary<DiscoveredInstance> {
  const byTemplate = new Map<string, DiscoveredInstance[]>();
  for (const instance of instances) {
    const group = byTemplate.get(instance.node.template) ?? [];
    group.push(instance);
    byTemplate.set(instance.node.template, group);
  }
  return fc.constantFrom(...byTemplate.values()).chain((group) => fc.constantFrom(...group));
}
