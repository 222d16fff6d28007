/**
 * The storage contract both backends implement: DuckDB (duckdb/, the embedded default) and
 * ClickHouse (clickhouse/, one server or a cluster). Stores answer the domain's questions
 * (server/domain/) with exact rows; the privacy guard above them decides what readers see. A resolved
 * `insert` means the rows are durable: the collector answers 2xx only after it. Rows whose
 * (project, id) is already stored are skipped, so a retried batch never counts twice.
 */
import type { ExperimentEvent, ExperimentQuery } from '../domain/experiment-model.js';
import type { FunnelCell, FunnelCellsAndWhole, FunnelEvent, FunnelQuery } from '../domain/funnel-model.js';
import type { GroupStatisticsOptions, GroupStatisticsRow } from './row-mapping.js';
import type { TemplateQuery } from '../domain/template-view.js';
import type { EventQuery } from '../domain/query-model.js';
import type { DeadLetter } from './dead-letters.js';
import type { EventRow } from '../domain/event-row.js';

export interface StoreStatistics {
  /** Events stored and queryable. */
  rows: number;
  /** Bytes the store occupies on disk. */
  bytes: number;
  /** Events acknowledged but not yet loaded into the queryable table. */
  pending: number;
  /** Acknowledged rows the store could not load, kept as dead letters (see dead-letters.ts). */
  deadLetters: number;
}

/**
 * One retention rule: events older than `cutoff` (ms since the epoch), only those named `name` if
 * given, never those named in `except`. An event is as old as the earlier of its own time and the
 * time the collector received it: a client's clock set years ahead does not keep its events forever.
 */
export interface RetentionRule {
  cutoff: number;
  name?: string | undefined;
  except?: readonly string[];
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
  /** One stored event by id, with every column (times as `YYYY-MM-DD HH:MM:SS.mmm` UTC, JSON columns as text). */
  event(project: string, id: string): Promise<Record<string, unknown> | undefined>;
  /** Every stored event whose `entity` column equals `value` and the anonymous events of its sessions, oldest first, with every column, then its dead letters (GDPR export). */
  entityEvents(project: string, entity: string, value: string): Promise<Record<string, unknown>[]>;
  /** The exact answer to a query: rows with `d0..` (dimensions) and `a0..` (aggregates). */
  runQuery(project: string, query: EventQuery): Promise<Record<string, unknown>[]>;
  /** Each user's events for a funnel, ordered by user and time (see compileFunnelEvents). */
  funnelEvents(project: string, funnel: FunnelQuery, entity: string): Promise<FunnelEvent[]>;
  /** The events of one event's user within `around` milliseconds of it (at most 1000), in order. */
  journey(project: string, eventId: string, around: number, entity: string): Promise<Record<string, unknown>[]>;
  /** A sequential funnel's users per (breakdown, step), with their digest and times, computed where the data is. */
  sequentialFunnelCells(project: string, funnel: FunnelQuery, entity: string): Promise<FunnelCell[]>;
  /**
   * The same cells, and those of the funnel without its breakdown: a user's outcome does not depend
   * on the breakdown, so a store may compute both in one pass (the privacy guard asks for both).
   */
  sequentialFunnelCellsAndWhole(project: string, funnel: FunnelQuery, entity: string, alsoWindow?: number): Promise<FunnelCellsAndWhole>;
  /** Whether `sequentialFunnelCellsAndWhole` reads this funnel once for both windows (else each is its own query). */
  foldsFunnel?(funnel: FunnelQuery, entity: string): boolean;
  /** Exposures to an experiment and its goal events, ordered by user and time. */
  experimentEvents(project: string, query: ExperimentQuery, entity: string): Promise<ExperimentEvent[]>;
  /** The template view's exact rows. */
  templateRows(project: string, query: TemplateQuery, entity: string): Promise<Record<string, unknown>[]>;
  /** Erases every event whose `entity` column equals `value` and the anonymous events of its sessions, leaving nothing of them on disk. */
  eraseEntity(project: string, entity: string, value: string): Promise<number>;
  /** Deletes events older than `cutoff` (ms since the epoch; by the earlier of `ts` and `received_at`), only those named `name` if given, never those named in `except`. */
  deleteOlderThan(cutoff: number, name?: string, except?: readonly string[]): Promise<number>;
  /** Applies every rule at once (an event matching any is deleted); returns how many were deleted. */
  deleteExpired(rules: readonly RetentionRule[]): Promise<number>;
  /**
   * Per group of the query, what the privacy guard needs (see GroupStatistics), with the group's
   * `key` (for asking again about some groups) and, with `facts`, first/last seen and severity.
   * With `onlyGroups`, those groups merged: into one (the suppress bin), or with `keep`, into one
   * per value of the first `keep` dimensions, the others labelled `*` (the low-effect merge);
   * `exceptGroups` merges every group but those. With `variants`, several questions over the same
   * rows in one pass, each row tagged with its `variant`.
   */
  groupStatistics(project: string, query: EventQuery, entity: string, options?: GroupStatisticsOptions): Promise<GroupStatisticsRow[]>;
  /**
   * For one guarded answer to `query`, the statistics of the questions the guard asks about it
   * from what the store reads once (statistics-parts.ts), where it can: a store without one, or a
   * session answering undefined, leaves each question to `groupStatistics`.
   */
  statisticsSession?(project: string, query: EventQuery, entity: string): StatisticsSession | undefined;
  /** Acknowledged rows that could not be loaded, oldest first (none on stores that insert before the answer). */
  listDeadLetters(): Promise<DeadLetter[]>;
  /** Loads the dead letters again: those that load are stored, the others stay. */
  replayDeadLetters(): Promise<{ replayed: number; deadLetters: number }>;
  onLoad: LoadListener | undefined;
  close(): Promise<void>;
}

/** Group statistics for one guarded answer (`Store.statisticsSession`): as `groupStatistics` gives them, or undefined. */
export interface StatisticsSession {
  groupStatistics(query: EventQuery, options: GroupStatisticsOptions): Promise<GroupStatisticsRow[] | undefined>;
}
