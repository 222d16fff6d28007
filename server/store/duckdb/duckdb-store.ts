/**
 * The embedded default store: DuckDB in the data directory, fed through the ingest journal. An
 * insert is durable once its rows are synced to the journal; a loader moves sealed journal
 * segments into DuckDB in bulk every `loadInterval` milliseconds. Every read first loads what was
 * acknowledged before it, so queries always see every acknowledged event.
 */
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRow } from '../event-row.js';
import { IngestJournal, type Segment } from '../ingest-journal.js';
import type { LoadListener, Store, StoreStatistics } from '../store.js';
import type { Contribution } from '../../analytics/privacy-guard.js';
import type { EventQuery } from '../../analytics/query-model.js';
import type { ExperimentEvent, ExperimentQuery } from '../../analytics/experiment.js';
import type { FunnelEvent } from '../../analytics/funnel.js';
import type { FunnelQuery } from '../../analytics/funnel-model.js';
import type { TemplateQuery } from '../../analytics/template-view.js';
import { compileContributions, compileExperimentEvents, compileFunnelEvents, compileQuery, compileTemplateView } from './query-sql.js';
import { createEventsTable, loadSegment } from './schema.js';

export interface DuckDBStoreOptions {
  /** How often acknowledged rows are loaded into DuckDB, in milliseconds (default 250). */
  loadInterval?: number;
}

const attemptsBeforeQuarantine = 3;

export class DuckDBStore implements Store {
  #loading: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #failures = new Map<string, number>();
  #lastError: string | undefined;
  onLoad: LoadListener | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly journal: IngestJournal,
    private readonly file: string,
    private readonly journalDirectory: string,
    loadInterval: number,
  ) {
    this.#timer = setInterval(() => void this.load(), loadInterval);
    this.#timer.unref();
  }

  /** Opens (creating if needed) `DIRECTORY/events.duckdb` and `DIRECTORY/journal/`. */
  static async open(directory: string, options: DuckDBStoreOptions = {}): Promise<DuckDBStore> {
    mkdirSync(directory, { recursive: true });
    const file = join(directory, 'events.duckdb');
    const journalDirectory = join(directory, 'journal');
    mkdirSync(journalDirectory, { recursive: true });
    const instance = await DuckDBInstance.create(file);
    const writer = await instance.connect();
    await writer.run(createEventsTable);
    const reader = await instance.connect();
    const store = new DuckDBStore(instance, writer, reader, new IngestJournal(journalDirectory), file, journalDirectory, options.loadInterval ?? 250);
    await store.load();
    return store;
  }

  insert(rows: readonly EventRow[]): Promise<void> {
    return this.journal.append(rows.map((row) => JSON.stringify(row)));
  }

  /** Loads every segment sealed so far (and the one being written); runs one load at a time. */
  load(): Promise<void> {
    this.#loading = this.#loading.then(() => this.#loadSealed());
    return this.#loading;
  }

  async #loadSealed(): Promise<void> {
    const segments = await this.journal.seal();
    for (const segment of segments) {
      if (!(await this.#loadSegment(segment))) return;
    }
  }

  async #loadSegment(segment: Segment): Promise<boolean> {
    try {
      await this.writer.run('BEGIN TRANSACTION');
      const result = await this.writer.run(loadSegment(segment.path));
      await this.writer.run('COMMIT');
      const stored = Number(result.rowsChanged);
      const rows = segment.rows >= 0 ? segment.rows : stored;
      await this.journal.loaded(segment, rows);
      this.#failures.delete(segment.path);
      this.#lastError = undefined;
      this.onLoad?.(stored, Math.max(0, rows - stored));
      return true;
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      this.#lastError = (error as Error).message;
      const failures = (this.#failures.get(segment.path) ?? 0) + 1;
      this.#failures.set(segment.path, failures);
      process.stderr.write(`logmill store: loading ${segment.path} failed (${failures}): ${this.#lastError}\n`);
      if (failures >= attemptsBeforeQuarantine) {
        this.journal.quarantine(segment);
        this.#failures.delete(segment.path);
        return true;
      }
      return false;
    }
  }

  async writable(): Promise<boolean> {
    try {
      accessSync(this.journalDirectory, constants.W_OK);
      await this.writer.run('SELECT 1');
      return this.#lastError === undefined;
    } catch {
      return false;
    }
  }

  async statistics(): Promise<StoreStatistics> {
    const [row] = await this.read('SELECT count(*) AS rows FROM events');
    let bytes = 0;
    for (const path of [this.file, `${this.file}.wal`]) {
      try {
        bytes += statSync(path).size;
      } catch {
        // The WAL exists only between checkpoints.
      }
    }
    return { rows: Number(row?.['rows'] ?? 0), bytes, pending: this.journal.pendingRows, quarantined: this.journal.quarantined };
  }

  async read(sql: string, parameters: readonly (string | number | boolean | null)[] = []): Promise<Record<string, unknown>[]> {
    await this.load();
    const reader = await this.reader.runAndReadAll(sql, parameters as DuckDBValue[]);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  runQuery(project: string, query: EventQuery): Promise<Record<string, unknown>[]> {
    const { sql, parameters } = compileQuery(project, query);
    return this.read(sql, parameters);
  }

  async contributions(project: string, query: EventQuery, entity: string): Promise<Contribution[]> {
    const { sql, parameters } = compileContributions(project, query, entity);
    const rows = await this.read(sql, parameters);
    return rows.map((row) => ({
      labels: query.groupBy.map((_, index) => row[`d${index}`]),
      entity: String(row['entity']),
      events: Number(row['events']),
    }));
  }

  async funnelEvents(project: string, funnel: FunnelQuery, entity: string): Promise<FunnelEvent[]> {
    const { sql, parameters } = compileFunnelEvents(project, funnel, entity);
    const rows = await this.read(sql, parameters);
    return rows.map((row) => ({
      user: String(row['user_key']),
      time: Number(row['time']),
      steps: Number(row['steps']),
      exclusions: Number(row['exclusions']),
      breakdown: row['breakdown'] === null || row['breakdown'] === undefined ? null : String(row['breakdown']),
    }));
  }

  async experimentEvents(project: string, query: ExperimentQuery, entity: string): Promise<ExperimentEvent[]> {
    const { sql, parameters } = compileExperimentEvents(project, query, entity);
    const rows = await this.read(sql, parameters);
    return rows.map((row) => ({
      user: String(row['user_key']),
      time: Number(row['time']),
      exposure: row['exposure'] === true,
      variant: typeof row['variant'] === 'string' ? row['variant'] : null,
    }));
  }

  templateRows(project: string, query: TemplateQuery, perEntity: boolean, entity: string): Promise<Record<string, unknown>[]> {
    const { sql, parameters } = compileTemplateView(project, query, perEntity, entity);
    return this.read(sql, parameters);
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.journal.close();
    await this.load();
    this.writer.closeSync();
    this.reader.closeSync();
    this.instance.closeSync();
  }
}
