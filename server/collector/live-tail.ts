/**
 * The live tail: events, as they are acknowledged, to subscribers over Server-Sent Events. Each
 * subscriber has a bounded queue; one that cannot keep up loses events (and is told how many)
 * rather than slowing ingest or growing memory.
 */
import type { EventRow } from '../domain/event-row.js';

export interface TailFilter {
  project: string;
  /** Minimum severity number. */
  minimumSeverity?: number;
  /** Module prefix (`api/checkout` matches `api/checkout/payment`). */
  module?: string;
  /** Case-insensitive text in the message or template. */
  text?: string;
}

interface Subscriber {
  filter: TailFilter;
  write: (chunk: string) => boolean;
  queued: number;
  dropped: number;
}

const maxQueued = 1000;

export class LiveTail {
  readonly #subscribers = new Set<Subscriber>();

  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Starts sending matching events to `write`; `write` returns false when its buffer is full. */
  subscribe(filter: TailFilter, write: (chunk: string) => boolean): { drained(): void; close(): void } {
    const subscriber: Subscriber = { filter: { ...filter, text: filter.text?.toLowerCase() }, write, queued: 0, dropped: 0 };
    this.#subscribers.add(subscriber);
    return {
      drained: () => {
        subscriber.queued = 0;
        if (subscriber.dropped > 0) {
          write(`event: dropped\ndata: ${JSON.stringify({ dropped: subscriber.dropped })}\n\n`);
          subscriber.dropped = 0;
        }
      },
      close: () => void this.#subscribers.delete(subscriber),
    };
  }

  publish(rows: readonly EventRow[]): void {
    if (this.#subscribers.size === 0) return;
    for (const subscriber of this.#subscribers) {
      const { filter } = subscriber;
      for (const row of rows) {
        if (row.project !== filter.project) continue;
        if (filter.minimumSeverity !== undefined && row.severity_number < filter.minimumSeverity) continue;
        if (filter.module !== undefined && !(row.module ?? '').startsWith(filter.module)) continue;
        if (filter.text !== undefined && !row.message.toLowerCase().includes(filter.text) && !row.template.toLowerCase().includes(filter.text)) continue;
        if (subscriber.queued >= maxQueued) {
          subscriber.dropped++;
          continue;
        }
        if (!subscriber.write(`data: ${JSON.stringify(row)}\n\n`)) subscriber.queued++;
      }
    }
  }
}
