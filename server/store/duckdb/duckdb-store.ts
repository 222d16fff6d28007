/**
 * The embedded default store: DuckDB in the data directory, fed through the ingest journal. An
 * insert is durable once its rows are synced to the journal; a loader moves sealed journal
 * segments into DuckDB in bulk every `loadInterval` milliseconds. Every read first loads what was
 * acknowledged before it, so queries always see every acknowledged event.
 */
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { accessSync, constants, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRow } from '../event-row.js';
import { type GroupStatisticsOptions, type GroupStatisticsRow, experimentEventOf, funnelCellOf, funnelEventOf, groupStatisticsOf } from '../row-mapping.js';
import { IngestJournal, type Segment } from '../ingest-journal.js';
import type { LoadListener, Store, StoreStatistics } from '../store.js';
import type { EventQuery } from '../../analytics/query-model.js';
import type { ExperimentEvent, ExperimentQuery } from '../../analytics/experiment.js';
import type { FunnelCell, FunnelEvent } from '../../analytics/funnel.js';
import type { FunnelQuery } from '../../analytics/funnel-model.js';
import type { TemplateQuery } from '../../analytics/template-view.js';
import {
  compileExperimentEvents, compileFunnelEvents, compileJourney, compileGroupStatistics, compileQuery, compileSequentialFunnelCells, compileTemplateView,
} from './query-sql.js';
import { createEventsTable, loadSegment, sqlString } from './schema.js';

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
    // Replaced when an erasure rewrites the database file.
    private instance: DuckDBInstance,
    private writer: DuckDBConnection,
    private reader: DuckDBConnection,
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
    return this.#serialize(() => this.#loadSealed());
  }

  /** Runs `task` after every load, erasure and deletion before it; a failure does not stop later ones. */
  #serialize<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#loading.then(task);
    this.#loading = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
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

  async event(project: string, id: string): Promise<Record<string, unknown> | undefined> {
    const [row] = await this.read('SELECT * FROM events WHERE project = ? AND id = ?::UUID', [project, id.toLowerCase()]);
    return row;
  }

  entityEvents(project: string, entity: string, value: string): Promise<Record<string, unknown>[]> {
    return this.read(`SELECT * FROM events WHERE project = ? AND "${entity}" = ? ORDER BY ts, id`, [project, value]);
  }

  runQuery(project: string, query: EventQuery): Promise<Record<string, unknown>[]> {
    const { sql, parameters } = compileQuery(project, query);
    return this.read(sql, parameters);
  }


  async funnelEvents(project: string, funnel: FunnelQuery, entity: string): Promise<FunnelEvent[]> {
    const { sql, parameters } = compileFunnelEvents(project, funnel, entity);
    return (await this.read(sql, parameters)).map(funnelEventOf);
  }

  journey(project: string, eventId: string, around: number, entity: string): Promise<Record<string, unknown>[]> {
    const { sql, parameters } = compileJourney(project, eventId, around, entity);
    return this.read(sql, parameters);
  }

  async sequentialFunnelCells(project: string, funnel: FunnelQuery, entity: string): Promise<FunnelCell[]> {
    const { sql, parameters } = compileSequentialFunnelCells(project, funnel, entity);
    return (await this.read(sql, parameters)).map(funnelCellOf);
  }

  async experimentEvents(project: string, query: ExperimentQuery, entity: string): Promise<ExperimentEvent[]> {
    const { sql, parameters } = compileExperimentEvents(project, query, entity);
    return (await this.read(sql, parameters)).map(experimentEventOf);
  }

  templateRows(project: string, query: TemplateQuery, entity: string): Promise<Record<string, unknown>[]> {
    const { sql, parameters } = compileTemplateView(project, query, entity);
    return this.read(sql, parameters);
  }

  /**
   * Erases every event of one entity (a user) so that no byte of it stays on disk: loads what is
   * journaled, copies every other row into a fresh database file, swaps the files, and filters
   * quarantined journal segments. Returns the number of events erased.
   */
  eraseEntity(project: string, entity: string, value: string): Promise<number> {
    let erased = 0;
    const run = async (): Promise<void> => {
      await this.#loadSealed();
      const match = `project = ? AND "${entity}" = ?`;
      const counted = await this.reader.runAndReadAll(`SELECT count(*) AS n FROM events WHERE ${match}`, [project, value]);
      erased = Number((counted.getRowObjectsJson()[0] as { n: string }).n);
      this.#filterQuarantine(project, entity, value);
      if (erased === 0) return;
      const fresh = `${this.file}.rewrite`;
      rmSync(fresh, { force: true });
      rmSync(`${fresh}.wal`, { force: true });
      await this.writer.run(`ATTACH ${sqlString(fresh)} AS fresh`);
      await this.writer.run(createEventsTable.replace('CREATE TABLE IF NOT EXISTS events', 'CREATE TABLE fresh.events'));
      await this.writer.run(`INSERT INTO fresh.events SELECT * FROM events WHERE NOT (${match}) ORDER BY received_at`, [project, value]);
      await this.writer.run('DETACH fresh');
      this.writer.closeSync();
      this.reader.closeSync();
      this.instance.closeSync();
      renameSync(fresh, this.file);
      rmSync(`${this.file}.wal`, { force: true });
      this.instance = await DuckDBInstance.create(this.file);
      this.writer = await this.instance.connect();
      this.reader = await this.instance.connect();
    };
    return this.#serialize(run).then(() => erased);
  }

  /** Quarantined segments keep only what cannot be loaded; the erased entity's lines go. */
  #filterQuarantine(project: string, entity: string, value: string): void {
    const directory = join(this.journalDirectory, 'quarantine');
    for (const file of readdirSync(directory)) {
      const path = join(directory, file);
      const lines = readFileSync(path, 'utf8').split('\n');
      const kept = lines.filter((line) => {
        try {
          const row = JSON.parse(line) as Record<string, unknown>;
          return !(row['project'] === project && row[entity] === value);
        } catch {
          // An unreadable line cannot be attributed; if it names the value at all, it goes.
          return !line.includes(value);
        }
      });
      if (kept.length !== lines.length) writeFileSync(path, kept.join('\n'));
    }
  }

  /** Deletes events older than `cutoff` (ms), optionally only those with one name; returns how many. */
  deleteOlderThan(cutoff: number, name?: string, except: readonly string[] = []): Promise<number> {
    let deleted = 0;
    const run = async (): Promise<void> => {
      await this.#loadSealed();
      const conditions = ['ts < epoch_ms(?::BIGINT)'];
      const parameters: (string | number)[] = [cutoff];
      if (name !== undefined) {
        conditions.push('name = ?');
        parameters.push(name);
      }
      for (const kept of except) {
        conditions.push('name IS DISTINCT FROM ?');
        parameters.push(kept);
      }
      const result = await this.writer.run(`DELETE FROM events WHERE ${conditions.join(' AND ')}`, parameters);
      deleted = Number(result.rowsChanged);
      if (deleted > 0) await this.writer.run('CHECKPOINT');
    };
    return this.#serialize(run).then(() => deleted);
  }

  async groupStatistics(project: string, query: EventQuery, entity: string, options: GroupStatisticsOptions = {}): Promise<GroupStatisticsRow[]> {
    const { sql, parameters } = compileGroupStatistics(project, query, entity, options);
    return (await this.read(sql, parameters)).map((row) => groupStatisticsOf(row, query, options));
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
