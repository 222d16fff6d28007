/**
 * A person's data as a portable document (GDPR article 20: structured, commonly used,
 * machine-readable): every event with its JSON columns as JSON values, not JSON text inside
 * strings, and its times in ISO 8601 with the zone (UTC), whichever store answered and in whatever
 * form its driver gave them (a DuckDB `TIMESTAMP` string, ClickHouse text, a journal line's epoch
 * milliseconds for a dead letter).
 */
import { eventColumns } from '../domain/event-row.js';

export interface UserExport {
  user: string;
  /** The project exported; `*` for an export of several projects (each event names its own). */
  project: string;
  exportedAt: string;
  /** How many events follow (stored ones and dead letters). */
  count: number;
  events: Record<string, unknown>[];
}

const jsonColumns = new Set(Object.entries(eventColumns).filter(([, type]) => type === 'json').map(([name]) => name));
const timeColumns = new Set(Object.entries(eventColumns).filter(([, type]) => type === 'time').map(([name]) => name));

/** `2026-12-07 06:48:56.459` (a zone-less UTC timestamp), epoch milliseconds, or ISO text → ISO 8601 UTC. */
export function isoTime(value: unknown): unknown {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const date = new Date(Number(value));
    return Number.isNaN(date.getTime()) ? value : date.toISOString();
  }
  if (typeof value !== 'string') return value;
  const zoneless = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(value);
  const date = new Date(zoneless === null ? value : `${zoneless[1]}T${zoneless[2]}Z`);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

function parsedJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** One stored row with its JSON columns (args, attributes, context, error…) as JSON values, not JSON text. */
export function withJsonValues(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, jsonColumns.has(column) ? parsedJson(value) : value]));
}

/** One stored row (or dead letter) as portable JSON: JSON columns parsed, times in ISO 8601 UTC. */
export function portableEvent(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [column, jsonColumns.has(column) ? parsedJson(value) : timeColumns.has(column) ? isoTime(value) : value]),
  );
}

export function userExport(project: string, user: string, rows: readonly Record<string, unknown>[], now = new Date()): UserExport {
  const events = rows.map(portableEvent);
  return { user, project, exportedAt: now.toISOString(), count: events.length, events };
}
