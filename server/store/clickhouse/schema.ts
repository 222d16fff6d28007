/**
 * ClickHouse's dialect for the events table, written for the oldest server Logmill supports
 * (18.16: no query parameters, no DateTime64, no JSON functions beyond visitParam*, no window
 * functions). Times are milliseconds in UInt64 with a Date for partitioning; JSON columns are
 * strings. `date` and `user_hash` are MATERIALIZED, computed by the server on every insert
 * (18.16 fills a DEFAULT column left out of JSONEachRow with zero, not its expression, which would
 * put every row in one partition). A ReplacingMergeTree ordered by (project, date, name, user hash,
 * id) merges duplicate ids eventually; every read deduplicates at query time with FINAL, so a
 * retried batch that landed on two collectors is counted once.
 */
import { createHash } from 'node:crypto';
import type { EventRow } from '../../domain/event-row.js';

/** The events table (`table`: `events` on one server, `events_local` on each node of a cluster). */
export function createEventsTable(database: string, table = 'events'): string {
  return `
CREATE TABLE IF NOT EXISTS ${database}.${table} (
  project String,
  id String,
  ts UInt64,
  date Date MATERIALIZED toDate(intDiv(ts, 1000)),
  received_at UInt64,
  kind String,
  name String,
  severity String,
  severity_number UInt8,
  template String,
  message String,
  args String,
  attributes String,
  context_vars String,
  stack String,
  experiments String,
  user_id Nullable(String),
  user_hash UInt64 MATERIALIZED halfMD5(ifNull(user_id, '')),
  session_id Nullable(String),
  module Nullable(String),
  file Nullable(String),
  line Nullable(Int32),
  function_name Nullable(String),
  error_type Nullable(String),
  error Nullable(String),
  service Nullable(String),
  trace_id Nullable(String),
  span_id Nullable(String)
) ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(date)
ORDER BY (project, date, name, user_hash, id)`;
}

/**
 * What is left of erased events (as in the embedded store): an MD5 of each one's project, id, user
 * and time, so that a copy a client sends again after the erasure is not stored again. A plain
 * MergeTree on each server (on a cluster, on every node, each holding all of them).
 */
export function createErasedEventsTable(database: string): string {
  return `CREATE TABLE IF NOT EXISTS ${database}.erased_events (digest String) ENGINE = MergeTree ORDER BY digest`;
}

/** The digest of a stored event as ClickHouse computes it: the same text `erasedDigestOf` hashes. */
export const erasedDigestSql = "lower(hex(MD5(concat(project, ':', id, ':', ifNull(user_id, ''), ':', toString(ts)))))";

/** The digest of a row about to be inserted. */
export function erasedDigestOf(row: EventRow): string {
  return createHash('md5').update(`${row.project}:${row.id}:${row.user_id ?? ''}:${row.ts}`).digest('hex');
}

/**
 * A value as a ClickHouse literal: the one place a value is spliced into ClickHouse SQL (18.16 has
 * no query parameters). Strings escape backslash and quote; numbers must be finite.
 */
export function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** An EventRow as the JSONEachRow line ClickHouse inserts (JSON columns as strings, name never null). */
export function clickHouseRow(row: EventRow): Record<string, unknown> {
  return {
    ...row,
    name: row.name ?? '',
    args: JSON.stringify(row.args),
    attributes: JSON.stringify(row.attributes),
    context_vars: JSON.stringify(row.context_vars),
    stack: JSON.stringify(row.stack),
    experiments: JSON.stringify(row.experiments),
    error: row.error === null || row.error === undefined ? null : JSON.stringify(row.error),
  };
}
