/**
 * Browser delivery to a Logmill collector: the same batching and retries as Node, held in memory.
 * Normal sends use `fetch` with the key in `X-Logmill-Key` (one CORS preflight, cached by the
 * collector's Max-Age). When the page is hidden or unloaded, everything waiting goes at once in
 * `fetch(..., { keepalive: true })` chunks that fit the 64 KiB keepalive budget, and what does not
 * fit goes by `navigator.sendBeacon`. Both send `text/plain` with the key in the URL, so they need
 * no preflight, which an unloading page may not live to finish.
 */
import { type SinkOptions, addSink } from '../events.js';
import { invalidArgument } from '../invalid-argument.js';
import { envelopeJson } from '../logging/envelope.js';
import { type DeliveryOptions, type DeliveryProblem, type DeliveryStatistics, type SendResult, createDelivery, eventsUrl, sendResultOf } from './delivery.js';
import { createMemorySpool } from './spool.js';

export interface BrowserSinkOptions extends SinkOptions, DeliveryOptions {
  /** The collector's base URL or its full `/v1/events` URL. */
  url: string;
  /** An ingest key (write-only, safe to ship to browsers). */
  key: string;
  /** Bytes held while the collector is unreachable (default 1 MiB); past it the oldest batches are dropped. */
  maxQueueBytes?: number;
  /**
   * How the last events leave an unloading page: `keepalive` fetches up to the 64 KiB budget and
   * beacons past it (the default where `fetch` supports keepalive), or `beacon` only.
   */
  unload?: 'keepalive' | 'beacon';
  /** Where delivery problems are reported (default: nowhere; `statistics` counts them). */
  onProblem?: (problem: DeliveryProblem) => void;
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
  const unloadUrl = `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(options.key)}`;
  const spool = createMemorySpool(options.maxQueueBytes ?? 1024 * 1024);
  const keepaliveSupported = typeof Request !== 'undefined' && 'keepalive' in Request.prototype;
  const useKeepalive = (options.unload ?? 'keepalive') === 'keepalive' && keepaliveSupported;

  const send = async (body: string, events: number): Promise<SendResult> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'x-logmill-key': options.key },
      body,
    });
    return sendResultOf(response, events);
  };
  const delivery = createDelivery(spool, send, options, options.onProblem);
  const remove = addSink((event) => delivery.push(envelopeJson(event)), options);

  const sendBeforeUnload = (): void => {
    const lines = spool.takeAll().join('').split('\n');
    lines.pop();
    let budget = useKeepalive ? keepaliveBudget : 0;
    for (const [chunk, size] of chunkLines(lines.concat(delivery.takeUnsealed()), keepaliveBudget)) {
      let handedOff = false;
      if (size <= budget) {
        try {
          void fetch(unloadUrl, { method: 'POST', keepalive: true, headers: { 'content-type': 'text/plain' }, body: chunk }).catch(() => undefined);
          budget -= size;
          handedOff = true;
        } catch {
          // Over the browser's keepalive quota: try a beacon.
        }
      }
      if (!handedOff && typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function') {
        handedOff = navigator.sendBeacon(unloadUrl, new Blob([chunk], { type: 'text/plain' }));
      }
      // What could not be handed off stays queued, in case the page comes back (bfcache).
      if (!handedOff) spool.add(chunk.trimEnd().split('\n'));
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
