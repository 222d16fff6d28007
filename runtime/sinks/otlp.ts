/**
 * An OpenTelemetry OTLP/HTTP JSON log exporter, so any OTel collector can receive Logmill events.
 * Events batch by count and time, go out with `fetch`, and are retried on 429, 5xx and network
 * errors with exponential backoff; other failures are counted, never thrown. On Node, a process
 * that runs out of work sends what waits once more before it ends (bounded by `exitTimeout`), one
 * that calls `process.exit()` sends it synchronously through a short-lived child process, and what
 * could not be sent either way is said on stderr.
 */
import { type SinkOptions, addSink } from '../events.js';
import { checkKnownOptions, checkHttpUrl, checkPositive } from '../invalid-argument.js';
import type { LogmillEvent } from '../logging/event.js';
import { loggingState } from '../logging/configure.js';
import { toJson } from '../logging/serialize.js';
import { sendThroughChild } from '../delivery/exit-send.js';

export interface OtlpOptions extends SinkOptions {
  /** The collector's logs endpoint, such as `http://localhost:4318/v1/logs`. */
  url: string;
  headers?: Record<string, string> | undefined;
  /** Send when this many events are waiting (default 512). */
  maxBatch?: number | undefined;
  /** Send at least this often, in milliseconds (default 1000). */
  interval?: number | undefined;
  /** Attempts per batch (default 4). */
  attempts?: number | undefined;
  /**
   * On Node, how long the last send of a process that is ending may take, in milliseconds (default
   * 2 s): one attempt, not retried, so a CLI or cron job ends promptly when the collector is down.
   */
  exitTimeout?: number | undefined;
}

export interface OtlpExporter {
  /** Sends everything waiting; resolves when the collector answered (or gave up). */
  flush(): Promise<void>;
  /** Flushes and stops. */
  shutdown(): Promise<void>;
  /** Events the collector refused or that could not be sent after every attempt. */
  readonly dropped: number;
  /** Events the collector accepted. */
  readonly exported: number;
}

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}

function anyValue(value: unknown, depth = 0): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'bigint') return { intValue: value.toString() };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (depth < 4 && Array.isArray(value)) return { arrayValue: { values: value.slice(0, 100).map((item) => anyValue(item, depth + 1)) } };
  if (depth < 4 && typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return { kvlistValue: { values: keyValues(value as Record<string, unknown>, depth + 1) } };
  }
  const json = toJson(value, loggingState.redactor);
  // What serializes as a string (a Date, a URL, an ObjectId: their toJSON) is that string, not its JSON.
  return { stringValue: json.startsWith('"') ? (JSON.parse(json) as string) : json };
}

function keyValues(record: Readonly<Record<string, unknown>>, depth = 0, prefix = ''): KeyValue[] {
  const redactor = loggingState.redactor;
  return Object.keys(record).map((key) => ({
    key: `${prefix}${key}`,
    value: redactor.isSensitiveKey(key) ? { stringValue: '[Filtered]' } : anyValue(record[key], depth),
  }));
}

/** One event as an OTLP LogRecord, with OTel semantic-convention attributes where they exist. */
export function toLogRecord(event: LogmillEvent): Record<string, unknown> {
  const attributes: KeyValue[] = [
    { key: 'logmill.id', value: { stringValue: event.id } },
    { key: 'logmill.kind', value: { stringValue: event.kind } },
    { key: 'logmill.template', value: { stringValue: event.template } },
    ...keyValues(event.attributes),
    ...keyValues(event.context.vars, 0, 'logmill.context.'),
  ];
  if (event.kind === 'event') attributes.push({ key: 'event.name', value: { stringValue: event.name } });
  if (event.args.length > 0) attributes.push({ key: 'logmill.args', value: anyValue(JSON.parse(toJson(event.args, loggingState.redactor)) as unknown) });
  const stack = event.context.stack;
  if (stack.length > 0) {
    attributes.push({ key: 'logmill.stack', value: { arrayValue: { values: stack.map((frame) => ({ stringValue: `${frame.function} (${frame.file}:${frame.line})` })) } } });
  }
  if (event.code !== undefined) {
    attributes.push(
      { key: 'code.function', value: { stringValue: event.code.function } },
      { key: 'code.namespace', value: { stringValue: event.code.module } },
      { key: 'code.filepath', value: { stringValue: event.code.file } },
      { key: 'code.lineno', value: { intValue: String(event.code.line) } },
    );
  }
  const userId = event.userId;
  if (userId !== undefined) attributes.push({ key: 'enduser.id', value: { stringValue: userId } });
  const error = event.error;
  if (error !== undefined) {
    attributes.push({ key: 'exception.type', value: { stringValue: error.type } }, { key: 'exception.message', value: { stringValue: error.message } });
    if (error.stack !== undefined) attributes.push({ key: 'exception.stacktrace', value: { stringValue: error.stack } });
  }
  const nanoseconds = `${BigInt(event.ts) * 1_000_000n}`;
  const trace = event.trace;
  return {
    ...(trace === undefined ? {} : { traceId: trace.traceId, spanId: trace.spanId }),
    timeUnixNano: nanoseconds,
    observedTimeUnixNano: nanoseconds,
    severityNumber: event.severityNumber,
    severityText: event.severity,
    body: { stringValue: event.kind === 'event' ? event.name : event.message },
    attributes,
  };
}

function resourceAttributes(): KeyValue[] {
  const service = loggingState.service ?? {};
  const attributes: KeyValue[] = [{ key: 'service.name', value: { stringValue: service.name ?? 'unknown_service' } }];
  if (service.version !== undefined) attributes.push({ key: 'service.version', value: { stringValue: service.version } });
  if (service.instance !== undefined) attributes.push({ key: 'service.instance.id', value: { stringValue: service.instance } });
  return attributes;
}

