/**
 * What the guard's rollup statistics read in place of all of `series_rollup` (rollup-sql.ts), with
 * the same rows for the question asked:
 *
 * - Not grouped by time: `series_people`, a row per (severity, user) over every hour, where every
 *   time bound of the question falls outside that row's hours (so each of its events meets or fails
 *   each bound alike, as its first does), and the `series_rollup` rows of the few whose hours a
 *   bound cuts. For a series over the whole range no bound cuts a row, and the questions its
 *   low-effect detection asks without its buckets read a few rows per person, not one per hour.
 * - The `*` row of an hourly series by severity: the rollup rows of the (hour, severity) groups
 *   not shown, found in `series_hourly` (a semi-join the scan of `series_rollup`, sorted by hour,
 *   prunes by), in place of every row of the project less those of the groups shown.
 */
import { sqlString } from './schema.js';

/** A time in milliseconds (a whole number) as a TIMESTAMP_MS literal, comparable to the layouts' columns with no cast. */
export function timestamp(time: number): string {
  if (!Number.isSafeInteger(time)) throw new Error(`not a time in milliseconds: ${time}`);
  return `epoch_ms(${time}::BIGINT)::TIMESTAMP_MS`;
}

/**
 * `series_rollup`'s rows of `project` as the questions bounded by `bounds` (whole hours) see them,
 * from `series_people` (columns and meaning as series_rollup's, a row's `hour` its first).
 */
export function peopleAsRollup(project: string, bounds: readonly number[]): string {
  const distinct = [...new Set(bounds)].sort((a, b) => a - b);
  // A bound cuts a row when some of its hours are before it and some at or after it.
  const cut = distinct.map((bound) => `(first_ts < ${timestamp(bound)} AND last_ts >= ${timestamp(bound)})`).join(' OR ');
  const whole = `SELECT project, date_trunc('hour', first_ts) AS hour, severity, user_key, digest, events, first_ts, last_ts FROM series_people
    WHERE project = ${sqlString(project)}${cut === '' ? '' : ` AND NOT (${cut})`}`;
  if (cut === '') return `(${whole})`;
  const split = `SELECT r.project, r.hour, r.severity, r.user_key, r.digest, r.events, r.first_ts, r.last_ts FROM series_rollup r
    SEMI JOIN (SELECT severity, user_key FROM series_people WHERE project = ${sqlString(project)} AND (${cut})) AS cut ON r.severity = cut.severity AND r.user_key = cut.user_key
    WHERE r.project = ${sqlString(project)}`;
  return `(${whole} UNION ALL ${split})`;
}

/**
 * `series_rollup`'s rows of `project` in the (hour, severity) groups that no `shown` pair names
 * (hour in milliseconds): every group of `series_hourly` less those.
 */
export function rollupOfGroupsNotShown(project: string, shown: readonly (readonly [number, string])[][]): string {
  const antiJoins = shown.filter((pairs) => pairs.length > 0).map((pairs, index) => ` ANTI JOIN (VALUES ${pairs.map(([time, severity]) => `(${timestamp(time)}, ${sqlString(severity)})`).join(', ')}) AS shown${index}(hour, severity)
      ON h.hour = shown${index}.hour AND h.severity = shown${index}.severity`).join('');
  return `(SELECT r.* FROM series_rollup r SEMI JOIN (SELECT h.hour, h.severity FROM series_hourly h${antiJoins} WHERE h.project = ${sqlString(project)}) AS hidden
      ON r.hour = hidden.hour AND r.severity = hidden.severity WHERE r.project = ${sqlString(project)})`;
}
