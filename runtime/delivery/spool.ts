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

export interface MemorySpool extends Spool<MemoryBatch> {
  /** Empties the spool, returning every batch's body (for a last send as the page goes away). */
  takeAll(): string[];
}

/** A spool held in memory (browsers, or Node with `spool: false`), as a closure for the page's budget. */
export function createMemorySpool(maxBytes: number): MemorySpool {
  let batches: MemoryBatch[] = [];
  const spool: { -readonly [Key in keyof MemorySpool]: MemorySpool[Key] } = {
    events: 0,
    bytes: 0,
    add(lines) {
      const body = `${lines.join('\n')}\n`;
      batches.push({ body, events: lines.length, bytes: body.length });
      spool.events += lines.length;
      spool.bytes += body.length;
      let dropped = 0;
      // The batch at the head may be in flight; it is never the one dropped.
      while (spool.bytes > maxBytes && batches.length > 2) {
        const [oldest] = batches.splice(1, 1);
        dropped += oldest!.events;
        spool.events -= oldest!.events;
        spool.bytes -= oldest!.bytes;
      }
      return dropped;
    },
    first: () => batches[0],
    read: async (batch) => batch.body,
    takeAll() {
      const bodies = batches.map((batch) => batch.body);
      batches = [];
      spool.events = 0;
      spool.bytes = 0;
      return bodies;
    },
    async remove(batch) {
      const index = batches.indexOf(batch);
      if (index === -1) return;
      batches.splice(index, 1);
      spool.events -= batch.events;
      spool.bytes -= batch.bytes;
    },
  };
  return spool;
}
