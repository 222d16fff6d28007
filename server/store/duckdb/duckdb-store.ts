/**
 * The embedded default store: DuckDB in the data directory, fed through the ingest journal. An
 * insert is durable once its rows are synced to the journal; a loader moves sealed journal
 * segments into DuckDB in bulk every `loadInterval` milliseconds, or sooner once `loadRows` rows
 * wait. Every read first loads what was acknowledged before it, so queries always see every
 * acknowledged event.
 */
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { accessSync, chmodSync, closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventRow } from '../../domain/event-row.js';
import { type GroupStatisticsOptions, type GroupStatisticsRow, experimentEventOf, funnelCellOf, funnelEventOf, groupStatisticsOf } from '../row-mapping.js';
import { type DeadLetter, DeadLetters, rowOf } from '../dead-letters.js';
import { isPersonRow, sessionsOf } from '../person-events.js';
import { IngestJournal, type Segment } from '../ingest-journal.js';
import { type FailureKind, loadBySplitting } from '../split-load.js';
import type { LoadListener, RetentionRule, StatisticsSession, Store, StoreStatistics } from '../store.js';
import type { EventQuery } from '../../domain/query-model.js';
import type { ExperimentEvent, ExperimentQuery } from '../../domain/experiment-model.js';
import { type FunnelCell, type FunnelCellsAndWhole, type FunnelEvent, type FunnelQuery, cellsAndWholeEach } from '../../domain/funnel-model.js';
import type { TemplateQuery } from '../../domain/template-view.js';
import {
  compileExperimentEvents, compileFunnelEvents, compileJourney, compileGroupStatistics, compileQuery, compileSequentialFunnelCells, compileTemplateView,
} from './query-sql.js';
import { createErasedEventsTable, createEventsTable, dropErasedFromStage, dropRepeatsFromStage, dropStoredFromStage, erasedDigestsOf, insertStaged, repeatsInStage, segmentIdRange, segmentTable, sqlString, stageSegment, stagedForLayouts, storedInStage } from './schema.js';
import { compileRollupGroupStatistics, compileRollupQuery, compileRollupVariantStatistics } from './rollup-sql.js';
import { funnelCellsFromLayout, layoutServesFunnel } from './funnel-layout.js';
import { SeriesParts } from './series-parts.js';
import { addLayoutRows, compactUserEvents, compactionDue, createLayoutTables, deriveLayouts, layoutTables, layoutsVersion, recentUserEvents } from './derived-layouts.js';

export interface DuckDBStoreOptions {
  /** How often acknowledged rows are loaded into DuckDB, in milliseconds (default 1000). */
  loadInterval?: number;
  /**
   * Rows waiting that start a load before the interval is up (default 100,000). A load has a
   * fixed cost (its statements, the layouts' merge of the hours it touches, the WAL's sync) that
   * large loads share: loads of 100,000 rows cost about 0.6–0.7x the CPU per event of
   * loads of 20,000 (what a 250 ms interval gave at 80,000 events/s).
   */
  loadRows?: number;
  /** Rows loads append to the user-events layout before it is sorted again with them (default 50,000; see derived-layouts.ts). */
  layoutMergeRows?: number;
}

/**
 * Whose fault a DuckDB error is (see split-load.ts): the row's (a value the column cannot hold, a
 * malformed line), the store's (disk, permissions, its state, or the load statement itself: such a
 * failure keeps the segment and makes the store unready), or not known from the message.
 */
function failureKind(error: unknown): FailureKind {
  const message = error instanceof Error ? error.message : String(error);
  if (/^(Conversion|Invalid Input|Constraint|Out of Range|Mismatch Type) Error/i.test(message)) return 'row';
  if (/^(IO|Permission|FATAL|Connection|Catalog|Binder|Parser|TransactionContext|Dependency) Error/i.test(message)) return 'store';
  return 'unknown';
}

