/**
 * The event envelope as one JSON line (the NDJSON sink and the collector speak it). The parts that
 * repeat — the context, the call site, a bound logger's attributes — are serialized once and reused.
 */
import type { Frame, LogmillContext } from '../context.js';
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
 * Each request makes contexts of its own, so caching a context's JSON by context would encode and
 * remember text that is used once. What repeats is in its parts: the logical stack is one of the
 * few frame chains the program has (interned below, with its bytes), and the variables are
 * serialized per event, reusing the last object's text while the same variables keep logging.
 */
interface StackNode {
  /** `,"stack":[…]}`, closing the context object. */
  readonly piece: EnvelopePiece;
  /** The stacks one frame deeper, by the frame entered. */
  readonly deeper: Map<Frame, StackNode>;
}
const newStackNode = (stackJson: string): StackNode => ({ piece: envelopePiece(`,"stack":${stackJson}}`), deeper: new Map() });
/** Frame chains past this many are serialized per event: a bound on memory, not a case that occurs. */
const MAX_INTERNED_STACKS = 4096;
let stacks = newStackNode('[]');
let internedStacks = 0;
let lastVariables: object | undefined;
let lastVariablesJson = '';
const framesOfContext: Frame[] = [];

function writeContext(context: LogmillContext, redactor: Redaction | undefined, writer: EnvelopeWriter): void {
  if (redactor?.hasPaths) {
    // Paths are matched from the context's root; the whole view goes through them.
    writer.text(`,"context":${toJson(contextView(context), redactor)}`);
    return;
  }
  const variables = context.variables;
  if (variables !== lastVariables) {
    lastVariablesJson = toJson(variables, redactor);
    lastVariables = variables;
  }
  writer.text(`,"context":{"vars":${lastVariablesJson}`);
  const frames = framesOfContext;
  frames.length = 0;
  for (let current: LogmillContext | undefined = context; current !== undefined; current = current.parent) {
    if (current.frame !== undefined) frames.push(current.frame);
  }
  // Walked from the outermost frame, so each step is the stack one call deeper.
  let node = stacks;
  for (let index = frames.length - 1; index >= 0; index--) {
    const frame = frames[index]!;
    let deeper = node.deeper.get(frame);
    if (deeper === undefined) {
      if (internedStacks >= MAX_INTERNED_STACKS) {
        writer.text(`,"stack":${toJson(frames, redactor)}}`);
        return;
      }
      deeper = newStackNode(toJson(frames.slice(index), redactor));
      node.deeper.set(frame, deeper);
      internedStacks++;
    }
    node = deeper;
  }
  writer.piece(node.piece);
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
    attributesJson = new WeakMap();
    stacks = newStackNode('[]');
    internedStacks = 0;
    lastVariables = undefined;
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
  writeContext(event.logContext, redactor, writer);
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
