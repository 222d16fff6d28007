/**
 * Where sealed batches wait until the collector acknowledges them. The in-memory spool (browsers,
 * or Node with `spool: false`) and Node's DurableSpool on disk share this contract: both are
 * bounded, dropping the oldest batches (counted) rather than growing without limit.
 */
export interface SpooledBatch {
  readonly events: number;
  readonly bytes: number;
}

export interface Spool<Batch extends SpooledBatch = SpooledBatch> {
  /** Seals lines into a batch at the end of the queue; returns events dropped to stay in bound. */
  add(lines: readonly string[]): number;
  /** The oldest batch, or undefined. */
  first(): Batch | undefined;
  /** The batch's NDJSON body. */
  read(batch: Batch): Promise<string>;
  /** Forgets an acknowledged (or finally refused) batch. */
  remove(batch: Batch): Promise<void>;
  /** Events and bytes waiting. */
  readonly events: number;
  readonly bytes: number;
}

interface MemoryBatch extends SpooledBatch {
  readonly body: string;
}

export class MemorySpool implements Spool<MemoryBatch> {
  #batches: MemoryBatch[] = [];
  events = 0;
  bytes = 0;

  constructor(private readonly maxBytes: number) {}

  add(lines: readonly string[]): number {
    const body = `${lines.join('\n')}\n`;
    this.#batches.push({ body, events: lines.length, bytes: body.length });
    this.events += lines.length;
    this.bytes += body.length;
    let dropped = 0;
    // The batch at the head may be in flight; it is never the one dropped.
    while (this.bytes > this.maxBytes && this.#batches.length > 2) {
      const [oldest] = this.#batches.splice(1, 1);
      dropped += oldest!.events;
      this.events -= oldest!.events;
      this.bytes -= oldest!.bytes;
    }
    return dropped;
  }

  first(): MemoryBatch | undefined {
    return this.#batches[0];
  }

  async read(batch: MemoryBatch): Promise<string> {
    return batch.body;
  }

  /** Empties the spool, returning every batch's body (for a last send as the page goes away). */
  takeAll(): string[] {
    const bodies = this.#batches.map((batch) => batch.body);
    this.#batches = [];
    this.events = 0;
    this.bytes = 0;
    return bodies;
  }

  async remove(batch: MemoryBatch): Promise<void> {
    const index = this.#batches.indexOf(batch);
    if (index === -1) return;
    this.#batches.splice(index, 1);
    this.events -= batch.events;
    this.bytes -= batch.bytes;
  }
}
