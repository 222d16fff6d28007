/**
 * The storage contract every backend implements (DuckDB now, ClickHouse later). A resolved
 * `insert` means the rows are durable: the collector answers 2xx only after it. Rows whose
 * (project, id) is already stored are skipped, so a retried batch never counts twice.
 */
import type { EventRow } from './event-row.js';

export interface StoreStatistics {
  /** Events stored and queryable. */
  rows: number;
  /** Bytes the store occupies on disk. */
  bytes: number;
  /** Events acknowledged but not yet loaded into the queryable table. */
  pending: number;
  /** Journal segments set aside because they could not be loaded. */
  quarantined: number;
}

/** Told after each load: rows newly stored, and rows skipped as already stored. */
export type LoadListener = (stored: number, duplicates: number) => void;

export interface Store {
  /** Durably accepts rows; resolves once they survive a crash. */
  insert(rows: readonly EventRow[]): Promise<void>;
  /** Whether writes succeed now (for `/readyz`). */
  writable(): Promise<boolean>;
  statistics(): Promise<StoreStatistics>;
  /** Runs a read-only SQL query with positional parameters; sees every acknowledged row. */
  read(sql: string, parameters?: readonly (string | number | boolean | null)[]): Promise<Record<string, unknown>[]>;
  onLoad: LoadListener | undefined;
  close(): Promise<void>;
}
