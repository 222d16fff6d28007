/**
 * Result rows → the domain's types, the same for every store: each dialect names its columns
 * alike (user_key, time, steps, ..., label_key, digest, top), so the mapping is written once.
 */
import { type GroupStatistics, SUPPRESSED } from '../domain/group-statistics.js';
import type { EventQuery } from '../domain/query-model.js';
import type { ExperimentEvent } from '../domain/experiment-model.js';
import type { FunnelCell, FunnelEvent } from '../domain/funnel-model.js';

export type GroupStatisticsRow = GroupStatistics & { key: string; facts?: { firstSeen: number; lastSeen: number; severityNumber: number } };
export interface GroupStatisticsOptions {
  onlyGroups?: string[];
  keep?: number;
  facts?: boolean;
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
      if (options.onlyGroups !== undefined && index >= (options.keep ?? 0)) return SUPPRESSED;
      const label = row[`d${index}`];
      return 'time' in dimension && label !== null && label !== undefined ? Number(label) : label;
    }),
    key: String(row['label_key']),
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