/**
 * The database's settings. DuckDB checkpoints when its WAL passes `checkpoint_threshold`, and each
 * checkpoint rewrites the partly filled last row group too: at the default 16 MB a stream of loads
 * spent about 40% of the loader's CPU in checkpoints, at 64 MB about 7.5 µs per event in all against
 * 12.8 (same run, 800,000 events in segments of 20,000). The WAL is durable either way, and the
 * journal is deleted only after a load commits.
 */
const instanceOptions = { checkpoint_threshold: '64MB' };

/** Ids of a segment already stored, compared by content this many at a time (see dropStoredFromStage). */
const storedIdsPerStatement = 256;

/** The SQL condition for a person's events: theirs by entity, or anonymous in one of their sessions. */
function personCondition(project: string, entity: string, value: string, sessions: readonly string[]): { condition: string; parameters: string[] } {
  const own = `"${entity}" IS NOT DISTINCT FROM ?`;
  if (sessions.length === 0) return { condition: `project = ? AND ${own}`, parameters: [project, value] };
  const anonymous = `("${entity}" IS NULL AND session_id IN (${sessions.map(() => '?').join(', ')}))`;
  return { condition: `project = ? AND (${own} OR ${anonymous})`, parameters: [project, value, ...sessions] };
}

export class DuckDBStore implements Store {
  #loading: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #failures = 0;
  #lastError: string | undefined;
  onLoad: LoadListener | undefined;
  /** Told how many rows became dead letters in one load. */
  onDeadLetters: ((rows: number) => void) | undefined;
  readonly deadLetters: DeadLetters;

  private constructor(
    // Replaced when an erasure rewrites the database file.
    private instance: DuckDBInstance,
    private writer: DuckDBConnection,
    private reader: DuckDBConnection,
    private readonly journal: IngestJournal,
    private readonly file: string,
    private readonly journalDirectory: string,
    deadLetterFile: string,
    loadInterval: number,
    private readonly loadRows: number,
    private readonly layoutMergeRows: number,
  ) {
    this.deadLetters = new DeadLetters(deadLetterFile);
    this.#timer = setInterval(() => void this.load(), loadInterval);
    this.#timer.unref();
  }

  /** Opens (creating if needed) `DIRECTORY/events.duckdb` and `DIRECTORY/journal/`. */
  static async open(directory: string, options: DuckDBStoreOptions = {}): Promise<DuckDBStore> {
    // Events are personal data: the directories and files are the collector's user's alone.
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const file = join(directory, 'events.duckdb');
    const journalDirectory = join(directory, 'journal');
    mkdirSync(journalDirectory, { recursive: true, mode: 0o700 });
    const instance = await DuckDBInstance.create(file, instanceOptions);
    // A rewrite cut short by a crash: the old file is still the database. Removed only once the
    // lock is ours: before, a second start on a directory a running collector holds would delete
    // the file that collector is rewriting, and fail on the lock only afterwards.
    rmSync(`${file}.rewrite`, { force: true });
    rmSync(`${file}.rewrite.wal`, { force: true });
    chmodSync(file, 0o600);
    const writer = await instance.connect();
    await writer.run(createEventsTable);
    await writer.run(createErasedEventsTable);
    await DuckDBStore.#prepareLayouts(writer);
    const reader = await instance.connect();
    const store = new DuckDBStore(instance, writer, reader, new IngestJournal(journalDirectory), file, journalDirectory, join(directory, 'dead-letters.ndjson'), options.loadInterval ?? 1000, options.loadRows ?? 100_000, options.layoutMergeRows ?? 50_000);
    await store.load();
    return store;
  }

