/**
 * A validated envelope → the columns the store keeps. Scrubbing happens here, on the fields that
 * carry application data, so nothing unscrubbed reaches a row.
 */
import { formatPercent } from 'logmill';
import type { EventRow } from '../store/event-row.js';
import type { Scrubber } from './scrub.js';

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

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function eventToRow(project: string, event: Envelope, receivedAt: number, scrubber: Scrubber): EventRow {
  const vars = scrubber.value(event.context.vars) as Record<string, unknown>;
  const error = event.error === undefined ? null : scrubber.value(event.error);
  const attributes = scrubber.value(event.attributes) as Record<string, unknown>;
  const args = scrubber.value(event.args) as unknown[];
  // Rendered from the scrubbed args, so what scrubbing removed from them stays out of the message.
  const message = event.message ?? formatPercent(event.template, args.length === 1 && isPlainObject(args[0]) ? args[0] : args);
  return {
    project,
    id: event.id,
    ts: event.ts,
    received_at: receivedAt,
    kind: event.kind,
    name: event.name ?? null,
    severity: event.severity,
    severity_number: event.severityNumber,
    template: event.template,
    message: scrubber.string(message),
    args,
    attributes,
    context_vars: vars,
    stack: event.context.stack,
    experiments: experimentsOf(vars),
    user_id: event.userId ?? text(vars['userId']),
    session_id: event.sessionId ?? text(vars['sessionId']),
    module: event.code?.module ?? null,
    file: event.code?.file ?? null,
    line: event.code?.line ?? null,
    function_name: event.code?.function ?? null,
    error_type: (error as { type?: string } | null)?.type ?? null,
    error,
    service: event.service?.name ?? null,
    trace_id: event.traceId ?? text(attributes['trace_id']),
    span_id: event.spanId ?? text(attributes['span_id']),
  };
}
