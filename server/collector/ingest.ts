/**
 * The ingest path shared by `/v1/events` and `/v1/logs`: check each item (structure, then schema),
 * scrub and flatten the good ones, store them (durably, deduplicated), and count everything.
 */
import type { EventRow } from '../domain/event-row.js';
import type { Store } from '../store/store.js';
import { eventToRow, type Envelope } from './event-to-row.js';
import { type EventProblem, type IngestLimits, type Truncations, checkStructure } from './limits.js';
import type { CollectorMetrics } from './metrics.js';
import { checkSchema } from './schema-check.js';
import type { Scrubber } from './scrub.js';

export interface RejectedEvent extends EventProblem {
  index: number;
}

export interface IngestOutcome {
  /** Events durably accepted (repeats of stored events are skipped when loaded). */
  accepted: number;
  rejected: RejectedEvent[];
  /** Accepted events that had a string value cut to the length limit (kept, with a marker). */
  truncated: number;
}

export interface IngestDependencies {
  store: Store;
  /** Told about every acknowledged batch, for the live tail. */
  onAccepted?: (rows: readonly EventRow[]) => void;
  /** Whether `onAccepted` has anyone to tell now; when not, rows are not kept while the batch is made durable. */
  wantsAccepted?: () => boolean;
  scrubber: Scrubber;
  limits: IngestLimits;
  metrics: CollectorMetrics;
}

/**
 * Checks, scrubs and flattens the items and hands the rows to the store at once; the promise
 * settles once they are durable. Nothing of the batch is held while the store makes it durable
 * (unless the live tail wants the rows): under load most batches are waiting for a sync, and
 * what they held was what the young generation copied and promoted.
 */
export function ingest(
  dependencies: IngestDependencies,
  project: string,
  items: readonly unknown[],
  parseProblems: ReadonlyMap<number, EventProblem> = new Map(),
  knownWellFormed = false,
): Promise<IngestOutcome> {
  const { store, scrubber, limits, metrics } = dependencies;
  const receivedAt = Date.now();
  const rows = [];
  const rejected: RejectedEvent[] = [];
  const truncations: Truncations = { strings: 0 };
  let truncated = 0;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const stringsBefore = truncations.strings;
    const problem = parseProblems.get(index) ?? checkStructure(item, limits, knownWellFormed, truncations) ?? checkSchema(item);
    if (problem !== undefined) {
      rejected.push({ index, ...problem });
      metrics.rejectedEvents.inc({ reason: problem.reason });
      continue;
    }
    if (truncations.strings !== stringsBefore) {
      truncated++;
      metrics.truncatedStrings.inc(truncations.strings - stringsBefore);
    }
    rows.push(eventToRow(project, item as Envelope, receivedAt, scrubber));
  }
  metrics.batchSize.observe(items.length);
  const tailed = rows.length > 0 && dependencies.onAccepted !== undefined && (dependencies.wantsAccepted?.() ?? true) ? rows : undefined;
  return acknowledge(dependencies, project, store.insert(rows), rows.length, rejected, truncated, tailed);
}

async function acknowledge(
  dependencies: IngestDependencies,
  project: string,
  stored: Promise<void>,
  accepted: number,
  rejected: RejectedEvent[],
  truncated: number,
  tailed: readonly EventRow[] | undefined,
): Promise<IngestOutcome> {
  await stored;
  if (accepted > 0) dependencies.metrics.accepted.inc({ project }, accepted);
  if (tailed !== undefined) dependencies.onAccepted?.(tailed);
  return { accepted, rejected, truncated };
}
