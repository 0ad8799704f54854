import { requireAnswer, type ConformanceCheck } from '../check.js';
import type { CollectionListing } from '../discovery.js';
import type { Exchange } from '../target-client.js';

/** Names that two or more different ids carry in one collection body, each with its ids. */
function sharedNames(items: unknown, nameProperty: string): Map<string, string[]> {
  const idsByName = new Map<string, Set<string>>();
  for (const item of Array.isArray(items) ? items : []) {
    if (item === null || typeof item !== 'object') continue;
    const { id } = item as Record<string, unknown>;
    const name = (item as Record<string, unknown>)[nameProperty];
    if (typeof id !== 'string' || typeof name !== 'string') continue;
    idsByName.set(name, (idsByName.get(name) ?? new Set()).add(id.toLowerCase()));
  }
  return new Map([...idsByName].filter(([, ids]) => ids.size > 1).map(([name, ids]) => [name, [...ids]]));
}

/** The names a listing shows more than once (discovery kept one name per listed item, in order). */
function repeatedNames(listing: CollectionListing): string[] {
  return [...new Set(listing.names.filter((name, index) => listing.names.indexOf(name) !== index))];
}

/**
 * NAME-UNIQUE: within one collection, no two instances share a symbolic name. Every collection that discovery
 * listed is looked at; a name shared there is read again before it is reported (names do not churn, but an
 * instance replaced between two reads could briefly look like a twin).
 */
export const nameUniqueCheck: ConformanceCheck = {
  ruleId: 'NAME-UNIQUE',
  async run(context) {
    const discovery = await context.discovery();
    const named = discovery.listings.filter((listing) => listing.node.resource.nameProperty !== undefined);
    if (named.length === 0) context.notApplicable('no collection of a resource with a symbolic name was listed');
    let names = 0;
    for (const listing of named) {
      names += listing.names.length;
      if (repeatedNames(listing).length === 0) continue;
      const nameProperty = listing.node.resource.nameProperty!;
      const first = discovery.reads.find((read) => read.node === listing.node && read.exchange.path === listing.path)?.exchange;
      const again = requireAnswer(await context.client.get(listing.path));
      const shared = sharedNames(again.json, nameProperty);
      if (again.status !== 200 || shared.size === 0) continue;
      const [name, ids] = [...shared][0];
      const others = shared.size > 1 ? ` (and ${shared.size - 1} more shared names)` : '';
      context.report({
        message: `GET ${listing.path} lists ${ids.length} different instances with the ${nameProperty} ${JSON.stringify(name)}${others}.`,
        expected: `a different ${nameProperty} for each instance of the collection`,
        actual: `${nameProperty} ${JSON.stringify(name)} on ids ${ids.join(', ')}`,
        exchanges: [first, again].filter((exchange): exchange is Exchange => exchange !== undefined),
        provenance: listing.node.provenance,
      });
    }
    context.note(`${names} names in ${named.length} collection listings compared`);
  },
};
