/**
 * The delivery loop shared by Node and browsers: events collect into a batch (sealed by count,
 * bytes or age), batches wait in a spool, and one at a time they are sent until the collector
 * acknowledges them. Nothing here blocks the caller: `push` only appends to an array.
 */
import { backoffDelay, isRetryableStatus, retryAfterMilliseconds } from './retry-policy.js';
import type { Spool, SpooledBatch } from './spool.js';

/** What a send attempt came back with. `status` 0 means the request never got an answer. */
export interface SendResult {
  status: number;
  retryAfter?: string | null;
  /** For a 4xx, how many of the batch's events the collector refused (the rest it stored). */
  refused?: number;
}

export type Transport = (body: string, events: number) => Promise<SendResult>;

export interface DeliveryOptions {
  /** Seal a batch at this many events (default 500). */
  maxBatchEvents?: number;
  /** Seal a batch at about this many bytes of NDJSON (default 512 KiB). */
  maxBatchBytes?: number;
  /** Seal a batch this long after its first event, in milliseconds (default 1000). */
  flushInterval?: number;
  /** First backoff ceiling in milliseconds (default 250); doubles per attempt. */
  initialBackoff?: number;
  /** Largest backoff ceiling in milliseconds (default 30 s). */
  maxBackoff?: number;
}

export interface DeliveryStatistics {
  /** Events waiting: collected, spooled or in flight. */
  queued: number;
  /** Bytes in the spool. */
  spoolBytes: number;
  /** Events the collector acknowledged. */
  delivered: number;
  /** Events the collector refused (a final 4xx): they would fail again if resent. */
  refused: number;
  /** Events dropped to keep the spool within its bound. */
  dropped: number;
  /** Send attempts that failed and were retried. */
  retries: number;
}

function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

export class Delivery<Batch extends SpooledBatch = SpooledBatch> {
  #lines: string[] = [];
  #lineBytes = 0;
  #sealTimer: ReturnType<typeof setTimeout> | undefined;
  #pumping = false;
  #stopped = false;
  #attempt = 0;
  #idle: Array<() => void> = [];
  readonly #maxEvents: number;
  readonly #maxBytes: number;
  readonly #interval: number;
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  readonly statistics: DeliveryStatistics = { queued: 0, spoolBytes: 0, delivered: 0, refused: 0, dropped: 0, retries: 0 };

  constructor(
    readonly spool: Spool<Batch>,
    private readonly transport: Transport,
    options: DeliveryOptions = {},
    private readonly onProblem: (message: string) => void = () => undefined,
  ) {
    this.#maxEvents = options.maxBatchEvents ?? 500;
    this.#maxBytes = options.maxBatchBytes ?? 512 * 1024;
    this.#interval = options.flushInterval ?? 1000;
    this.#initialBackoff = options.initialBackoff ?? 250;
    this.#maxBackoff = options.maxBackoff ?? 30_000;
    this.#refresh();
  }

  /** Collects one NDJSON line. */
  push(line: string): void {
    if (this.#stopped) return;
    this.#lines.push(line);
    this.#lineBytes += line.length + 1;
    this.statistics.queued++;
    if (this.#lines.length >= this.#maxEvents || this.#lineBytes >= this.#maxBytes) this.seal();
    else if (this.#sealTimer === undefined) {
      this.#sealTimer = setTimeout(() => this.seal(), this.#interval);
      unrefTimer(this.#sealTimer);
    }
  }

  /** Moves collected lines into the spool as one batch and starts sending. */
  seal(): void {
    if (this.#sealTimer !== undefined) clearTimeout(this.#sealTimer);
    this.#sealTimer = undefined;
    if (this.#lines.length > 0) {
      const lines = this.#lines;
      this.#lines = [];
      this.#lineBytes = 0;
      const dropped = this.spool.add(lines);
      if (dropped > 0) {
        this.statistics.dropped += dropped;
        this.onProblem(`logmill: the delivery spool is full; dropped the ${dropped} oldest events (${this.statistics.dropped} in all)`);
      }
      this.#refresh();
    }
    this.pump();
  }

  /** The lines collected but not yet sealed (for a synchronous save on exit). */
  takeUnsealed(): string[] {
    const lines = this.#lines;
    this.#lines = [];
    this.#lineBytes = 0;
    return lines;
  }

  #refresh(): void {
    this.statistics.queued = this.spool.events + this.#lines.length;
    this.statistics.spoolBytes = this.spool.bytes;
  }

  /** Starts the send loop if it is not running. */
  pump(): void {
    if (this.#pumping || this.#stopped) return;
    this.#pumping = true;
    void this.#run().finally(() => {
      this.#pumping = false;
      if (this.spool.first() === undefined) for (const resolve of this.#idle.splice(0)) resolve();
      else if (!this.#stopped) this.pump();
    });
  }

  async #run(): Promise<void> {
    for (let batch = this.spool.first(); batch !== undefined && !this.#stopped; batch = this.spool.first()) {
      let result: SendResult;
      try {
        result = await this.transport(await this.spool.read(batch), batch.events);
      } catch (error) {
        result = { status: 0 };
        this.onProblem(`logmill: sending events failed: ${(error as Error).message}`);
      }
      if (result.status >= 200 && result.status < 300) {
        this.statistics.delivered += batch.events;
        this.#attempt = 0;
      } else if (result.status === 0 || isRetryableStatus(result.status)) {
        this.statistics.retries++;
        const delay = backoffDelay(this.#attempt++, this.#initialBackoff, this.#maxBackoff, retryAfterMilliseconds(result.retryAfter));
        // An unreferenced timer: a process with nothing else to do exits, and the spool keeps the batch.
        await new Promise<void>((resolve) => unrefTimer(setTimeout(resolve, delay)));
        continue;
      } else {
        const refused = result.refused ?? batch.events;
        this.statistics.refused += refused;
        this.statistics.delivered += batch.events - refused;
        this.#attempt = 0;
        this.onProblem(`logmill: the collector refused ${refused} events (HTTP ${result.status}); they are not resent`);
      }
      await this.spool.remove(batch);
      this.#refresh();
    }
  }

  /** Seals what was collected and resolves once the spool is empty (true) or after `timeout` ms (false). */
  flush(timeout = 10_000): Promise<boolean> {
    this.seal();
    if (this.spool.first() === undefined && !this.#pumping) return Promise.resolve(true);
    // This timer is referenced: a caller awaiting flush keeps the process alive until the spool
    // empties or the timeout passes (the retry timers alone would let it exit).
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeout);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Stops sending; what is spooled stays spooled. */
  stop(): void {
    this.#stopped = true;
    if (this.#sealTimer !== undefined) clearTimeout(this.#sealTimer);
  }
}
