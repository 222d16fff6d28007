/**
 * The event envelope as one JSON line (the NDJSON sink and the collector speak it). The parts that
 * repeat — the context, the call site, a bound logger's attributes — are serialized once and reused.
 */
import type { LogmillContext } from '../context.js';
import { loggingState } from './configure.js';
import { type CallSite, type LogmillEvent, SCHEMA_VERSION, contextView } from './event.js';
import { severityText } from './levels.js';
import type { Redaction } from './redact.js';
import { toJson } from './serialize.js';

/**
 * A piece of a line that repeats from event to event, kept with its UTF-8 bytes, so a sink writing
 * bytes copies it instead of encoding it again.
 */
export interface EnvelopePiece {
  readonly text: string;
  readonly bytes: Uint8Array;
}

/** Where `writeEnvelope` puts a line: text made for this event, and cached pieces. */
export interface EnvelopeWriter {
  text(value: string): void;
  piece(value: EnvelopePiece): void;
}

const encoder = new TextEncoder();

export function envelopePiece(text: string): EnvelopePiece {
  return { text, bytes: encoder.encode(text) };
}

let contextJson = new WeakMap<LogmillContext, EnvelopePiece>();
let attributesJson = new WeakMap<object, EnvelopePiece>();
const siteJson = new WeakMap<CallSite, EnvelopePiece>();
const siteTemplateJson = new WeakMap<CallSite, EnvelopePiece>();
let cachedRedactor: Redaction | undefined;

function cached<K extends object>(cache: WeakMap<K, EnvelopePiece>, key: K, make: () => string): EnvelopePiece {
  let piece = cache.get(key);
  if (piece === undefined) {
    piece = envelopePiece(make());
    cache.set(key, piece);
  }
  return piece;
}

const heads: EnvelopePiece[] = [];
const tail = envelopePiece(`,"schemaVersion":${SCHEMA_VERSION}}`);

/** `,"kind":"log","severity":"INFO","severityNumber":9`, built once per kind and severity. */
function headOf(kind: 'log' | 'event', severityNumber: number): EnvelopePiece {
  const index = (kind === 'event' ? 32 : 0) + (severityNumber & 31);
  let head = heads[index];
  if (head === undefined) {
    head = envelopePiece(`,"kind":"${kind}","severity":"${severityText(severityNumber)}","severityNumber":${severityNumber}`);
    heads[index] = head;
  }
  return head;
}

/**
 * Writes `event` as one line of JSON (no trailing newline): the few parts made for this event as
 * text, and the parts that repeat — the head, the site's template, the bound attributes, the
 * context, the call site — as cached pieces with their bytes.
 */
export function writeEnvelope(event: LogmillEvent, writer: EnvelopeWriter): void {
  const redactor = loggingState.redactor;
  if (redactor !== cachedRedactor) {
    // New redaction rules: nothing serialized under the old ones may be reused.
    cachedRedactor = redactor;
    contextJson = new WeakMap();
    attributesJson = new WeakMap();
  }
  writer.text(`{"id":"${event.id}","ts":${event.ts}`);
  writer.piece(headOf(event.kind, event.severityNumber));
  const code = event.code;
  let dynamic = event.kind === 'event' ? `,"name":${JSON.stringify(event.name)}` : '';
  if (code !== undefined && code.template !== undefined) {
    if (dynamic !== '') writer.text(dynamic);
    dynamic = '';
    writer.piece(cached(siteTemplateJson, code, () => `,"template":${toJson(event.template)}`));
  } else {
    dynamic += `,"template":${toJson(event.template)}`;
  }
  dynamic += `,"args":${event.args.length === 0 ? '[]' : toJson(event.args, redactor)}`;
  // Without a full renderer (browsers) the collector renders the message from template and args.
  if (event.messageRendered) dynamic += `,"message":${toJson(event.message)}`;
  const formatError = event.formatError;
  if (formatError !== undefined) dynamic += `,"formatError":${JSON.stringify(formatError)}`;
  const attributes = event.attributes;
  if (Object.isFrozen(attributes)) {
    writer.text(dynamic);
    writer.piece(cached(attributesJson, attributes, () => `,"attributes":${toJson(attributes, redactor)}`));
  } else {
    writer.text(`${dynamic},"attributes":${toJson(attributes, redactor)}`);
  }
  writer.piece(cached(contextJson, event.logContext, () => `,"context":${toJson(contextView(event.logContext), redactor)}`));
  const userId = event.userId;
  if (userId !== undefined) writer.text(`,"userId":${JSON.stringify(userId)}`);
  const sessionId = event.sessionId;
  if (sessionId !== undefined) writer.text(`,"sessionId":${JSON.stringify(sessionId)}`);
  const trace = event.trace;
  if (trace !== undefined) writer.text(`,"traceId":"${trace.traceId}","spanId":"${trace.spanId}"`);
  if (code !== undefined) {
    writer.piece(cached(siteJson, code, () => `,"code":${toJson({ module: code.module, file: code.file, line: code.line, column: code.column, function: code.function })}`));
  }
  const error = event.error;
  if (error !== undefined) writer.text(`,"error":${toJson(error, redactor)}`);
  if (loggingState.service !== undefined) writer.text(`,"service":${toJson(loggingState.service)}`);
  writer.piece(tail);
}

/** Serializes `event` as one line of JSON (no trailing newline). */
export function envelopeJson(event: LogmillEvent): string {
  let line = '';
  writeEnvelope(event, {
    text(value) {
      line += value;
    },
    piece(value) {
      line += value.text;
    },
  });
  return line;
}
