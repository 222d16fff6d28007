/**
 * OTLP/HTTP JSON logs → Logmill envelopes, so any OpenTelemetry SDK or collector can send here.
 * Records sent by Logmill's own OTLP exporter keep their id, template, args and context; other
 * records get an id derived from their content, so a retried export is still deduplicated.
 */
import { createHash } from 'node:crypto';
import { severityText } from 'logmill';
import { ClientError } from './client-error.js';
import { type Envelope, identifierOf } from './event-to-row.js';
import type { EventProblem } from './limits.js';

interface KeyValue {
  key?: unknown;
  value?: unknown;
}

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** AnyValues nested deeper than this are refused (the envelope's own depth limit is 16). */
export const maxAnyValueDepth = 32;

function tooDeep(path: string): ClientError {
  return new ClientError(400, 'too_deep', `${path} nests AnyValues deeper than ${maxAnyValueDepth} levels`, { path });
}

/**
 * An OTLP AnyValue as plain JSON. Recursion is bounded by `maxAnyValueDepth`: a hostile nesting of
 * kvlistValue or arrayValue is the client's error (400 naming where), never a stack overflow.
 */
export function fromAnyValue(value: unknown, path = '', depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= maxAnyValueDepth) throw tooDeep(path);
  const any = value as Record<string, unknown>;
  if ('stringValue' in any) return String(any['stringValue']);
  if ('boolValue' in any) return Boolean(any['boolValue']);
  if ('intValue' in any) {
    const number = Number(any['intValue']);
    return Number.isSafeInteger(number) ? number : String(any['intValue']);
  }
  if ('doubleValue' in any) {
    const number = Number(any['doubleValue']);
    return Number.isFinite(number) ? number : String(any['doubleValue']);
  }
  if ('bytesValue' in any) return String(any['bytesValue']);
  if ('arrayValue' in any) {
    const values = (any['arrayValue'] as { values?: unknown } | null)?.values;
    return Array.isArray(values) ? values.map((item, index) => fromAnyValue(item, `${path}/arrayValue/values/${index}`, depth + 1)) : [];
  }
  if ('kvlistValue' in any) {
    const values = (any['kvlistValue'] as { values?: unknown } | null)?.values;
    return Array.isArray(values) ? fromKeyValues(values, `${path}/kvlistValue/values`, depth + 1) : {};
  }
  return null;
}

/**
 * Defined, not assigned: `record.__proto__ = …` would replace the record's prototype, hiding the
 * key from checks and lending its members to every lookup. As an own key it is refused like any
 * prototype-poisoning key.
 */
function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function fromKeyValues(list: unknown, path: string, depth = 0): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  if (!Array.isArray(list)) return record;
  (list as KeyValue[]).forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.key !== 'string') return;
    setOwn(record, entry.key, fromAnyValue(entry.value, `${path}/${index}/value`, depth));
  });
  return record;
}

function milliseconds(nanos: unknown): number | undefined {
  if (typeof nanos !== 'string' && typeof nanos !== 'number') return undefined;
  const text = String(nanos);
  if (!/^\d{1,20}$/.test(text) || /^0+$/.test(text)) return undefined;
  return Number(BigInt(text) / 1_000_000n);
}

