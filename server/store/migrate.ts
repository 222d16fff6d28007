/**
 * Moving the events of an embedded store into ClickHouse: read in (project, id) order, a batch at a
 * time, inserted through `ClickHouseStore.insert` (which skips ids already there), with the last
 * id written to a cursor file after each batch. Stopping at any point and starting again resumes
 * after the cursor, and a batch repeated after a crash between insert and cursor write is skipped
 * id by id, so nothing is stored twice. At the end both sides are compared by count and checksum.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ClickHouseStore } from './clickhouse/clickhouse-store.js';
import type { DuckDBStore } from './duckdb/duckdb-store.js';
import type { EventRow } from '../domain/event-row.js';

export interface MigrationOptions {
  /** The DuckDB data directory (its cursor file is kept there, one per target). */
  source: string;
  /** The target's address, naming the cursor. */
  target: string;
  batchSize?: number;
  /** Stop after this many batches (to spread a migration over runs); it resumes where it stopped. */
  maxBatches?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface MigrationResult {
  /** Events read from the source in this run, and inserted (not already in the target). */
  read: number;
  inserted: number;
  finished: boolean;
  /** When finished: both sides' event counts and checksums, which must agree. */
  verified?: { count: number; checksum: string; targetCount: number; targetChecksum: string };
}

interface Cursor {
  project: string;
  id: string;
  done: number;
}

const columns = `project, id::VARCHAR AS id, epoch_ms(ts) AS ts, epoch_ms(received_at) AS received_at, kind, name, severity,
  severity_number, template, message, args::VARCHAR AS args, attributes::VARCHAR AS attributes, context_vars::VARCHAR AS context_vars,
  stack::VARCHAR AS stack, experiments::VARCHAR AS experiments, user_id, session_id, module, file, line, function_name, error_type,
  error::VARCHAR AS error, service, trace_id, span_id`;

function rowOf(row: Record<string, unknown>): EventRow {
  const json = (value: unknown) => (value === null || value === undefined ? null : JSON.parse(String(value)));
  return {
    ...(row as unknown as EventRow),
    ts: Number(row['ts']),
    received_at: Number(row['received_at']),
    severity_number: Number(row['severity_number']),
    line: row['line'] === null ? null : Number(row['line']),
    args: json(row['args']),
    attributes: json(row['attributes']),
    context_vars: json(row['context_vars']),
    stack: json(row['stack']),
    experiments: json(row['experiments']),
    error: json(row['error']),
  };
}

function cursorFile(options: MigrationOptions): string {
  const target = createHash('sha256').update(options.target).digest('hex').slice(0, 12);
  return join(options.source, `migrate-${target}.json`);
}

export async function migrate(source: DuckDBStore, target: ClickHouseStore, options: MigrationOptions): Promise<MigrationResult> {
  const batchSize = options.batchSize ?? 5000;
  const file = cursorFile(options);
  let cursor: Cursor | undefined = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Cursor) : undefined;
  const [counted] = await source.read('SELECT count(*) AS n FROM events');
  const total = Number(counted?.['n'] ?? 0);
  const result: MigrationResult = { read: 0, inserted: 0, finished: false };
  let batches = 0;
  const before = target.onLoad;
  target.onLoad = (stored) => (result.inserted += stored);
  try {
    for (;;) {
      if (options.maxBatches !== undefined && batches >= options.maxBatches) return result;
      const rows = cursor === undefined
        ? await source.read(`SELECT ${columns} FROM events ORDER BY project, id LIMIT ?`, [batchSize])
        : await source.read(`SELECT ${columns} FROM events WHERE project > ? OR (project = ? AND id > ?::UUID) ORDER BY project, id LIMIT ?`, [cursor.project, cursor.project, cursor.id, batchSize]);
      if (rows.length === 0) break;
      await target.insert(rows.map(rowOf));
      const last = rows[rows.length - 1]!;
      cursor = { project: String(last['project']), id: String(last['id']), done: (cursor?.done ?? 0) + rows.length };
      // Written to a temporary file and renamed, so a crash never leaves half a cursor.
      writeFileSync(`${file}.tmp`, JSON.stringify(cursor));
      renameSync(`${file}.tmp`, file);
      result.read += rows.length;
      batches++;
      options.onProgress?.(cursor.done, total);
    }
  } finally {
    target.onLoad = before;
  }
  result.finished = true;
  const [sourceSum] = await source.read(`SELECT count(*) AS n, coalesce(bit_xor(('0x' || left(md5(project || '/' || id::VARCHAR), 16))::UBIGINT), 0)::VARCHAR AS checksum FROM events`);
  const [targetSum] = await target.read("SELECT count() AS n, toString(groupBitXor(halfMD5(concat(project, '/', id)))) AS checksum FROM events FINAL");
  result.verified = {
    count: Number(sourceSum?.['n'] ?? 0),
    checksum: String(sourceSum?.['checksum'] ?? '0'),
    targetCount: Number(targetSum?.['n'] ?? 0),
    targetChecksum: String(targetSum?.['checksum'] ?? '0'),
  };
  return result;
}
