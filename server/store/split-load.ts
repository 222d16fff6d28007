/**
 * Loading a journal segment that failed as a whole, by halves, recursively, so that one row the
 * store cannot hold never takes its neighbours with it. Failures are told apart by what they say
 * about whom:
 *   row      the data (a value out of range, a malformed line): a single failing row is set aside;
 *   store    the store itself (disk, permissions, a closed database): stop, keep the segment;
 *   unknown  anything else (an internal error, memory): split, since smaller parts may load; a
 *            single row is set aside only if the store is seen to work (another part of the
 *            segment loaded, or `storeWorks` says so), otherwise stop and keep the segment.
 * With k bad rows among n this costs about 2k·log2(n) loads; a store that fails everything costs
 * about 2·log2(n) before it stops.
 */
export type FailureKind = 'row' | 'store' | 'unknown';

export interface SplitOutcome {
  /** Rows newly stored (what `load` returned, summed). */
  stored: number;
  /** Indexes of the rows set aside, with the error each failed with alone. */
  failed: { index: number; error: unknown }[];
}

/**
 * Loads rows `[0, count)` by halves after loading them together failed with `error`. `load(from,
 * to)` loads rows `[from, to)` in one transaction and returns how many it stored, or throws.
 */
export async function loadBySplitting(
  count: number,
  error: unknown,
  load: (from: number, to: number) => Promise<number>,
  kindOf: (error: unknown) => FailureKind,
  storeWorks: () => Promise<boolean>,
): Promise<SplitOutcome> {
  const outcome: SplitOutcome = { stored: 0, failed: [] };
  let loadedParts = 0;
  const attempt = async (from: number, to: number, failure: unknown): Promise<void> => {
    const kind = kindOf(failure);
    if (kind === 'store') throw failure;
    if (to - from === 1) {
      if (kind === 'row' || loadedParts > 0 || (await storeWorks())) outcome.failed.push({ index: from, error: failure });
      else throw failure;
      return;
    }
    const middle = from + Math.ceil((to - from) / 2);
    const failures: [number, number, unknown][] = [];
    for (const [start, end] of [[from, middle], [middle, to]] as const) {
      try {
        outcome.stored += await load(start, end);
        loadedParts++;
      } catch (partFailure) {
        failures.push([start, end, partFailure]);
      }
    }
    for (const [start, end, partFailure] of failures) await attempt(start, end, partFailure);
  };
  if (count > 0) await attempt(0, count, error);
  return outcome;
}
