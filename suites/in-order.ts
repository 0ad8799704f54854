/**
 * Work that does not depend on itself, done a few at a time, with the results in the order of the input: what is
 * judged from them then comes out the same however the requests interleaved.
 */

/**
 * Runs `work` over `items`, at most `limit` at a time, and resolves with the results in the order of `items`.
 * `stop(result, index)` may end the work early: items after one it returned true for are not started (the
 * results there stay undefined; every item before it is still done). The first error rejects, once the work
 * under way has ended.
 */
export async function inOrder<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  stop?: (result: R, index: number) => boolean,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  // The lowest index whose result stopped the work: later items are not started.
  let end = items.length;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < end && !failure) {
      const index = next;
      next += 1;
      try {
        results[index] = await work(items[index], index);
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (stop?.(results[index], index)) end = Math.min(end, index + 1);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}
