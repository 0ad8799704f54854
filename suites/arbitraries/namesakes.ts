/**
 * Namesakes: symbolic names listed in more than one collection of one resource (the extension number that two core
 * servers share, an extension listed under its core server and under a user). Where a name is resolved under the
 * wrong parent, only a namesake shows it; so every rule that addresses by name tries each of them on every run.
 */
import type { CollectionListing, DiscoveredInstance } from '../discovery.js';

/** Per resource name, the names listed in two or more collection paths. */
export type Namesakes = Map<string, Set<string>>;

/** The namesakes among listings (each: its resource, and the names it lists). */
export function namesakesOf(listings: Iterable<{ resource: string; path: string; names: Iterable<string> }>): Namesakes {
  const paths = new Map<string, Map<string, Set<string>>>();
  for (const listing of listings) {
    const byName = paths.get(listing.resource) ?? new Map<string, Set<string>>();
    for (const name of listing.names) byName.set(name, (byName.get(name) ?? new Set()).add(listing.path));
    paths.set(listing.resource, byName);
  }
  const namesakes: Namesakes = new Map();
  for (const [resource, byName] of paths) {
    namesakes.set(resource, new Set([...byName].filter(([, where]) => where.size > 1).map(([name]) => name)));
  }
  return namesakes;
}

/** The namesakes of discovery's listings. */
export function discoveredNamesakes(listings: readonly CollectionListing[]): Namesakes {
  return namesakesOf(listings.map((listing) => ({ resource: listing.node.resource.name, path: listing.path, names: listing.names })));
}

/** Whether the instance's own name is a namesake. */
export function isNamesake(namesakes: Namesakes, instance: DiscoveredInstance): boolean {
  const name = instance.refs[instance.refs.length - 1].name;
  return name !== undefined && (namesakes.get(instance.node.resource.name)?.has(name) ?? false);
}
