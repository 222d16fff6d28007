/**
 * A validated envelope → the columns the store keeps. Scrubbing happens here, on every string
 * that is stored (template, name, message, args, attributes and their keys, context variables,
 * stack frames, code, service, error and its causes), so nothing unscrubbed reaches a row.
 */
import { formatPercent } from 'logmill';
import type { EventRow } from '../domain/event-row.js';
import { FILTERED, type Scrubber } from './scrub.js';

/** The envelope as the schema guarantees it (see `logmill/schema/event.schema.json`). */
export interface Envelope {
  id: string;
  ts: number;
  sentAt?: number;
  kind: 'log' | 'event';
  severity: string;
  severityNumber: number;
  name?: string;
  template: string;
  args: unknown[];
  /** Absent when the client left rendering to the collector (browsers, past `%s` and `%d`). */
  message?: string;
  formatError?: string;
  attributes: Record<string, unknown>;
  context: { vars: Record<string, unknown>; stack: unknown[] };
  userId?: string;
  sessionId?: string;
  code?: { module: string; file: string; line: number; column?: number; function: string };
  error?: { type: string; message: string; stack?: string };
  service?: { name?: string; version?: string; instance?: string };
  traceId?: string;
  spanId?: string;
  schemaVersion: 1;
}

function experimentsOf(vars: Record<string, unknown>): Record<string, string> {
  const experiments: Record<string, string> = {};
  const nested = vars['experiments'];
  if (typeof nested === 'object' && nested !== null && !Array.isArray(nested)) {
    for (const [name, variant] of Object.entries(nested)) if (typeof variant === 'string') experiments[name] = variant;
  }
  if (typeof vars['experiment'] === 'string' && typeof vars['variant'] === 'string') experiments[vars['experiment']] = vars['variant'];
  return experiments;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const errorFields = new Set(['type', 'message', 'stack', 'cause']);

/**
 * An arg as the client's formatter saw it: an Error travels as `{ type, message, stack, cause }`
 * (what `describeError` gives), and the client rendered it as `String(error)`, `TypeError: boom`.
 * Rendered again here without this, it would read as an object, with its whole stack in the message.
 */
function asFormatted(value: unknown, depth = 0): unknown {
  if (depth > 16 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => asFormatted(item, depth + 1));
  const fields = value as Record<string, unknown>;
  const keys = Object.keys(fields);
  if (typeof fields['type'] === 'string' && typeof fields['message'] === 'string' && typeof fields['stack'] === 'string' && keys.every((key) => errorFields.has(key))) {
    const error = new Error(fields['message']);
    error.name = fields['type'];
    return error;
  }
  return Object.fromEntries(keys.map((key) => [key, asFormatted(fields[key], depth + 1)]));
}

/** The message the client's formatter gives for these args: a lone plain object is a `%(key)s` mapping. */
function renderedFrom(template: string, args: readonly unknown[]): string {
  const formatted = asFormatted(args) as unknown[];
  const only = formatted.length === 1 ? formatted[0] : undefined;
  return formatPercent(template, isPlainObject(only) && !(only instanceof Error) ? only : formatted);
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * A person's or session's id from a context variable, which the schema leaves untyped: a number is
 * the id written as the runtime writes it (`String(userId)`), so `erase --user 4242` finds an app's
 * numeric ids; anything else names no one.
 */
export function identifierOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/** Values shorter than this are words and numbers, not identifying; taking them out would garble messages. */
const shortestValueTakenOut = 3;

/**
 * The message with every whole occurrence of the values replaced by `[Filtered]` (whole: a value is
 * not taken out of the middle of a longer word, so `pro` leaves `processing` alone).
 */
export function withoutValues(message: string, values: readonly string[]): string {
  let result = message;
  for (const value of values) {
    if (value.length < shortestValueTakenOut || value === FILTERED || !result.includes(value)) continue;
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const start = /^\w/.test(value) ? '(?<!\\w)' : '';
    const end = /\w$/.test(value) ? '(?!\\w)' : '';
    result = result.replace(new RegExp(`${start}${escaped}${end}`, 'g'), FILTERED);
  }
  return result;
}

export function eventToRow(project: string, event: Envelope, receivedAt: number, scrubber: Scrubber): EventRow {
  // The person's identifiers, read before scrubbing: an id that looks like an email must still
  // tell people apart, and erasure must find it as the app sent it.
  const userId = event.userId ?? identifierOf(event.context.vars['userId']);
  const sessionId = event.sessionId ?? identifierOf(event.context.vars['sessionId']);
  scrubber.takeKeyedValues();
  const vars = scrubber.value(event.context.vars) as Record<string, unknown>;
  const error = event.error === undefined ? null : scrubber.value(event.error);
  const attributes = scrubber.value(event.attributes) as Record<string, unknown>;
  // Frames are the app's names and paths, which can carry a user's (a home directory, a route).
  const stack = scrubber.codeValue(event.context.stack) as unknown[];
  const alterationsBefore = scrubber.alterations;
  const args = scrubber.value(event.args) as unknown[];
  const argsScrubbed = scrubber.alterations !== alterationsBefore;
  // Values that key rules took out (of args, attributes, context or errors), wherever the template or
  // message still names them: a template literal logged without the transformer is its own template.
  const keyed = scrubber.takeKeyedValues();
  const template = withoutValues(scrubber.string(event.template), keyed);
  // The client's message was rendered from the args as they were: when scrubbing (here, or the
  // app's own redaction) changed an arg, the message is rendered again from the scrubbed template
  // and args, so what scrubbing took out of the args is not left in the message beside them.
  const rendered = event.message === undefined || argsScrubbed ? renderedFrom(template, args) : event.message;
  const message = withoutValues(scrubber.string(rendered), keyed);
  // Names, call sites and services are the app's code, scrubbed through the scrubber's memory of clean code strings.
  const optional = (value: string | undefined): string | null => (value === undefined ? null : scrubber.codeString(value));
  return {
    project,
    id: event.id,
    ts: event.ts,
    received_at: receivedAt,
    kind: event.kind,
    name: optional(event.name),
    severity: event.severity,
    severity_number: event.severityNumber,
    template,
    message,
    args,
    attributes,
    context_vars: vars,
    stack,
    experiments: experimentsOf(vars),
    // The person's identifiers are kept as sent: erasure and export find the person by them, and
    // only direct readers may see or filter them.
    user_id: userId,
    session_id: sessionId,
    module: optional(event.code?.module),
    file: optional(event.code?.file),
    line: event.code?.line ?? null,
    function_name: optional(event.code?.function),
    error_type: (error as { type?: string } | null)?.type ?? null,
    error,
    service: optional(event.service?.name),
    trace_id: event.traceId ?? text(attributes['trace_id']),
    span_id: event.spanId ?? text(attributes['span_id']),
  };
}
