/**
 * The event envelope as one JSON line (the NDJSON sink and the collector speak it). The parts that
 * repeat — the context, the call site, a bound logger's attributes — are serialized once and reused.
 */
import type { LogmillContext } from '../context.js';
import { loggingState } from './configure.js';
import { type CallSite, type LogmillEvent, SCHEMA_VERSION, contextView } from './event.js';
import { severityText } from './levels.js';
import type { Redactor } from './redact.js';
import { toJson } from './serialize.js';

let contextJson = new WeakMap<LogmillContext, string>();
let attributesJson = new WeakMap<object, string>();
const siteJson = new WeakMap<CallSite, string>();
const siteTemplateJson = new WeakMap<CallSite, string>();
let cachedRedactor: Redactor | undefined;

function cached<K extends object>(cache: WeakMap<K, string>, key: K, make: () => string): string {
  let json = cache.get(key);
  if (json === undefined) {
    json = make();
    cache.set(key, json);
  }
  return json;
}

const heads: string[] = [];

/** `,"kind":"log","severity":"INFO","severityNumber":9`, built once per kind and severity. */
function headOf(kind: 'log' | 'event', severityNumber: number): string {
  const index = (kind === 'event' ? 32 : 0) + (severityNumber & 31);
  let head = heads[index];
  if (head === undefined) {
    head = `,"kind":"${kind}","severity":"${severityText(severityNumber)}","severityNumber":${severityNumber}`;
    heads[index] = head;
  }
  return head;
}

/**
 * Writes `event` as one line of JSON (no trailing newline) in pieces, so a sink can encode the
 * large cached pieces (context, call site, attributes) straight into its buffer without first
 * building one string per line.
 */
export function writeEnvelope(event: LogmillEvent, write: (piece: string) => void): void {
  const redactor = loggingState.redactor;
  if (redactor !== cachedRedactor) {
    // New redaction rules: nothing serialized under the old ones may be reused.
    cachedRedactor = redactor;
    contextJson = new WeakMap();
    attributesJson = new WeakMap();
  }
  write(`{"id":"${event.id}","ts":${event.ts}`);
  write(headOf(event.kind, event.severityNumber));
  if (event.kind === 'event') write(`,"name":${JSON.stringify(event.name)}`);
  const code = event.code;
  write(',"template":');
  write(code !== undefined && code.template !== undefined ? cached(siteTemplateJson, code, () => toJson(event.template)) : toJson(event.template));
  write(`,"args":${event.args.length === 0 ? '[]' : toJson(event.args, redactor)},"message":${toJson(event.message)}`);
  const formatError = event.formatError;
  if (formatError !== undefined) write(`,"formatError":${JSON.stringify(formatError)}`);
  const attributes = event.attributes;
  write(',"attributes":');
  write(Object.isFrozen(attributes) ? cached(attributesJson, attributes, () => toJson(attributes, redactor)) : toJson(attributes, redactor));
  write(',"context":');
  write(cached(contextJson, event.logContext, () => toJson(contextView(event.logContext), redactor)));
  const userId = event.userId;
  if (userId !== undefined) write(`,"userId":${JSON.stringify(userId)}`);
  if (code !== undefined) {
    write(',"code":');
    write(cached(siteJson, code, () => toJson({ module: code.module, file: code.file, line: code.line, column: code.column, function: code.function })));
  }
  const error = event.error;
  if (error !== undefined) write(`,"error":${toJson(error, redactor)}`);
  if (loggingState.service !== undefined) write(`,"service":${toJson(loggingState.service)}`);
  write(`,"schemaVersion":${SCHEMA_VERSION}}`);
}

/** Serializes `event` as one line of JSON (no trailing newline). */
export function envelopeJson(event: LogmillEvent): string {
  const pieces: string[] = [];
  writeEnvelope(event, (piece) => pieces.push(piece));
  return pieces.join('');
}
