/**
 * A request body → the events it carries. A JSON array, a single JSON object, or NDJSON (one
 * event per line; a bad line is refused on its own and the other lines still count).
 */
import { ClientError } from './client-error.js';
import type { EventProblem } from './limits.js';
import type { RawBody } from './request-body.js';

export interface ParsedBatch {
  /** Parsed items by position; `undefined` where the line did not parse. */
  items: unknown[];
  /** Problems found while parsing, by item index. */
  problems: Map<number, EventProblem>;
  /**
   * Whether every string in the items is known to be well-formed UTF-16: the body was decoded as
   * strict UTF-8, which yields no lone surrogate, and holds no `\u` escape that could write one.
   */
  wellFormed: boolean;
}

function parseLines(text: string, maxEvents: number): ParsedBatch {
  const items: unknown[] = [];
  const problems = new Map<number, EventProblem>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    if (items.length >= maxEvents) throw tooManyEvents(maxEvents);
    try {
      items.push(JSON.parse(line));
    } catch (error) {
      problems.set(items.length, { reason: 'invalid_json', message: `line is not JSON: ${(error as Error).message}`, path: '' });
      items.push(undefined);
    }
  }
  return { items, problems, wellFormed: !text.includes('\\u') };
}

function tooManyEvents(maxEvents: number): ClientError {
  return new ClientError(413, 'too_many_events', `a batch may carry at most ${maxEvents} events`);
}

export function parseBatch(body: RawBody | undefined, maxEvents: number): ParsedBatch {
  if (body === undefined || body.text.trim() === '') throw new ClientError(400, 'empty_body', 'the body carries no events');
  if (body.ndjson) return parseLines(body.text, maxEvents);
  let value: unknown;
  try {
    value = JSON.parse(body.text);
  } catch (error) {
    // Undeclared NDJSON (beacons are text/plain) still parses line by line.
    if (body.text.trimStart().startsWith('{') && body.text.includes('\n')) return parseLines(body.text, maxEvents);
    throw new ClientError(400, 'invalid_json', `the body is not JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new ClientError(400, 'empty_body', 'the batch is an empty array');
    if (value.length > maxEvents) throw tooManyEvents(maxEvents);
    return { items: value, problems: new Map(), wellFormed: !body.text.includes('\\u') };
  }
  if (typeof value === 'object' && value !== null) return { items: [value], problems: new Map(), wellFormed: !body.text.includes('\\u') };
  throw new ClientError(400, 'not_a_batch', 'the body must be an event, an array of events, or NDJSON');
}