/** A UUIDv7-shaped id from the record's time and content: the same record always maps to the same id. */
function derivedId(ts: number, record: unknown, resource: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify([record, resource])).digest('hex');
  const time = ts.toString(16).padStart(12, '0').slice(-12);
  const variant = ((parseInt(hash[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hash.slice(0, 3)}-${variant}${hash.slice(4, 7)}-${hash.slice(7, 19)}`;
}

function hex(value: unknown, length: number): string | undefined {
  return typeof value === 'string' && value.length === length && /^[0-9a-fA-F]+$/.test(value) && !/^0+$/.test(value) ? value.toLowerCase() : undefined;
}

/** The records of an OTLP export request: envelopes by position, and the records refused while converting. */
export interface OtlpItems {
  /** `undefined` where the record could not be converted (see `problems`). */
  items: (Envelope | undefined)[];
  problems: Map<number, EventProblem>;
}

/** Every log record of an OTLP export request as an envelope (not yet validated); throws on the first refused record. */
export function otlpToEnvelopes(body: unknown, receivedAt: number): Envelope[] {
  const { items, problems } = otlpToItems(body, receivedAt);
  const [first] = problems.values();
  if (first !== undefined) throw new ClientError(400, first.reason, first.message, { path: first.path });
  return items as Envelope[];
}

/**
 * Every log record of an OTLP export request as an envelope (not yet validated). A record nested
 * too deeply is refused on its own (its path in `problems`), so the others can still be stored; a
 * resource nested too deeply refuses the request.
 */
export function otlpToItems(body: unknown, receivedAt: number): OtlpItems {
  const resourceLogs = (body as { resourceLogs?: unknown } | null)?.resourceLogs;
  if (typeof body !== 'object' || body === null || !Array.isArray(resourceLogs)) {
    throw new ClientError(400, 'not_otlp', 'the body must be an OTLP ExportLogsServiceRequest with "resourceLogs"');
  }
  const envelopes: (Envelope | undefined)[] = [];
  const problems = new Map<number, EventProblem>();
  (resourceLogs as ({ resource?: { attributes?: unknown }; scopeLogs?: unknown } | null)[]).forEach((resourceLog, resourceIndex) => {
    const at = `/resourceLogs/${resourceIndex}`;
    const resource = fromKeyValues(resourceLog?.resource?.attributes, `${at}/resource/attributes`);
    const service: Envelope['service'] = {};
    if (typeof resource['service.name'] === 'string') service.name = resource['service.name'];
    if (typeof resource['service.version'] === 'string') service.version = resource['service.version'];
    if (typeof resource['service.instance.id'] === 'string') service.instance = resource['service.instance.id'];
    const scopeLogs = Array.isArray(resourceLog?.scopeLogs) ? (resourceLog.scopeLogs as ({ logRecords?: unknown } | null)[]) : [];
    scopeLogs.forEach((scopeLog, scopeIndex) => {
      const records = Array.isArray(scopeLog?.logRecords) ? (scopeLog.logRecords as (Record<string, unknown> | null)[]) : [];
      records.forEach((record, recordIndex) => {
        const recordPath = `${at}/scopeLogs/${scopeIndex}/logRecords/${recordIndex}`;
        try {
          envelopes.push(recordToEnvelope(typeof record === 'object' && record !== null ? record : {}, resource, service, receivedAt, recordPath));
        } catch (error) {
          if (!(error instanceof ClientError)) throw error;
          problems.set(envelopes.length, { reason: error.reason, message: error.message, path: String(error.details['path'] ?? recordPath) });
          envelopes.push(undefined);
        }
      });
    });
  });
  return { items: envelopes, problems };
}

function recordToEnvelope(record: Record<string, unknown>, resource: unknown, service: Envelope['service'], receivedAt: number, path: string): Envelope {
  const attributes = fromKeyValues(record['attributes'], `${path}/attributes`);
  const ts = milliseconds(record['timeUnixNano']) ?? milliseconds(record['observedTimeUnixNano']) ?? receivedAt;
  const severityNumber = Number.isInteger(record['severityNumber']) && (record['severityNumber'] as number) >= 1 && (record['severityNumber'] as number) <= 24
    ? (record['severityNumber'] as number)
    : 9;
  const body = fromAnyValue(record['body'], `${path}/body`);
  const message = typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body);
  const take = (key: string): unknown => {
    const value = attributes[key];
    delete attributes[key];
    return value;
  };
  const id = take('logmill.id');
  const kind = take('logmill.kind');
  const template = take('logmill.template');
  const args = take('logmill.args');
  const name = take('event.name');
  take('logmill.stack');
  const vars: Record<string, unknown> = {};
  for (const key of Object.keys(attributes)) {
    if (key.startsWith('logmill.context.')) setOwn(vars, key.slice('logmill.context.'.length), take(key));
  }
  const exceptionType = take('exception.type');
  const exceptionMessage = take('exception.message');
  const exceptionStack = take('exception.stacktrace');
  const envelope: Envelope = {
    id: typeof id === 'string' && uuidV7.test(id) ? id : derivedId(ts, record, resource),
    ts,
    kind: kind === 'event' && typeof name === 'string' ? 'event' : 'log',
    severity: severityText(severityNumber),
    severityNumber,
    template: typeof template === 'string' ? template : message,
    args: Array.isArray(args) ? args : [],
    message,
    attributes,
    context: { vars, stack: [] },
    schemaVersion: 1,
  };
  if (envelope.kind === 'event') envelope.name = name as string;
  if (Object.keys(service ?? {}).length > 0) envelope.service = service;
  // The person: Logmill's own context variable, else OpenTelemetry's `enduser.id` (or `user.id`)
  // on the record or on its resource (an app that serves one signed-in person sets it there), so
  // erasure and export find records that carry only the semantic-convention attribute. The session
  // likewise, so that erasure also finds what the person did before signing in.
  const resourceAttributes = resource as Record<string, unknown>;
  // An id sent as an intValue (many apps' user ids are numbers) is the person's id as its digits.
  const firstText = (...candidates: unknown[]) => candidates.map(identifierOf).find((candidate): candidate is string => candidate !== null && candidate !== '');
  const person = firstText(vars['userId'], attributes['enduser.id'], attributes['user.id'], resourceAttributes['enduser.id'], resourceAttributes['user.id']);
  if (person !== undefined) envelope.userId = person;
  const session = firstText(vars['sessionId'], attributes['session.id'], resourceAttributes['session.id']);
  if (session !== undefined) envelope.sessionId = session;
  const traceId = hex(record['traceId'], 32);
  const spanId = hex(record['spanId'], 16);
  if (traceId !== undefined) envelope.traceId = traceId;
  if (spanId !== undefined) envelope.spanId = spanId;
  if (typeof exceptionType === 'string' || typeof exceptionMessage === 'string') {
    envelope.error = { type: typeof exceptionType === 'string' ? exceptionType : 'Error', message: typeof exceptionMessage === 'string' ? exceptionMessage : '' };
    if (typeof exceptionStack === 'string') envelope.error.stack = exceptionStack;
  }
  return envelope;
}
