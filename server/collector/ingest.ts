/**
 * The ingest path shared by `/v1/events` and `/v1/logs`: check each item (structure, then schema),
 * scrub and flatten the good ones, store them (durably, deduplicated), and count everything.
 */
import type { EventRow } from '../domain/event-row.js';
import type { Store } from '../store/store.js';
import { eventToRow, type Envelope } from './event-to-row.js';
import { type EventProblem, type IngestLimits, checkStructure } from './limits.js';
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
}

export interface IngestDependencies {
  store: Store;
  /** Told about every acknowledged batch, for the live tail. */
  onAccepted?: (rows: readonly EventRow[]) => void;
  scrubber: Scrubber;
  limits: IngestLimits;
  metrics: CollectorMetrics;
}

export async function ingest(
  dependencies: IngestDependencies,
  project: string,
  items: readonly unknown[],
  parseProblems: ReadonlyMap<number, EventProblem> = new Map(),
): Promise<IngestOutcome> {
  const { store, scrubber, limits, metrics } = dependencies;
  const receivedAt = Date.now();
  const rows = [];
  const rejected: RejectedEvent[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const problem = parseProblems.get(index) ?? checkStructure(item, limits) ?? checkSchema(item);
    if (problem !== undefined) {
      rejected.push({ index, ...problem });
      metrics.rejectedEvents.inc({ reason: problem.reason });
      continue;
    }
    rows.push(eventToRow(project, item as Envelope, receivedAt, scrubber));
  }
  metrics.batchSize.observe(items.length);
  await store.insert(rows);
  if (rows.length > 0) {
    metrics.accepted.inc({ project }, rows.length);
    dependencies.onAccepted?.(rows);
  }
  return { accepted: rows.length, rejected };
}
