/**
 * The storage contract every backend implements (DuckDB now, ClickHouse later). A resolved
 * `insert` means the events are durable: the collector answers 2xx only after it.
 */
import type { EventRow } from './event-row.js';

export interface InsertResult {
  /** Events newly stored. */
  inserted: number;
  /** Events whose (project, id) was already stored, or repeated within the same write. */
  duplicates: number;
}

export interface StoreStatistics {
  rows: number;
  /** Bytes the store occupies on disk (0 for an in-memory store). */
  bytes: number;
}

export interface Store {
  /** Stores rows, skipping any whose (project, id) is already stored; durable when it resolves. */
  insert(rows: readonly EventRow[]): Promise<InsertResult>;
  /** Whether a write would succeed now (for `/readyz`). */
  writable(): Promise<boolean>;
  statistics(): Promise<StoreStatistics>;
  /** Runs a read-only SQL query with positional parameters; for analytics and tests. */
  read(sql: string, parameters?: readonly (string | number | boolean | null)[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
