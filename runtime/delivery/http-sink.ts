/**
 * Node delivery to a Logmill collector: batched, gzip-compressed, retried, and at-least-once
 * through the DurableSpool (events are on disk before they are sent and deleted only once
 * acknowledged). A process that runs out of work tries once more to deliver, briefly; one that ends
 * by `process.exit()` or an uncaught exception sends through a child process it waits for; on exit
 * whatever was not acknowledged is saved for the next start; `flush()` sends on demand.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type SinkOptions, addSink } from '../events.js';
import { checkHttpUrl, checkKnownOptions, checkPositive, invalidArgument } from '../invalid-argument.js';
import { envelopeJson } from '../logging/envelope.js';
import { uuidv7 } from '../logging/uuid.js';
import { type Delivery, type DeliveryOptions, type DeliveryProblem, type DeliveryStatistics, type SendResult, createDelivery, describeDeliveryProblem, eventsUrl, sendResultOf } from './delivery.js';
import { DurableSpool, privateSpoolRoot, spoolIdentity } from './durable-spool.js';
import { type NodeProcess, sendThroughChild } from './exit-send.js';
import { isRetryableStatus } from './retry-policy.js';
import { type Spool, type SpooledBatch, createMemorySpool } from './spool.js';

const compress = promisify(gzip);

export interface HttpSinkOptions extends SinkOptions, DeliveryOptions {
  /** The collector's base URL (`http://localhost:4318`) or its full `/v1/events` URL. */
  url: string;
  /** An ingest key. */
  key: string;
  /**
   * Spool directory; `false` keeps batches in memory only. Default: a directory private to the
   * user (mode 0700) under the OS temp dir, one per collector URL and key. Choose one on a disk that
   * survives reboots (`/var/lib/app/logmill`) where events must outlive the machine's restart.
   */
  spool?: string | false | undefined;
  /** Spool bound in bytes (default 64 MiB); past it the oldest batches are dropped and counted. */
  maxSpoolBytes?: number | undefined;
  /** Gzip bodies larger than 1 KiB (default true). */
  compress?: boolean | undefined;
  /** Per-request timeout in milliseconds (default 10 s). */
  timeout?: number | undefined;
  /**
   * How long a process that has nothing else to do waits for its last events to be acknowledged
   * before it exits, in milliseconds (default 2 s). A collector that cannot be reached ends the wait
   * at once; what is not acknowledged stays in the spool for the next start.
   */
  exitTimeout?: number | undefined;
  /** Where delivery problems are reported (default: stderr in words, at most once per 30 s). */
  onProblem?: ((problem: DeliveryProblem) => void) | undefined;
}

export interface HttpSink {
  /**
   * Sends everything logged so far; resolves true once the collector acknowledged all of it, false
   * when it refused events (a wrong key or URL: see `statistics.refused`) or after `timeout` ms.
   */
  flush(timeout?: number): Promise<boolean>;
  /** Flushes (up to `timeout`), stops, and leaves anything unacknowledged in the spool for the next start. */
  close(timeout?: number): Promise<boolean>;
  readonly statistics: Readonly<DeliveryStatistics>;
  /** The spool directory of this sink (each sink has its own), when spooling to disk. */
  readonly spoolDirectory: string | undefined;
}

/**
 * A refusal's body, read once: its JSON (for the count refused) and its words, the collector's
 * `message` (which event, which field, which limit) or a proxy page's title, kept to one line.
 */
function refusalOf(text: string): { answer: unknown; words: string | undefined } {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    // Not the collector's JSON: a proxy's page, whose title at most is worth a line.
    const title = /<title>([^<]{1,200})<\/title>/i.exec(text)?.[1]?.trim();
    return { answer: undefined, words: title || undefined };
  }
  const message = (answer as { message?: unknown } | null)?.message;
  const words = typeof message === 'string' && message !== '' ? (message.length > 300 ? `${message.slice(0, 300)}…` : message) : undefined;
  return { answer, words };
}

/** Stderr in words, each kind of problem at most once per 30 s (a refusal is not hidden behind a retry). */
function throttledStderr(url: string): (problem: DeliveryProblem) => void {
  const last = new Map<DeliveryProblem['kind'], number>();
  return (problem) => {
    const now = Date.now();
    if (now - (last.get(problem.kind) ?? -Infinity) < 30_000) return;
    last.set(problem.kind, now);
    process.stderr.write(`${describeDeliveryProblem(problem, url)}\n`);
  };
}

function checkOptions(options: HttpSinkOptions): void {
  checkHttpUrl(options?.url, "httpSink's url (the collector)");
  if (typeof options.key !== 'string' || options.key === '') {
    // Usually `key: process.env.LOGMILL_INGEST_KEY` with the variable unset: say what arrived.
    const given = options.key === undefined ? 'undefined (is the environment variable that holds it set?)' : JSON.stringify(options.key);
    throw invalidArgument(`httpSink needs an ingest key (the collector prints it on its first start, or see its keys.json), and key is ${given}`);
  }
  checkKnownOptions(options, [
    'url', 'key', 'level', 'spool', 'maxSpoolBytes', 'compress', 'timeout', 'exitTimeout', 'onProblem',
    'maxBatchEvents', 'maxBatchBytes', 'flushInterval', 'initialBackoff', 'maxBackoff',
  ], 'httpSink');
  if (options.spool !== undefined && options.spool !== false && (typeof options.spool !== 'string' || options.spool === '')) {
    throw invalidArgument('spool is a directory, or false to keep batches in memory only');
  }
  checkPositive(options, ['maxSpoolBytes', 'timeout', 'exitTimeout', 'maxBatchEvents', 'maxBatchBytes', 'flushInterval', 'initialBackoff', 'maxBackoff']);
}

