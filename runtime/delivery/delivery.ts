/**
 * The delivery loop shared by Node and browsers: events collect into a batch (sealed by count,
 * bytes or age), batches wait in a spool, and one at a time they are sent until the collector
 * acknowledges them. Nothing here blocks the caller: `push` only appends to an array.
 */
import { backoffDelay, isRetryableStatus, retryAfterMilliseconds } from './retry-policy.js';
import type { Spool, SpooledBatch } from './spool.js';

/** The collector's `/v1/events` URL, from its base URL or the full URL. */
export function eventsUrl(url: string): string {
  return /\/v1\/events\/?$/.test(url) ? url : `${url.replace(/\/+$/, '')}/v1/events`;
}

/**
 * What the collector's answer means for the batch: its status, when to retry, and for a 4xx how
 * many events it refused (a partly refused batch stored `accepted` of them).
 */
export async function sendResultOf(response: CollectorAnswer, events: number): Promise<SendResult> {
  let refused: number | undefined;
  if (response.status >= 400 && response.status < 500) {
    const answer = (await response.json().catch(() => undefined)) as { accepted?: unknown } | undefined;
    if (typeof answer?.accepted === 'number') refused = Math.max(0, events - answer.accepted);
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), refused };
}

/** The parts of a fetch `Response` read here; declared so the types need neither DOM nor Node's. */
export interface CollectorAnswer {
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/** What a send attempt came back with. `status` 0 means the request never got an answer. */
export interface SendResult {
  status: number;
  retryAfter?: string | null;
  /** For a 4xx, how many of the batch's events the collector refused (the rest it stored). */
  refused?: number;
  /** For a 4xx, why, in the collector's words (the Node sink reads and reports them; a page's network panel has the answer). */
  reason?: string | undefined;
}

export type Transport = (body: string, events: number) => Promise<SendResult>;

export interface DeliveryOptions {
  /** Seal a batch at this many events (default 500). */
  maxBatchEvents?: number | undefined;
  /** Seal a batch at about this many bytes of NDJSON (default 512 KiB). */
  maxBatchBytes?: number | undefined;
  /** Seal a batch this long after its first event, in milliseconds (default 1000). */
  flushInterval?: number | undefined;
  /** First backoff ceiling in milliseconds (default 250); doubles per attempt. */
  initialBackoff?: number | undefined;
  /** Largest backoff ceiling in milliseconds (default 30 s). */
  maxBackoff?: number | undefined;
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

/**
 * Something delivery could not do, as data: a page's bundle carries no message text, and a Node
 * sink words it with `describeDeliveryProblem`.
 */
export type DeliveryProblem =
  /** The spool was over its bound: the oldest `events` were dropped (`total` so far). */
  | { kind: 'dropped'; events: number; total: number }
  /** A send attempt failed without an answer; the batch will be retried. */
  | { kind: 'failed'; error: unknown }
  /**
   * The collector refused `events` events with a final 4xx `status`; they are not resent. `reason`
   * is the collector's answer; on Node a 413 means events too large on their own (batches are split
   * until they fit), and `detail` is the collector's words for the limit.
   */
  | { kind: 'refused'; events: number; status: number; reason?: string | undefined; detail?: string | undefined }
  /**
   * The process is exiting with `events` not acknowledged (the last attempt ended on `reason`):
   * they wait in the spool directory `spool` for the next process with the same collector and
   * key, or are lost without one. `lost` of them could not be written to the spool.
   */
  | { kind: 'unsent'; events: number; spool: string | undefined; reason: unknown; lost?: number | undefined };

const refusalReasons: Record<number, string> = {
  401: 'the ingest key is not accepted',
  403: 'the key may not ingest',
  404: 'no collector answers at this URL',
};

/** An error and its cause in one line: Node's fetch says only "fetch failed" and keeps the reason in `cause`. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** A problem in words, for a log line or stderr; `url` names the collector when given. */
export function describeDeliveryProblem(problem: DeliveryProblem, url?: string): string {
  const at = url === undefined ? '' : ` at ${url}`;
  switch (problem.kind) {
    case 'dropped':
      return `logmill: the delivery spool is full; dropped the ${problem.events} oldest events (${problem.total} in all)`;
    case 'failed':
      return `logmill: sending events to the collector${at} failed: ${errorText(problem.error)}; retrying`;
    case 'refused': {
      if (problem.status === 413) {
        const limit = problem.detail === undefined ? '' : `: ${problem.detail}`;
        return `logmill: the collector${at} refused ${problem.events} events, each larger on its own than one request may be (HTTP 413${limit}; the collector's limits.bodyBytes, or a proxy's body size limit); they are not resent`;
      }
      const reason = problem.reason ?? refusalReasons[problem.status];
      return `logmill: the collector${at} refused ${problem.events} events (HTTP ${problem.status}${reason === undefined ? '' : `: ${reason}`}); they are not resent`;
    }
    case 'unsent': {
      const unsent = `logmill: exiting with ${problem.events} events the collector${at} did not acknowledge (${errorText(problem.reason)})`;
      if (problem.spool === undefined) return `${unsent}; they are lost (the sink keeps no spool)`;
      if (problem.lost === problem.events) return `${unsent}; they could not be written to the spool in ${problem.spool} and are lost`;
      const lost = problem.lost ? `; ${problem.lost} of them could not be written to the spool and are lost` : '';
      return `${unsent}; they are spooled in ${problem.spool} and sent by the next process that starts with the same collector and key${lost}`;
    }
  }
}

function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

/** The delivery loop of one sink. */
export interface Delivery {
  readonly statistics: DeliveryStatistics;
  /** Collects one NDJSON line. */
  push(line: string): void;
  /** Moves collected lines into the spool as one batch, recounts, and starts sending. */
  seal(): void;
  /** The lines collected but not yet sealed (for a synchronous save on exit, or a page's last send). */
  takeUnsealed(): string[];
  /** Recounts what waits, after the spool was changed from outside (a page's last send). */
  recount(): void;
  /** Seals what was collected and resolves once the spool is empty (true) or after `timeout` ms (false). */
  flush(timeout?: number): Promise<boolean>;
  /** Stops sending; what is spooled stays spooled. */
  stop(): void;
}

/*
 * A closure rather than a class: its state then minifies to one-letter names, where a class's
 * fields keep theirs, and pages pay for every byte (the browser budget is 6 KB for the runtime).
 */
export function createDelivery<Batch extends SpooledBatch>(
  spool: Spool<Batch>,
  transport: Transport,
  options: DeliveryOptions = {},
  onProblem: (problem: DeliveryProblem) => void = () => undefined,
): Delivery {
  const maxEvents = options.maxBatchEvents ?? 500;
  const maxBytes = options.maxBatchBytes ?? 512 * 1024;
  const interval = options.flushInterval ?? 1000;
  const initialBackoff = options.initialBackoff ?? 250;
  const maxBackoff = options.maxBackoff ?? 30_000;
  const statistics: DeliveryStatistics = { queued: 0, spoolBytes: 0, delivered: 0, refused: 0, dropped: 0, retries: 0 };
  let lines: string[] = [];
  let lineBytes = 0;
  let sealTimer: ReturnType<typeof setTimeout> | undefined;
  let pumping = false;
  let stopped = false;
  let attempt = 0;
  const idle: Array<() => void> = [];

  const recount = (): void => {
    statistics.queued = spool.events + lines.length;
    statistics.spoolBytes = spool.bytes;
  };

  const takeUnsealed = (): string[] => {
    const taken = lines;
    lines = [];
    lineBytes = 0;
    return taken;
  };

  const seal = (): void => {
    clearTimeout(sealTimer);
    sealTimer = undefined;
    if (lines.length > 0) {
      const dropped = spool.add(takeUnsealed());
      if (dropped > 0) {
        statistics.dropped += dropped;
        onProblem({ kind: 'dropped', events: dropped, total: statistics.dropped });
      }
    }
    // Also after the spool was changed from outside (a page's last send put lines back).
    recount();
    pump();
  };

  const run = async (): Promise<void> => {
    for (let batch = spool.first(); batch !== undefined && !stopped; batch = spool.first()) {
      let result: SendResult;
      try {
        result = await transport(await spool.read(batch), batch.events);
      } catch (error) {
        result = { status: 0 };
        onProblem({ kind: 'failed', error });
      }
      const status = result.status;
      // Counted once the batch has left the spool, so `delivered` and `queued` never disagree.
      let delivered = batch.events;
      if (status >= 200 && status < 300) {
        attempt = 0;
      } else if (status === 0 || isRetryableStatus(status)) {
        statistics.retries++;
        const delay = backoffDelay(attempt++, initialBackoff, maxBackoff, retryAfterMilliseconds(result.retryAfter));
        // An unreferenced timer: a process with nothing else to do exits, and the spool keeps the batch.
        await new Promise<void>((resolve) => unrefTimer(setTimeout(resolve, delay)));
        continue;
      } else {
        const refused = result.refused ?? batch.events;
        statistics.refused += refused;
        delivered = batch.events - refused;
        attempt = 0;
        onProblem({ kind: 'refused', events: refused, status });
      }
      await spool.remove(batch);
      recount();
      statistics.delivered += delivered;
    }
  };

  // Starts the send loop if it is not running.
  const pump = (): void => {
    if (pumping || stopped) return;
    pumping = true;
    void run().finally(() => {
      pumping = false;
      if (spool.first() === undefined) for (const resolve of idle.splice(0)) resolve();
      else pump();
    });
  };

  recount();
  return {
    statistics,
    push(line) {
      if (stopped) return;
      lines.push(line);
      lineBytes += line.length + 1;
      statistics.queued++;
      if (lines.length >= maxEvents || lineBytes >= maxBytes) seal();
      else if (sealTimer === undefined) unrefTimer((sealTimer = setTimeout(seal, interval)));
    },
    seal,
    takeUnsealed,
    recount,
    flush(timeout = 10_000) {
      seal();
      if (spool.first() === undefined && !pumping) return Promise.resolve(true);
      // This timer is referenced: a caller awaiting flush keeps the process alive until the spool
      // empties or the timeout passes (the retry timers alone would let it exit).
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeout);
        idle.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    stop() {
      stopped = true;
      clearTimeout(sealTimer);
    },
  };
}
