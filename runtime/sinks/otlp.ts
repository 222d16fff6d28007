/**
 * An OpenTelemetry OTLP/HTTP JSON log exporter, so any OTel collector can receive Logmill events.
 * Events batch by count and time, go out with `fetch`, and are retried on 429, 5xx and network
 * errors with exponential backoff; other failures are counted, never thrown.
 */
import { type SinkOptions, addSink } from '../events.js';
import { checkKnownOptions, checkHttpUrl, checkPositive } from '../invalid-argument.js';
import type { LogmillEvent } from '../logging/event.js';
import { loggingState } from '../logging/configure.js';
import { toJson } from '../logging/serialize.js';

export interface OtlpOptions extends SinkOptions {
  /** The collector's logs endpoint, such as `http://localhost:4318/v1/logs`. */
  url: string;
  headers?: Record<string, string>;
  /** Send when this many events are waiting (default 512). */
  maxBatch?: number;
  /** Send at least this often, in milliseconds (default 1000). */
  interval?: number;
  /** Attempts per batch (default 4). */
  attempts?: number;
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
  checkKnownOptions(options, ['url', 'headers', 'level', 'maxBatch', 'interval', 'attempts'], 'otlpExporter');
  checkPositive(options, ['maxBatch', 'interval', 'attempts']);
  const maxBatch = options.maxBatch ?? 512;
  const attempts = options.attempts ?? 4;
  let waiting: LogmillEvent[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  let dropped = 0;
  let exported = 0;

  const send = async (batch: LogmillEvent[]): Promise<void> => {
    let body: string;
    try {
      body = JSON.stringify({
        resourceLogs: [{ resource: { attributes: resourceAttributes() }, scopeLogs: [{ scope: { name: 'logmill' }, logRecords: batch.map(toLogRecord) }] }],
      });
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
        });
        if (response.ok) {
          // OTLP partial success: the collector kept the batch except `rejectedLogRecords`.
          const answer = (await response.json().catch(() => undefined)) as { partialSuccess?: { rejectedLogRecords?: unknown } } | undefined;
          const rejected = Number(answer?.partialSuccess?.rejectedLogRecords ?? 0) || 0;
          dropped += rejected;
          exported += batch.length - rejected;
          return;
        }
        if (response.status !== 429 && response.status < 500) break;
      } catch {
        // A network error: retry like a 5xx.
      }
      if (attempt + 1 < attempts) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt * (0.5 + Math.random())));
    }
    dropped += batch.length;
  };

  const flush = (): Promise<void> => {
    if (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
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

  return {
    flush,
    async shutdown() {
      remove();
      clearInterval(timer);
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