  /** Creates the derived layouts, and derives them from \`events\` when they are missing or of another version. */
  static async #prepareLayouts(writer: DuckDBConnection): Promise<void> {
    for (const statement of createLayoutTables) await writer.run(statement);
    const [row] = (await writer.runAndReadAll('SELECT max(version) AS version FROM layouts_version')).getRowObjectsJson();
    if (row?.['version'] === layoutsVersion) return;
    await writer.run('BEGIN TRANSACTION');
    try {
      // Another version's tables may have other columns: they are made again.
      for (const table of layoutTables) await writer.run(`DROP TABLE IF EXISTS ${table}`);
      for (const statement of createLayoutTables) await writer.run(statement);
      for (const statement of deriveLayouts()) await writer.run(statement);
      await writer.run('COMMIT');
    } catch (error) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * Not an async function: one would keep `rows` (every parsed event of the batch) in its suspended
   * frame while the journal syncs, and under load most batches are waiting, so the young generation
   * copied and promoted them all. The rows are encoded into the journal's buffer here and dropped.
   */
  insert(rows: readonly EventRow[]): Promise<void> {
    return this.journal.append(rows.map((row) => JSON.stringify(row))).then(() => this.#loadIfDue());
  }

  /** Starts a load once enough rows wait, unless one they started is still running. */
  #loadIfDue(): void {
    if (this.journal.pendingRows >= this.loadRows && !this.#loadWaiting) {
      this.#loadWaiting = true;
      const done = (): void => {
        this.#loadWaiting = false;
      };
      void this.load().then(done, done);
    }
  }

  /** A load started by the rows waiting has not finished: more inserts do not queue another. */
  #loadWaiting = false;