export function otlpExporter(options: OtlpOptions): OtlpExporter {
  checkHttpUrl(options?.url, "otlpExporter's url (the logs endpoint)");
  checkKnownOptions(options, ['url', 'headers', 'level', 'maxBatch', 'interval', 'attempts', 'exitTimeout'], 'otlpExporter');
  checkPositive(options, ['maxBatch', 'interval', 'attempts', 'exitTimeout']);
  const maxBatch = options.maxBatch ?? 512;
  const attempts = options.attempts ?? 4;
  const exitTimeout = options.exitTimeout ?? 2_000;
  let waiting: LogmillEvent[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  let dropped = 0;
  let exported = 0;
  /** Batches handed to `send` and not yet settled: what a `process.exit()` would lose. */
  const unsettled = new Set<LogmillEvent[]>();
  // Set when the process ran out of work: one attempt per batch, aborted after exitTimeout.
  let exiting = false;
  const exitAbort = new AbortController();
  let lastFailure = '';

  const bodyOf = (batch: readonly LogmillEvent[]): string =>
    JSON.stringify({
      resourceLogs: [{ resource: { attributes: resourceAttributes() }, scopeLogs: [{ scope: { name: 'logmill' }, logRecords: batch.map(toLogRecord) }] }],
    });

  const send = async (batch: LogmillEvent[]): Promise<void> => {
    try {
      await sendOnce(batch);
    } finally {
      unsettled.delete(batch);
    }
  };

  const sendOnce = async (batch: LogmillEvent[]): Promise<void> => {
    let body: string;
    try {
      body = bodyOf(batch);
    } catch {
      dropped += batch.length;
      return;
    }
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body,
          signal: exitAbort.signal,
        });
        if (response.ok) {
          // OTLP partial success: the collector kept the batch except `rejectedLogRecords`.
          const answer = (await response.json().catch(() => undefined)) as { partialSuccess?: { rejectedLogRecords?: unknown } } | undefined;
          const rejected = Number(answer?.partialSuccess?.rejectedLogRecords ?? 0) || 0;
          dropped += rejected;
          exported += batch.length - rejected;
          return;
        }
        lastFailure = `HTTP ${response.status}`;
        if (response.status !== 429 && response.status < 500) break;
      } catch (error) {
        // A network error: retry like a 5xx.
        lastFailure = errorText(exitAbort.signal.aborted ? `no answer within exitTimeout, ${exitTimeout} ms` : error);
      }
      if (exiting) break;
      if (attempt + 1 < attempts) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt * (0.5 + Math.random())));
    }
    dropped += batch.length;
  };

  const flush = (): Promise<void> => {
    if (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      unsettled.add(batch);
      inFlight = inFlight.then(() => send(batch));
    }
    return inFlight;
  };

  const timer = setInterval(() => void flush(), options.interval ?? 1000);
  (timer as { unref?: () => void }).unref?.();
  const remove = addSink((event) => {
    waiting.push(event);
    if (waiting.length >= maxBatch) void flush();
  }, options);

  const node = nodeProcess();
  const say = (events: number, reason: string): void => {
    node?.stderr?.write(`logmill: exiting with ${events} events the OTLP collector at ${options.url} did not accept (${reason}); they are lost\n`);
  };
  // Out of work: one bounded attempt for what waits, and a line on stderr for what it did not send.
  const onBeforeExit = (): void => {
    if (waiting.length === 0 || exiting) return;
    exiting = true;
    const before = dropped;
    const timer = setTimeout(() => exitAbort.abort(), exitTimeout);
    void flush().then(() => {
      clearTimeout(timer);
      if (dropped > before) say(dropped - before, lastFailure);
    });
  };
  // process.exit() runs no more asynchronous code: what waits or is in flight is sent by a child
  // process this one waits for (a duplicate of an in-flight batch is better than a loss).
  const onExit = (): void => {
    const batches = [...unsettled, ...(waiting.length > 0 ? [waiting] : [])];
    const events = batches.reduce((sum, batch) => sum + batch.length, 0);
    if (events === 0) return;
    waiting = [];
    unsettled.clear();
    const outcome = sendThroughChild(node!, exitSender, { url: options.url, headers: { 'content-type': 'application/json', ...options.headers }, body: bodyOf(batches.flat()) }, exitTimeout);
    if (outcome === undefined) exported += events;
    else {
      dropped += events;
      say(events, outcome);
    }
  };
  node?.on('beforeExit', onBeforeExit);
  node?.on('exit', onExit);

  return {
    flush,
    async shutdown() {
      remove();
      clearInterval(timer);
      node?.off('beforeExit', onBeforeExit);
      node?.off('exit', onExit);
      await flush();
    },
    get dropped() {
      return dropped;
    },
    get exported() {
      return exported;
    },
  };
}

/** Node's process, where there is one (this exporter is also bundled for browsers). */
function nodeProcess(): NodeJS.Process | undefined {
  const candidate = (globalThis as { process?: NodeJS.Process }).process;
  return typeof candidate?.on === 'function' && typeof candidate.versions?.node === 'string' ? candidate : undefined;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/** The child that posts the body for an exiting process: reads url, headers and body as JSON from stdin. */
const exitSender = `let input = '';
process.stdin.on('data', (chunk) => (input += chunk)).on('end', async () => {
  const { url, headers, body } = JSON.parse(input);
  try {
    const response = await fetch(url, { method: 'POST', headers, body });
    process.stderr.write(response.ok ? '' : 'HTTP ' + response.status);
  } catch (error) {
    process.stderr.write(String(error.cause?.message ?? error.message));
  }
});`;
