/**
 * Node delivery to a Logmill collector: batched, gzip-compressed, retried, and at-least-once
 * through the DurableSpool (events are on disk before they are sent and deleted only once
 * acknowledged). On exit, whatever was not acknowledged is saved for the next start; `flush()`
 * sends on demand.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type SinkOptions, addSink } from '../events.js';
import { checkHttpUrl, checkPositive, invalidArgument } from '../invalid-argument.js';
import { envelopeJson } from '../logging/envelope.js';
import { uuidv7 } from '../logging/uuid.js';
import { type Delivery, type DeliveryOptions, type DeliveryProblem, type DeliveryStatistics, type SendResult, createDelivery, describeDeliveryProblem, eventsUrl, sendResultOf } from './delivery.js';
import { DurableSpool } from './durable-spool.js';
import { type Spool, type SpooledBatch, createMemorySpool } from './spool.js';

const compress = promisify(gzip);

export interface HttpSinkOptions extends SinkOptions, DeliveryOptions {
  /** The collector's base URL (`http://localhost:4318`) or its full `/v1/events` URL. */
  url: string;
  /** An ingest key. */
  key: string;
  /** Spool directory; `false` keeps batches in memory only (default: a directory under the OS temp dir, per URL). */
  spool?: string | false;
  /** Spool bound in bytes (default 64 MiB); past it the oldest batches are dropped and counted. */
  maxSpoolBytes?: number;
  /** Gzip bodies larger than 1 KiB (default true). */
  compress?: boolean;
  /** Per-request timeout in milliseconds (default 10 s). */
  timeout?: number;
  /** Where delivery problems are reported (default: stderr in words, at most once per 30 s). */
  onProblem?: (problem: DeliveryProblem) => void;
}

export interface HttpSink {
  /** Sends everything logged so far; resolves true once acknowledged, false after `timeout` ms. */
  flush(timeout?: number): Promise<boolean>;
  /** Flushes (up to `timeout`), stops, and leaves anything unacknowledged in the spool for the next start. */
  close(timeout?: number): Promise<boolean>;
  readonly statistics: Readonly<DeliveryStatistics>;
  /** The spool directory of this process, when spooling to disk. */
  readonly spoolDirectory: string | undefined;
}

function throttledStderr(): (problem: DeliveryProblem) => void {
  let last = 0;
  return (problem) => {
    const now = Date.now();
    if (now - last < 30_000) return;
    last = now;
    process.stderr.write(`${describeDeliveryProblem(problem)}\n`);
  };
}

function checkOptions(options: HttpSinkOptions): void {
  checkHttpUrl(options?.url, "httpSink's url (the collector)");
  if (typeof options.key !== 'string' || options.key === '') throw invalidArgument('httpSink needs an ingest key');
  if (options.spool !== undefined && options.spool !== false && (typeof options.spool !== 'string' || options.spool === '')) {
    throw invalidArgument('spool is a directory, or false to keep batches in memory only');
  }
  checkPositive(options, ['maxSpoolBytes', 'timeout', 'maxBatchEvents', 'maxBatchBytes', 'flushInterval', 'initialBackoff', 'maxBackoff']);
}

export function httpSink(options: HttpSinkOptions): HttpSink {
  checkOptions(options);
  const url = eventsUrl(options.url);
  const instance = uuidv7();
  const maxSpoolBytes = options.maxSpoolBytes ?? 64 * 1024 * 1024;
  const durable = options.spool === false
    ? undefined
    : new DurableSpool(options.spool ?? join(tmpdir(), 'logmill-spool', encodeURIComponent(url).slice(0, 120)), maxSpoolBytes);
  const spool: Spool<SpooledBatch> = (durable ?? createMemorySpool(maxSpoolBytes)) as Spool<SpooledBatch>;
  const timeout = options.timeout ?? 10_000;
  const shouldCompress = options.compress ?? true;

  let delivery: Delivery;
  const send = async (body: string, events: number): Promise<SendResult> => {
    const headers: Record<string, string> = {
      'content-type': 'application/x-ndjson',
      authorization: `Bearer ${options.key}`,
      'x-logmill-client': `instance=${instance}; spool=${delivery.statistics.queued}; dropped=${delivery.statistics.dropped}`,
    };
    let payload: BodyInit = body;
    if (shouldCompress && body.length > 1024) {
      payload = (await compress(body)) as unknown as BodyInit;
      headers['content-encoding'] = 'gzip';
    }
    const response = await fetch(url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(timeout) });
    const result = await sendResultOf(response, events);
    // Node's fetch reuses the connection only once the body is read (after a 4xx it already was).
    await response.arrayBuffer().catch(() => undefined);
    return result;
  };
  delivery = createDelivery(spool, send, options, options.onProblem ?? throttledStderr());
  // Batches adopted from processes that are gone go out now, not at this process's first event.
  if (spool.first() !== undefined) delivery.seal();

  const remove = addSink((event) => delivery.push(envelopeJson(event)), options);
  // Exit can only run synchronous code: save what is not on disk, for the next start to send.
  const onExit = (): void => {
    if (durable !== undefined) durable.saveSync(delivery.takeUnsealed());
  };
  // With nothing else left to do, try once to deliver before the process ends.
  const onBeforeExit = (): void => {
    if (delivery.statistics.queued > 0 && !flushedAtExit) {
      flushedAtExit = true;
      void delivery.flush(timeout);
    }
  };
  let flushedAtExit = false;
  process.on('exit', onExit);
  process.on('beforeExit', onBeforeExit);

  return {
    flush: (flushTimeout) => delivery.flush(flushTimeout),
    async close(closeTimeout) {
      remove();
      const delivered = await delivery.flush(closeTimeout);
      delivery.stop();
      process.off('beforeExit', onBeforeExit);
      process.off('exit', onExit);
      if (durable !== undefined) {
        durable.saveSync(delivery.takeUnsealed());
        durable.release();
      }
      return delivered;
    },
    get statistics() {
      return delivery.statistics;
    },
    spoolDirectory: durable?.directory,
  };
}
