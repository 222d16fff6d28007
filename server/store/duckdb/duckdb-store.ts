/**
 * The embedded default store: one DuckDB database file in the data directory. Writes go through
 * group commit: the rows of every waiting request are appended to a staging table and moved into
 * `events` by one deduplicating INSERT in one transaction, whose commit (WAL written and synced)
 * happens before any of those requests is answered.
 */
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRow } from '../event-row.js';
import { GroupCommit } from '../group-commit.js';
import type { InsertResult, Store, StoreStatistics } from '../store.js';
import { createEventsTable, createStagingTable, insertStagedRows } from './schema.js';

export class DuckDBStore implements Store {
  readonly #writes: GroupCommit<EventRow, InsertResult>;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly file: string | undefined,
  ) {
    this.#writes = new GroupCommit((submissions) => this.#commit(submissions));
  }

  /** Opens (creating if needed) `DIRECTORY/events.duckdb`; without a directory, an in-memory store. */
  static async open(directory?: string): Promise<DuckDBStore> {
    let file: string | undefined;
    if (directory !== undefined) {
      mkdirSync(directory, { recursive: true });
      file = join(directory, 'events.duckdb');
    }
    const instance = await DuckDBInstance.create(file ?? ':memory:');
    const writer = await instance.connect();
    await writer.run(createEventsTable);
    await writer.run(createStagingTable);
    const reader = await instance.connect();
    return new DuckDBStore(instance, writer, reader, file);
  }

  insert(rows: readonly EventRow[]): Promise<InsertResult> {
    if (rows.length === 0) return Promise.resolve({ inserted: 0, duplicates: 0 });
    return this.#writes.submit(rows);
  }

  async #commit(submissions: readonly (readonly EventRow[])[]): Promise<InsertResult[]> {
    // Repeats inside one group (a client retrying while its first attempt is still waiting) are
    // dropped here; repeats of stored rows by the INSERT's anti-join.
    const seen = new Set<string>();
    const outcomes: InsertResult[] = [];
    let staged = 0;
    await this.writer.run('BEGIN TRANSACTION');
    try {
      const appender = await this.writer.createAppender('staging', null, 'temp');
      for (const rows of submissions) {
        let fresh = 0;
        for (const row of rows) {
          const key = `${row.project}\u0000${row.id}`;
          if (seen.has(key)) continue;
          seen.add(key);
          appendRow(appender, row);
          fresh++;
        }
        outcomes.push({ inserted: fresh, duplicates: rows.length - fresh });
        staged += fresh;
      }
      appender.closeSync();
      const result = await this.writer.run(insertStagedRows);
      await this.writer.run('DELETE FROM staging');
      await this.writer.run('COMMIT');
      // The anti-join reports only a total, so stored duplicates are attributed to submissions in
      // order; the totals (what metrics count) are exact.
      let storedDuplicates = staged - Number(result.rowsChanged);
      for (const outcome of outcomes) {
        const share = Math.min(storedDuplicates, outcome.inserted);
        outcome.inserted -= share;
        outcome.duplicates += share;
        storedDuplicates -= share;
      }
      return outcomes;
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      await this.writer.run('DELETE FROM staging').catch(() => undefined);
      throw error;
    }
  }

  async writable(): Promise<boolean> {
    try {
      await this.writer.run('CHECKPOINT');
      return true;
    } catch {
      return false;
    }
  }

  async statistics(): Promise<StoreStatistics> {
    const [row] = await this.read('SELECT count(*) AS rows FROM events');
    let bytes = 0;
    if (this.file !== undefined) {
      for (const path of [this.file, `${this.file}.wal`]) {
        try {
          bytes += statSync(path).size;
        } catch {
          // The WAL exists only between checkpoints.
        }
      }
    }
    return { rows: Number(row?.['rows'] ?? 0), bytes };
  }

  async read(sql: string, parameters: readonly (string | number | boolean | null)[] = []): Promise<Record<string, unknown>[]> {
    const reader = await this.reader.runAndReadAll(sql, parameters as DuckDBValue[]);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    this.writer.closeSync();
    this.reader.closeSync();
    this.instance.closeSync();
  }
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

function appendText(appender: Appender, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

function appendRow(appender: Appender, row: EventRow): void {
  appender.appendVarchar(row.project);
  appender.appendVarchar(row.id);
  appender.appendBigInt(BigInt(row.ts));
  appender.appendBigInt(BigInt(row.receivedAt));
  appender.appendVarchar(row.kind);
  appendText(appender, row.name);
  appender.appendVarchar(row.severity);
  appender.appendUTinyInt(row.severityNumber);
  appender.appendVarchar(row.template);
  appender.appendVarchar(row.message);
  appender.appendVarchar(row.args);
  appender.appendVarchar(row.attributes);
  appender.appendVarchar(row.contextVars);
  appender.appendVarchar(row.stack);
  appender.appendVarchar(row.experiments);
  appendText(appender, row.userId);
  appendText(appender, row.sessionId);
  appendText(appender, row.module);
  appendText(appender, row.file);
  if (row.line === null) appender.appendNull();
  else appender.appendInteger(row.line);
  appendText(appender, row.functionName);
  appendText(appender, row.errorType);
  appendText(appender, row.error);
  appendText(appender, row.service);
  appendText(appender, row.traceId);
  appendText(appender, row.spanId);
  appender.endRow();
}
