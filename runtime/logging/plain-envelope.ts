/**
 * The event envelope as one JSON line, built in one expression with nothing cached: the same line
 * `writeEnvelope` writes, for pages. A page logs a few events a second, so the caches that keep
 * Node's NDJSON sink level with pino would buy a page nothing and cost it about 300 bytes
 * (min+gzip) of the size budget. A test holds the two to the same output.
 */
import { loggingState } from './configure.js';
import { type LogmillEvent, SCHEMA_VERSION } from './event.js';
import { toJson } from './serialize.js';

/** `,"name":json`, or nothing when there is no value (JSON.stringify(undefined) is undefined). */
const field = (name: string, json: string | false | undefined): string => (json ? `,"${name}":${json}` : '');

/** Serializes `event` as one line of JSON (no trailing newline), with no caches. */
export function plainEnvelopeJson(event: LogmillEvent): string {
  const redactor = loggingState.redactor;
  const code = event.code;
  const trace = event.trace;
  const error = event.error;
  const service = loggingState.service;
  return (
    `{"id":"${event.id}","ts":${event.ts},"kind":"${event.kind}","severity":"${event.severity}","severityNumber":${event.severityNumber}` +
    field('name', event.kind === 'event' && JSON.stringify(event.name)) +
    field('template', toJson(event.template)) +
    field('args', toJson(event.args, redactor)) +
    field('message', event.messageRendered && toJson(event.message)) +
    field('formatError', JSON.stringify(event.formatError)) +
    field('attributes', toJson(event.attributes, redactor)) +
    field('context', toJson(event.context, redactor)) +
    field('userId', JSON.stringify(event.userId)) +
    field('sessionId', JSON.stringify(event.sessionId)) +
    (trace ? `,"traceId":"${trace.traceId}","spanId":"${trace.spanId}"` : '') +
    field('code', code && toJson({ module: code.module, file: code.file, line: code.line, column: code.column, function: code.function })) +
    field('error', error && toJson(error, redactor)) +
    field('service', service && toJson(service)) +
    `,"schemaVersion":${SCHEMA_VERSION}}`
  );
}