  /** Loads every segment sealed so far (and the one being written); runs one load at a time. */
  load(): Promise<void> {
    return this.#serialize(() => this.#loadSealed()).then(() => undefined);
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

  /** Loads every sealed segment; false when the store failed and some segment is still waiting. */
  async #loadSealed(): Promise<boolean> {
    const segments = await this.journal.seal();
    for (const segment of segments) {
      if (!(await this.#loadSegment(segment))) return false;
    }
    if (segments.length > 0) await this.#compactIfDue();
    return true;
  }

  /** Merges the user events appended by loads into the sorted layout once they are many (derived-layouts.ts). */
  async #compactIfDue(): Promise<void> {
    const [counts] = (await this.writer.runAndReadAll(recentUserEvents)).getRowObjectsJson();
    if (!compactionDue(Number(counts?.['recent'] ?? 0), Number(counts?.['sorted'] ?? 0), this.layoutMergeRows)) return;
    try {
      await this.writer.run('BEGIN TRANSACTION');
      for (const statement of compactUserEvents) await this.writer.run(statement);
      await this.writer.run('COMMIT');
    } catch (error) {
      // The layout stays correct unmerged: reads merge the appended rows themselves.
      await this.writer.run('ROLLBACK').catch(() => undefined);
      process.stderr.write(`logmill store: merging the user events layout failed: ${(error as Error).message}\n`);
    }
  }

  /** Loads everything journaled, or throws: erasure and retention must not leave rows behind in the journal. */
  async #loadAllOrThrow(): Promise<void> {
    if (!(await this.#loadSealed())) throw new Error(`the journal could not be loaded (${this.#lastError ?? 'unknown error'}); nothing was removed`);
  }

  async #loadSegment(segment: Segment): Promise<boolean> {
    try {
      let stored: number;
      let dead = 0;
      try {
        stored = await this.#loadFile(segment.path);
      } catch (error) {
        if (failureKind(error) === 'store') throw error;
        // Some row of the segment cannot be stored: split it down to the rows that fail, load
        // every other row, and keep the failing ones as dead letters (synced before the segment goes).
        ({ stored, dead } = await this.#loadSplit(segment.path, error));
      }
      const rows = segment.rows >= 0 ? segment.rows : stored + dead;
      await this.journal.loaded(segment, rows);
      this.#failures = 0;
      this.#lastError = undefined;
      this.onLoad?.(stored, Math.max(0, rows - stored - dead));
      return true;
    } catch (error) {
      // The store itself failed (disk, memory): the segment stays and is loaded again later.
      this.#lastError = (error as Error).message;
      this.#failures++;
      process.stderr.write(`logmill store: loading ${segment.path} failed (${this.#failures}): ${this.#lastError}\n`);
      return false;
    }
  }

  /**
   * Loads one NDJSON file in a transaction; returns the rows newly stored. The load runs on one
   * DuckDB thread: it shares the machine with the collector's own thread, and DuckDB's parallel
   * insert of a segment cost about 1.5x the CPU per event of a single thread (17 against 12 µs
   * in bench/ingest's loader measurement) without finishing sooner. Reads get every thread back after.
   */
  async #loadFile(path: string): Promise<number> {
    try {
      await this.writer.run('SET threads = 1');
      await this.writer.run('BEGIN TRANSACTION');
      await this.writer.run(stageSegment(path));
      if (await this.#anyErased()) await this.writer.run(dropErasedFromStage);
      if ((await this.#count(repeatsInStage)) > 0) await this.writer.run(dropRepeatsFromStage);
      const [range] = (await this.writer.runAndReadAll(segmentIdRange)).getRowObjects();
      const low = range?.['low'];
      const high = range?.['high'];
      let stored = 0;
      // An empty segment has no range and nothing to insert.
      if (typeof low === 'string' && typeof high === 'string') {
        const already = ((await this.writer.runAndReadAll(storedInStage(low, high))).getRowObjectsJson() as { id: string }[]).map((row) => row.id);
        for (let start = 0; start < already.length; start += storedIdsPerStatement) await this.writer.run(dropStoredFromStage(already.slice(start, start + storedIdsPerStatement)));
        stored = Number((await this.writer.run(insertStaged)).rowsChanged);
        if (stored > 0) for (const statement of addLayoutRows(stagedForLayouts)) await this.writer.run(statement);
      }
      await this.writer.run(`DROP TABLE ${segmentTable}`);
      await this.writer.run('COMMIT');
      return stored;
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await this.writer.run('RESET threads').catch(() => undefined);
    }
  }

  #erased: boolean | undefined;

  /** Whether any event was ever erased (known after the first load asks): most stores have none to look up. */
  async #anyErased(): Promise<boolean> {
    this.#erased ??= (await this.#count('SELECT count(*) AS n FROM (SELECT 1 FROM erased_events LIMIT 1)')) > 0;
    return this.#erased;
  }

  /** The \`n\` of a one-row count on the writer (inside the load's transaction). */
  async #count(sql: string): Promise<number> {
    const [row] = (await this.writer.runAndReadAll(sql)).getRowObjectsJson() as { n?: unknown }[];
    return Number(row?.n ?? 0);
  }

  /**
   * Loads a segment that failed as a whole by halves (see split-load.ts); the rows that still fail
   * alone become dead letters. Parts that load are committed as they go: a crash meanwhile leaves
   * the segment, and loading it again skips the ids already stored.
   */
  async #loadSplit(path: string, error: unknown): Promise<{ stored: number; dead: number }> {
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
    const part = `${path}.part`;
    const loadPart = (from: number, to: number): Promise<number> => {
      writeFileSync(part, to > from ? `${lines.slice(from, to).join('\n')}\n` : '');
      return this.#loadFile(part);
    };
    // Seen to work: the load statement runs (on no rows) and a checkpoint reaches the disk.
    const storeWorks = async (): Promise<boolean> => {
      try {
        await loadPart(0, 0);
        await this.writer.run('CHECKPOINT');
        return true;
      } catch {
        return false;
      }
    };
    let outcome;
    try {
      outcome = await loadBySplitting(lines.length, error, loadPart, failureKind, storeWorks);
    } finally {
      rmSync(part, { force: true });
    }
    const dead: DeadLetter[] = outcome.failed.map(({ index, error: failure }) => ({
      at: new Date().toISOString(),
      error: (failure instanceof Error ? failure.message : String(failure)).split('\n')[0]!.replaceAll(part, path),
      line: lines[index]!,
    }));
    this.deadLetters.append(dead);
    // The count only: DuckDB's message quotes the row's values, and the collector's log outlives an
    // erasure (the dead letter keeps the message, and goes with the person).
    if (dead.length > 0) process.stderr.write(`logmill store: ${dead.length} ${dead.length === 1 ? 'row' : 'rows'} of ${path} cannot be stored and ${dead.length === 1 ? 'was' : 'were'} kept as dead letters (logmill dead-letters list says why)\n`);
    this.onDeadLetters?.(dead.length);
    return { stored: outcome.stored, dead: dead.length };
  }

  /** Dead letters, oldest first. */
  async listDeadLetters(): Promise<DeadLetter[]> {
    return this.deadLetters.all();
  }

  /**
   * Puts every dead letter back into the journal and loads it: rows that now load are stored
   * (repeats of stored ids skipped), the others become dead letters again. Returns both counts.
   */
  replayDeadLetters(): Promise<{ replayed: number; deadLetters: number }> {
    return this.#serialize(async () => {
      const entries = this.deadLetters.all();
      if (entries.length > 0) {
        await this.journal.append(entries.map((entry) => entry.line));
        this.deadLetters.takeAll();
        await this.#loadSealed();
      }
      const remaining = this.deadLetters.count;
      return { replayed: entries.length, deadLetters: remaining };
    });
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
    return { rows: Number(row?.['rows'] ?? 0), bytes, pending: this.journal.pendingRows, deadLetters: this.deadLetters.count };
  }

  read(sql: string, parameters: readonly (string | number | boolean | null)[] = []): Promise<Record<string, unknown>[]> {
    return this.#reading(async (reader) => (await reader.runAndReadAll(sql, parameters as DuckDBValue[])).getRowObjectsJson() as Record<string, unknown>[]);
  }

  /** Runs a read on the reader connection once everything acknowledged is loaded. */
  async #reading<T>(task: (reader: DuckDBConnection) => Promise<T>): Promise<T> {
    await this.load();
    // Counted, so that a rewrite (erasure, retention) waits for reads already past the loader
    // before it closes their connection; later reads wait behind the rewrite in load().
    this.#reads++;
    try {
      return await task(this.reader);
    } finally {
      if (--this.#reads === 0) this.#readsDone?.();
    }
  }

  #reads = 0;
  #readsDone: (() => void) | undefined;

  async #readsFinished(): Promise<void> {
    while (this.#reads > 0) await new Promise<void>((resolve) => (this.#readsDone = resolve));
    this.#readsDone = undefined;
  }

  async event(project: string, id: string): Promise<Record<string, unknown> | undefined> {
    // Another client may have reused the id (dedup keeps both): the first received answers.
    const [row] = await this.read('SELECT * FROM events WHERE project = ? AND id = ?::UUID ORDER BY received_at LIMIT 1', [project, id.toLowerCase()]);
    return row;
  }

  runQuery(project: string, query: EventQuery): Promise<Record<string, unknown>[]> {
    const { sql, parameters } = compileRollupQuery(project, query) ?? compileQuery(project, query);
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
    if (layoutServesFunnel(funnel, entity)) return (await this.#reading((reader) => funnelCellsFromLayout(reader, project, funnel))).cells;
    const { sql, parameters } = compileSequentialFunnelCells(project, funnel, entity);
    return (await this.read(sql, parameters)).map(funnelCellOf);
  }

  foldsFunnel(funnel: FunnelQuery, entity: string): boolean {
    return layoutServesFunnel(funnel, entity);
  }

  async sequentialFunnelCellsAndWhole(project: string, funnel: FunnelQuery, entity: string, alsoWindow?: number): Promise<FunnelCellsAndWhole> {
    // One pass over the layout tallies both (and the other window's); the SQL over events is run for each.
    if (layoutServesFunnel(funnel, entity)) return this.#reading((reader) => funnelCellsFromLayout(reader, project, funnel, { whole: true, ...(alsoWindow === undefined ? {} : { alsoWindow }) }));
    return cellsAndWholeEach(funnel, alsoWindow, async (asked) => ({ cells: await this.sequentialFunnelCells(project, asked, entity), whole: await this.sequentialFunnelCells(project, { ...asked, breakdown: undefined }, entity) }));
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
   * journaled, rewrites the database file without the entity's rows, and drops its dead letters.
   * Only rows whose entity column equals the value match (NULL never does), and the anonymous
   * events of the sessions the entity was seen in (person-events.ts). Returns the number of stored
   * events erased.
   */
  eraseEntity(project: string, entity: string, value: string): Promise<number> {
    const run = async (): Promise<number> => {
      await this.#loadAllOrThrow();
      const sessions = await this.#sessionsOf(project, entity, value, this.writer);
      const { condition, parameters } = personCondition(project, entity, value, sessions);
      const erased = await this.#removeWhere(condition, parameters, true);
      const sessionSet = new Set(sessions);
      this.deadLetters.retain((entry, row) => (row === undefined ? !entry.line.includes(value) : !isPersonRow(row, project, entity, value, sessionSet)));
      return erased;
    };
    return this.#serialize(run);
  }

  /**
   * The sessions of the entity's stored and dead-lettered events. `connection` is the writer inside
   * a rewrite (which holds the loader, so a read would wait for it) and the reader otherwise.
   */
  async #sessionsOf(project: string, entity: string, value: string, connection?: DuckDBConnection): Promise<string[]> {
    const sql = `SELECT DISTINCT session_id FROM events WHERE project = ? AND "${entity}" = ? AND session_id IS NOT NULL`;
    const stored = connection === undefined ? await this.read(sql, [project, value]) : ((await connection.runAndReadAll(sql, [project, value])).getRowObjectsJson() as Record<string, unknown>[]);
    const dead = this.deadLetters
      .all()
      .map(rowOf)
      .filter((row) => row !== undefined && row['project'] === project && row[entity] === value);
    return sessionsOf([...stored, ...dead]);
  }

  /**
   * Removes the rows matching `condition` so that their bytes leave the file: DuckDB's DELETE
   * only marks rows, and neither CHECKPOINT nor VACUUM overwrites their blocks (with DuckDB 1.5 the
   * deleted strings stay readable in the file even with 95% of the table deleted). Every other row
   * is copied into a fresh database file, which replaces the old one (under the store's lock, the
   * rename synced to the directory). With `remember` (an erasure), the removed events' digests join
   * `erased_events`, so copies of them that come back later are not stored. Returns the rows removed.
   */
  async #removeWhere(condition: string, parameters: (string | number)[], remember = false): Promise<number> {
    const counted = await this.writer.runAndReadAll(`SELECT count(*) AS n FROM events WHERE ${condition}`, parameters);
    const removed = Number((counted.getRowObjectsJson()[0] as { n: string }).n);
    if (removed === 0) return 0;
    const fresh = `${this.file}.rewrite`;
    rmSync(fresh, { force: true });
    rmSync(`${fresh}.wal`, { force: true });
    await this.writer.run(`ATTACH ${sqlString(fresh)} AS fresh`);
    try {
      await this.writer.run(createEventsTable.replace('CREATE TABLE IF NOT EXISTS events', 'CREATE TABLE fresh.events'));
      await this.writer.run(`INSERT INTO fresh.events SELECT * FROM events WHERE (${condition}) IS NOT TRUE ORDER BY received_at`, parameters);
      await this.writer.run(createErasedEventsTable.replace('CREATE TABLE IF NOT EXISTS erased_events', 'CREATE TABLE fresh.erased_events'));
      await this.writer.run('INSERT INTO fresh.erased_events SELECT digest FROM erased_events');
      if (remember) {
        await this.writer.run(`INSERT INTO fresh.erased_events ${erasedDigestsOf(condition)}`, parameters);
        this.#erased = true;
      }
      // The layouts are derived again from the rows kept: nothing of a removed row stays in them.
      for (const statement of createLayoutTables) await this.writer.run(statement.replace('CREATE TABLE IF NOT EXISTS ', 'CREATE TABLE fresh.'));
      for (const statement of deriveLayouts('fresh')) await this.writer.run(statement);
      await this.writer.run('CHECKPOINT fresh');
    } finally {
      await this.writer.run('DETACH fresh');
    }
    await this.#readsFinished();
    this.writer.closeSync();
    this.reader.closeSync();
    this.instance.closeSync();
    renameSync(fresh, this.file);
    rmSync(`${this.file}.wal`, { force: true });
    rmSync(`${fresh}.wal`, { force: true });
    const directory = openSync(dirname(this.file), 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
    chmodSync(this.file, 0o600);
    this.instance = await DuckDBInstance.create(this.file, instanceOptions);
    this.writer = await this.instance.connect();
    this.reader = await this.instance.connect();
    return removed;
  }

  /** Every stored event of the entity (theirs, and the anonymous events of their sessions), then its dead letters. */
  async entityEvents(project: string, entity: string, value: string): Promise<Record<string, unknown>[]> {
    const sessions = await this.#sessionsOf(project, entity, value);
    const { condition, parameters } = personCondition(project, entity, value, sessions);
    const stored = await this.read(`SELECT * FROM events WHERE ${condition} ORDER BY ts, id`, parameters);
    const sessionSet = new Set(sessions);
    const dead = this.deadLetters
      .all()
      .map((entry) => ({ entry, row: rowOf(entry) }))
      .filter(({ row }) => row !== undefined && isPersonRow(row, project, entity, value, sessionSet))
      .map(({ entry, row }) => ({ ...row, deadLetter: { at: entry.at, error: entry.error } }));
    return [...stored, ...dead];
  }

  /** Deletes events older than `cutoff` (ms), optionally only those with one name; returns how many. */
  deleteOlderThan(cutoff: number, name?: string, except: readonly string[] = []): Promise<number> {
    return this.deleteExpired([{ cutoff, name, except }]);
  }

  /**
   * Applies several retention rules with one rewrite of the file (rather than one per rule);
   * dead letters age out by the same rules, so retention leaves nothing older behind.
   */
  deleteExpired(rules: readonly RetentionRule[]): Promise<number> {
    const run = async (): Promise<number> => {
      await this.#loadAllOrThrow();
      const clauses: string[] = [];
      const parameters: (string | number)[] = [];
      for (const { cutoff, name, except = [] } of rules) {
        const conditions = ['(ts < epoch_ms(?::BIGINT) OR received_at < epoch_ms(?::BIGINT))'];
        parameters.push(cutoff, cutoff);
        if (name !== undefined) {
          conditions.push('name = ?');
          parameters.push(name);
        }
        for (const kept of except) {
          conditions.push('name IS DISTINCT FROM ?');
          parameters.push(kept);
        }
        clauses.push(`(${conditions.join(' AND ')})`);
      }
      if (clauses.length === 0) return 0;
      const removed = await this.#removeWhere(clauses.join(' OR '), parameters);
      this.deadLetters.retain((entry, row) => {
        if (row === undefined || typeof row['ts'] !== 'number') return true;
        const ts = row['ts'];
        const received = typeof row['received_at'] === 'number' ? row['received_at'] : Date.parse(entry.at);
        return !rules.some(({ cutoff, name, except = [] }) => (ts < cutoff || received < cutoff) && (name === undefined || row['name'] === name) && !except.includes(row['name'] as string));
      });
      return removed;
    };
    return this.#serialize(run);
  }

  async groupStatistics(project: string, query: EventQuery, entity: string, options: GroupStatisticsOptions = {}): Promise<GroupStatisticsRow[]> {
    const { sql, parameters } = compileRollupVariantStatistics(project, query, entity, options) ?? compileRollupGroupStatistics(project, query, entity, options) ?? compileGroupStatistics(project, query, entity, options);
    return (await this.read(sql, parameters)).map((row) => groupStatisticsOf(row, query, options));
  }

  statisticsSession(project: string, query: EventQuery, entity: string): StatisticsSession | undefined {
    return SeriesParts.for((sql, parameters) => this.read(sql, parameters), project, query, entity);
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
