/**
 * The canonical order of listed instances: by symbolic name, then configurationId, then UUID (plain code-unit
 * comparison, the same on every machine). A server may list a collection in any order, different on every read
 * (LIVE-API.md §5), so whatever the checker draws from listings is drawn from them in this order: the same seed
 * then gives the same cases, however the target orders its answers.
 */

function compareText(a: unknown, b: unknown): number {
  const left = typeof a === 'string' ? a : a === undefined ? '' : JSON.stringify(a);
  const right = typeof b === 'string' ? b : b === undefined ? '' : JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Compares two listed items: name property (when the resource has one), configurationId, id. */
export function compareListed(nameProperty: string | undefined, a: Record<string, unknown>, b: Record<string, unknown>): number {
  return (nameProperty ? compareText(a[nameProperty], b[nameProperty]) : 0) || compareText(a.configurationId, b.configurationId) || compareText(a.id, b.id);
}

/** A copy of `items` in the canonical order. */
export function canonicalOrder<T extends Record<string, unknown>>(items: readonly T[], nameProperty: string | undefined): T[] {
  return [...items].sort((a, b) => compareListed(nameProperty, a, b));
}