export function httpSink(options: HttpSinkOptions): HttpSink {
  checkOptions(options);
  const url = eventsUrl(options.url);
  const instance = uuidv7();
  const maxSpoolBytes = options.maxSpoolBytes ?? 64 * 1024 * 1024;
  const report = options.onProblem ?? throttledStderr(url);
  const identity = spoolIdentity(url, options.key);
  let spoolRoot: string | undefined;
  if (options.spool !== false) {
    const root = options.spool === undefined ? privateSpoolRoot(identity) : { directory: options.spool };
    if ('directory' in root) spoolRoot = root.directory;
    else process.stderr.write(`logmill: not spooling to disk: ${root.refused}; events wait in memory until delivered\n`);
  }
  const durable = spoolRoot === undefined ? undefined : new DurableSpool(spoolRoot, maxSpoolBytes, identity);
  const spool: Spool<SpooledBatch> = (durable ?? createMemorySpool(maxSpoolBytes)) as Spool<SpooledBatch>;
  const timeout = options.timeout ?? 10_000;
  const exitTimeout = options.exitTimeout ?? 2_000;
  const shouldCompress = options.compress ?? true;
  // Set when the process ran out of work: the last attempt ends at the first failure, and a
  // request still in flight when the exit wait is over is aborted, so the process can end.
  let exiting = false;
  const exitAbort = new AbortController();

  let delivery: Delivery;
  /** One request; a 413's `detail` is the collector's (or a proxy's) own words for the limit. */
  const post = async (body: string, events: number): Promise<SendResult & { detail?: string }> => {
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
    const signal = AbortSignal.any([AbortSignal.timeout(timeout), exitAbort.signal]);
    try {
      const response = await fetch(url, { method: 'POST', headers, body: payload, signal });
      if (response.status >= 400 && response.status < 500) {
        const { answer, words } = refusalOf(await response.text().catch(() => ''));
        if (response.status === 413) return { status: 413, detail: words };
        const result = await sendResultOf({ status: response.status, headers: response.headers, json: async () => answer }, events);
        return words === undefined ? result : { ...result, reason: words };
      }
      const result = await sendResultOf(response, events);
      // Node's fetch reuses the connection only once the body is read.
      await response.arrayBuffer().catch(() => undefined);
      return result;
    } catch (error) {
      if (exiting) giveUpAtExit(error);
      throw error;
    }
  };
  // The most events one request may carry, learnt from 413s: a collector whose eventsPerBatch or
  // bodyBytes (or a proxy's body limit) is below the batch size gets later batches in parts this
  // size, rather than a refused request first every time. It is the largest part accepted after a
  // split, so one event too large on its own does not make every later request carry one event.
  let requestEvents = Infinity;
  let largestAccepted = 0;
  let tooLarge: string | undefined;
  // The collector's words for the last refusal other than a 413, for the line that reports it.
  let refusedBecause: string | undefined;
  /**
   * Sends `lines` in requests of at most `size` events, halving a part answered 413 until it fits:
   * only an event too large on its own is refused. A part that fails otherwise fails the batch,
   * which is resent whole later (the parts already stored become duplicates, which the collector
   * removes by event id).
   */
  const sendLines = async (lines: readonly string[], size: number): Promise<SendResult> => {
    if (lines.length <= size) {
      const result = await post(`${lines.join('\n')}\n`, lines.length);
      if (result.status !== 413) return result;
      if (lines.length === 1) {
        tooLarge = result.detail;
        return { status: 413, refused: 1 };
      }
      size = Math.ceil(lines.length / 2);
    }
    let delivered = 0;
    let refused = 0;
    for (let start = 0; start < lines.length; start += size) {
      const part = lines.slice(start, start + size);
      const result = await sendLines(part, size);
      if (result.status >= 200 && result.status < 300) {
        delivered += part.length;
        largestAccepted = Math.max(largestAccepted, part.length);
      } else if (result.status === 413) {
        refused += result.refused ?? part.length;
        delivered += part.length - (result.refused ?? part.length);
      } else if (result.status === 0 || isRetryableStatus(result.status)) return result;
      else return { ...result, refused: lines.length - delivered };
    }
    if (largestAccepted > 0) requestEvents = largestAccepted;
    return refused === 0 ? { status: 200 } : { status: 413, refused };
  };
  const send = async (body: string, events: number): Promise<SendResult> => {
    const lines = body.split('\n');
    lines.pop(); // the body ends with a newline
    largestAccepted = 0;
    const result = await sendLines(lines, requestEvents);
    refusedBecause = result.reason;
    if (exiting) {
      // A batch that will be retried ends the last attempt; the last batch answered ends it too.
      if (isRetryableStatus(result.status)) giveUpAtExit(`HTTP ${result.status}`);
      else if (spool.events === events) clearTimeout(exitTimer);
    }
    return result;
  };
  // While exiting, an unreachable collector is said once, in the line that says where the events are.
  // A 413 that reaches the loop is about single events: it is worded with the limit that refused them.
  delivery = createDelivery(spool, send, options, (problem) => {
    if (exiting && problem.kind === 'failed') return;
    if (problem.kind === 'refused' && problem.status === 413) {
      report({ ...problem, detail: tooLarge });
      tooLarge = undefined;
    } else if (problem.kind === 'refused') report({ ...problem, reason: refusedBecause });
    else report(problem);
  });
  // Batches adopted from processes that are gone go out now, not at this process's first event.
  if (spool.first() !== undefined) delivery.seal();

  const remove = addSink((event) => delivery.push(envelopeJson(event)), options);
  // Events that could not be written to the spool while exiting (a full disk, a removed
  // directory): lost with the process, and said so rather than called spooled.
  let unsaved = 0;
  const saveAtExit = (): void => {
    if (durable !== undefined) unsaved += durable.saveSync(delivery.takeUnsealed());
  };
  // Exit can only run synchronous code: save what is not on disk, for the next start to send, and
  // hand the directory over (released) so that the next sink with this collector and key adopts it.
  const onExit = (): void => {
    if (durable === undefined) return;
    const before = unsaved;
    saveAtExit();
    // process.exit() or an uncaught exception: no asynchronous code runs any more, so what waits is
    // sent by a child process this one waits for (up to exitTimeout), as otlpExporter does; a
    // container's next start has a fresh spool, so waiting for it would lose these events.
    let unsent: { events: number; reason: string } | undefined;
    const files = exiting ? [] : durable.filesOnDisk();
    if (files.length > 0) {
      const waiting = durable.events;
      const failure = files.length === 0 ? undefined : sendThroughChild(process as NodeProcess, exitSender, { url, headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${options.key}` }, files }, exitTimeout);
      durable.forgetRemovedSync();
      if (failure !== undefined && durable.events > 0) unsent = { events: Math.min(waiting, durable.events), reason: failure };
    }
    durable.release();
    if (unsaved > before) report({ kind: 'unsent', events: unsaved - before, spool: durable.directory, reason: 'the process exited', lost: unsaved - before });
    else if (unsent !== undefined) report({ kind: 'unsent', events: unsent.events, spool: durable.directory, reason: unsent.reason });
  };
  // With nothing else left to do, try once, briefly, to deliver before the process ends: the
  // batches are on disk first, and what is not acknowledged is said on stderr with where it waits.
  const onBeforeExit = (): void => {
    if (delivery.statistics.queued === 0 || exiting) return;
    exiting = true;
    saveAtExit();
    // A referenced timer: the process stays for the last attempt, and no longer than exitTimeout.
    exitTimer = setTimeout(() => giveUpAtExit(`no answer within exitTimeout, ${exitTimeout} ms`), exitTimeout);
    delivery.seal();
  };
  let exitTimer: ReturnType<typeof setTimeout> | undefined;
  let gaveUp = false;
  function giveUpAtExit(reason: unknown): void {
    if (gaveUp) return;
    gaveUp = true;
    clearTimeout(exitTimer);
    exitAbort.abort();
    delivery.stop();
    delivery.recount();
    const unsent = delivery.statistics.queued;
    if (unsent > 0) report({ kind: 'unsent', events: unsent, spool: durable?.directory, reason, lost: unsaved > 0 ? unsaved : undefined });
  }
  process.on('exit', onExit);
  process.on('beforeExit', onBeforeExit);

  // Refused events are lost (a wrong key, a wrong URL): a flush that saw any is not a success.
  const flush = async (flushTimeout?: number): Promise<boolean> => {
    const refused = delivery.statistics.refused;
    return (await delivery.flush(flushTimeout)) && delivery.statistics.refused === refused;
  };

  return {
    flush,
    async close(closeTimeout) {
      remove();
      const delivered = await flush(closeTimeout);
      delivery.stop();
      process.off('beforeExit', onBeforeExit);
      process.off('exit', onExit);
      if (durable !== undefined) {
        saveAtExit();
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

/** The child that sends an exiting process's spooled batches: each file posted in order, removed once acknowledged. */
const exitSender = `let input = '';
process.stdin.on('data', (chunk) => (input += chunk)).on('end', async () => {
  const { url, headers, files } = JSON.parse(input);
  const { readFileSync, unlinkSync } = require('node:fs');
  for (const file of files) {
    try {
      const response = await fetch(url, { method: 'POST', headers, body: readFileSync(file, 'utf8') });
      if (!response.ok) return process.stderr.write('HTTP ' + response.status);
      unlinkSync(file);
    } catch (error) {
      return process.stderr.write(String(error.cause?.message ?? error.message));
    }
  }
});`;
