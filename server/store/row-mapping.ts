/**
 * Result rows → the domain's types, the same for every store: each dialect names its columns
 * alike (user_key, time, steps, ..., label_key, digest, top), so the mapping is written once.
 */
import { type GroupStatistics, SUPPRESSED } from '../domain/group-statistics.js';
import type { Cohort, EventQuery, Filter } from '../domain/query-model.js';
import type { ExperimentEvent } from '../domain/experiment-model.js';
import type { FunnelCell, FunnelEvent } from '../domain/funnel-model.js';

export type GroupStatisticsRow = GroupStatistics & { key: string; variant?: number; facts?: { firstSeen: number; lastSeen: number; severityNumber: number } };

/** One condition a row meets or fails: filters, a time range and a cohort, all of them ANDed. */
export interface RowCondition {
  where: Filter[];
  from?: number;
  to?: number;
  cohort?: Cohort;
}

/** Rows that meet the conditions numbered `meets` and fail those numbered `fails` count in `variant`. */
export interface VariantCase {
  variant: number;
  meets: number[];
  fails: number[];
}

/**
 * The cases for the groups `keys` (label keys of the first `keyDimensions` dimensions), or for every
 * group no other selection names when `keys` is absent. A row counts in the first case it matches.
 */
export interface VariantSelection {
  keys?: string[];
  cases: VariantCase[];
}

/**
 * Several questions in one pass over the rows: each row is tagged with the conditions it meets,
 * and the selection of its group says in which variant it counts. The query's own conditions
 * should be empty: every variant scans the same rows, so the work does not depend on which
 * case applies.
 */
export interface Variants {
  conditions: RowCondition[];
  selections: VariantSelection[];
  /** The dimensions whose label key a selection's `keys` name (every dimension if absent). */
  keyDimensions?: number;
}

export interface GroupStatisticsOptions {
  onlyGroups?: string[];
  /** Groups left out of the merge: those whose first `keep` labels have one of these keys. */
  exceptGroups?: { keep: number; keys: string[] }[];
  keep?: number;
  facts?: boolean;
  variants?: Variants;
}

/** Whether the statistics merge groups (by their first `keep` labels). */
export function merging(options: GroupStatisticsOptions): boolean {
  return options.onlyGroups !== undefined || options.exceptGroups !== undefined;
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function funnelEventOf(row: Record<string, unknown>): FunnelEvent {
  return {
    user: String(row['user_key']),
    time: Number(row['time']),
    steps: Number(row['steps']),
    exclusions: Number(row['exclusions']),
    breakdown: textOrNull(row['breakdown']),
  };
}

export function experimentEventOf(row: Record<string, unknown>): ExperimentEvent {
  return {
    user: String(row['user_key']),
    time: Number(row['time']),
    exposure: row['exposure'] === true || row['exposure'] === 1,
    variant: typeof row['variant'] === 'string' ? row['variant'] : null,
  };
}

export function groupStatisticsOf(row: Record<string, unknown>, query: EventQuery, options: GroupStatisticsOptions): GroupStatisticsRow {
  return {
    // Dimensions merged away (the bin, the low-effect merge) read as `*`. A time bucket is a number
    // whichever store gives it (DuckDB hands 64-bit integers over as text): labels seed the guard's
    // noise, so the same bucket must be the same label everywhere.
    labels: query.groupBy.map((dimension, index) => {
      if (merging(options) && index >= (options.keep ?? 0)) return SUPPRESSED;
      const label = row[`d${index}`];
      return 'time' in dimension && label !== null && label !== undefined ? Number(label) : label;
    }),
    key: String(row['label_key']),
    ...(options.variants === undefined ? {} : { variant: Number(row['variant']) }),
    entities: Number(row['entities']),
    entityDigest: String(row['digest'] ?? ''),
    events: Number(row['events'] ?? 0),
    top: ((row['top'] as unknown[] | null) ?? []).map(Number).sort((a, b) => b - a),
    ...(options.facts
      ? { facts: { firstSeen: Number(row['first_seen']), lastSeen: Number(row['last_seen']), severityNumber: Number(row['severity_number']) } }
      : {}),
  };
}

export function funnelCellOf(row: Record<string, unknown>): FunnelCell {
  const middle = row['middle_ms'] as unknown[] | null;
  return {
    breakdown: textOrNull(row['breakdown']),
    step: Number(row['step']),
    users: Number(row['users']),
    entityDigest: String(row['digest']),
    medianMs: row['median_ms'] === null || row['median_ms'] === undefined ? null : Number(row['median_ms']),
    middleMs: middle === null || middle === undefined || middle.some((value) => value === null) ? null : (middle.map(Number) as [number, number, number]),
  };
}
