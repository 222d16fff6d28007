/**
 * The live tail: events, as they are acknowledged, to subscribers over Server-Sent Events. What a
 * subscriber has not read yet is bounded in bytes (events are up to `eventBytes` each, so a bound
 * in events let twenty stalled subscribers hold 600 MB of 30 KB events); one that cannot keep up
 * loses events (and is told how many) rather than slowing ingest or growing memory. Each event is
 * serialized once for every subscriber, and subscribers are bounded in number, so a flood of
 * subscriptions costs neither memory nor ingest's time without limit.
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

/** Where a subscriber's events go: `write` queues a chunk, `queuedBytes` says how much is still unsent. */
export interface TailOutput {
  write(chunk: string): void;
  queuedBytes(): number;
}

interface Subscriber {
  filter: TailFilter;
  output: TailOutput;
  dropped: number;
}

/** Unsent bytes past which a subscriber's events are dropped until it reads. */
export const maxQueuedBytes = 1024 * 1024;
/** Subscribers at once; more are refused until some leave. */
export const maxSubscribers = 64;

export class LiveTail {
  readonly #subscribers = new Set<Subscriber>();

  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Starts sending matching events to `output`; undefined when `maxSubscribers` are subscribed already. */
  subscribe(filter: TailFilter, output: TailOutput): { drained(): void; close(): void } | undefined {
    if (this.#subscribers.size >= maxSubscribers) return undefined;
    const subscriber: Subscriber = { filter: { ...filter, text: filter.text?.toLowerCase() }, output, dropped: 0 };
    this.#subscribers.add(subscriber);
    return {
      drained: () => {
        if (subscriber.dropped > 0) {
          output.write(`event: dropped\ndata: ${JSON.stringify({ dropped: subscriber.dropped })}\n\n`);
          subscriber.dropped = 0;
        }
      },
      close: () => void this.#subscribers.delete(subscriber),
    };
  }

  publish(rows: readonly EventRow[]): void {
    if (this.#subscribers.size === 0) return;
    const chunks: (string | undefined)[] = new Array(rows.length);
    for (const subscriber of this.#subscribers) {
      const { filter, output } = subscriber;
      for (let index = 0; index < rows.length; index++) {
        const row = rows[index]!;
        if (row.project !== filter.project) continue;
        if (filter.minimumSeverity !== undefined && row.severity_number < filter.minimumSeverity) continue;
        if (filter.module !== undefined && !(row.module ?? '').startsWith(filter.module)) continue;
        if (filter.text !== undefined && !row.message.toLowerCase().includes(filter.text) && !row.template.toLowerCase().includes(filter.text)) continue;
        if (output.queuedBytes() >= maxQueuedBytes) {
          subscriber.dropped++;
          continue;
        }
        output.write((chunks[index] ??= `data: ${JSON.stringify(row)}\n\n`));
      }
    }
  }
}
