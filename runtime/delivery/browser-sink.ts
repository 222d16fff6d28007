/**
 * Browser delivery to a Logmill collector: the same batching and retries as Node, held in memory.
 * Every send is a `text/plain` POST with the key in the URL, as Sentry's browser SDK sends: a
 * simple request, so no CORS preflight goes before any batch. When the page is hidden or
 * unloaded, everything waiting goes at once in `fetch(..., { keepalive: true })` chunks that fit
 * the 64 KiB keepalive budget, and what does not fit, or what the browser refuses to keep alive,
 * goes by `navigator.sendBeacon`.
 */
import { type SinkOptions, addSink } from '../events.js';
import { invalidArgument } from '../invalid-argument.js';
import { plainEnvelopeJson } from '../logging/plain-envelope.js';
import { type DeliveryOptions, type DeliveryProblem, type DeliveryStatistics, createDelivery, eventsUrl, sendResultOf } from './delivery.js';
import { createMemorySpool } from './spool.js';

export interface BrowserSinkOptions extends SinkOptions, DeliveryOptions {
  /** The collector's base URL or its full `/v1/events` URL. */
  url: string;
  /** An ingest key (write-only, safe to ship to browsers). */
  key: string;
  /** Bytes held while the collector is unreachable (default 1 MiB); past it the oldest batches are dropped. */
  maxQueueBytes?: number | undefined;
  /**
   * How the last events leave an unloading page: `keepalive` fetches up to the 64 KiB budget and
   * beacons past it (the default where `fetch` supports keepalive), or `beacon` only.
   */
  unload?: 'keepalive' | 'beacon' | undefined;
  /** Where delivery problems are reported (default: nowhere; `statistics` counts them). */
  onProblem?: ((problem: DeliveryProblem) => void) | undefined;
}

export interface BrowserSink {
  /** Sends everything logged so far; resolves true once acknowledged, false after `timeout` ms. */
  flush(timeout?: number): Promise<boolean>;
  /** Sends what is waiting the way an unloading page does (keepalive, then beacon). */
  sendBeforeUnload(): void;
  /** Stops delivery and removes the sink and its page listeners. */
  close(): void;
  readonly statistics: Readonly<DeliveryStatistics>;
}

/** The keepalive budget is 64 KiB for all of a document's in-flight keepalive requests together. */
const keepaliveBudget = 60 * 1024;

/** Groups NDJSON lines into bodies of at most `limit` UTF-8 bytes (a longer line goes alone), each with its size. */
export function chunkLines(lines: readonly string[], limit: number): Array<[body: string, bytes: number]> {
  const encoder = new TextEncoder();
  const chunks: Array<[string, number]> = [];
  let last: [string, number] = ['', 0];
  for (const line of lines) {
    const size = encoder.encode(line).length + 1;
    if (last[1] === 0 || last[1] + size > limit) chunks.push((last = ['', 0]));
    last[0] += `${line}\n`;
    last[1] += size;
  }
  return chunks;
}

export function browserSink(options: BrowserSinkOptions): BrowserSink {
  // Numbers out of range only make delivery eager or lazy here; Node's sink checks them.
  if (!options?.url || !options.key) throw invalidArgument('browserSink needs { url, key }');
  const url = eventsUrl(options.url);
  const keyedUrl = `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(options.key)}`;
  const spool = createMemorySpool(options.maxQueueBytes ?? 1024 * 1024);
  const useKeepalive = options.unload !== 'beacon' && typeof Request !== 'undefined' && 'keepalive' in Request.prototype;

  const post = (body: string, keepalive?: boolean): Promise<Response> =>
    fetch(keyedUrl, { method: 'POST', keepalive, headers: { 'content-type': 'text/plain' }, body });
  const delivery = createDelivery(spool, async (body, events) => sendResultOf(await post(body), events), options, options.onProblem);
  const remove = addSink((event) => delivery.push(plainEnvelopeJson(event)), options);

  /**
   * Hands `chunk` to a beacon. What cannot be handed off goes back into the queue and is sent the
   * normal way, which a hidden page (or one back from the bfcache) still does.
   */
  const beacon = (chunk: string): void => {
    if (!(typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(keyedUrl, chunk))) {
      spool.add(chunk.trimEnd().split('\n'));
      delivery.seal();
    }
  };

  const sendBeforeUnload = (): void => {
    const lines = spool.takeAll().join('').split('\n');
    lines.pop();
    let budget = useKeepalive ? keepaliveBudget : 0;
    for (const [chunk, size] of chunkLines(lines.concat(delivery.takeUnsealed()), keepaliveBudget)) {
      if (size <= budget) {
        budget -= size;
        // Past the browser's keepalive quota (other keepalive requests count too) the fetch is
        // refused at once, while the page still runs its microtasks: the chunk goes by beacon.
        post(chunk, true).catch(() => beacon(chunk));
      } else {
        beacon(chunk);
      }
    }
    delivery.recount();
  };

  const onVisibility = (): void => {
    if (document.visibilityState === 'hidden') sendBeforeUnload();
  };
  const hasDocument = typeof document !== 'undefined' && typeof addEventListener === 'function';
  if (hasDocument) {
    addEventListener('pagehide', sendBeforeUnload);
    document.addEventListener('visibilitychange', onVisibility);
  }

  return {
    flush: delivery.flush,
    sendBeforeUnload,
    close() {
      remove();
      delivery.stop();
      if (hasDocument) {
        removeEventListener('pagehide', sendBeforeUnload);
        document.removeEventListener('visibilitychange', onVisibility);
      }
    },
    statistics: delivery.statistics,
  };
}
