/**
 * Layouts derived from `events` and kept current by the loader, each shaped for one family of
 * questions so that it reads a small part of what the full table holds:
 *
 * - `user_events`: one narrow row per named event of a known user (user key, time, id, name,
 *   experiments, the user's digest), for funnels, stored in (project, user, time, id) order, so a
 *   scan returns each user's events in order with no sort (DuckDB keeps insertion order in results
 *   without ORDER BY). Loads append to `user_events_recent`, in that order within each load; when it
 *   passes a quarter of `user_events` (and 50,000 rows, by default), the two are merged into one sorted table.
 * - `user_digests`: one row per user: the 64-bit key the other layouts use and the portable digest
 *   (the first 8 bytes of the MD5 of the id, ClickHouse's halfMD5) the privacy guard XORs.
 * - `series_rollup`: events per (hour, severity, user), with the user's digest, for time series
 *   and their guarded statistics; events without a user have a NULL key. One row per (project,
 *   hour, severity, user): a load merges its counts into the rows of the hours it touches, so the
 *   guard's per-user statistics of an hourly series by severity need no grouping of their own.
 * - `series_hourly`: per (hour, severity), the events, and what the privacy guard needs of the
 *   group's people (how many, the XOR of their digests, their events, the six largest counts), for
 *   exact series and the guard's statistics of hourly series by severity; the hours a load touches
 *   are counted again from `series_rollup`.
 * - `series_hours`: the same per hour, over every severity (a person with rows of two severities
 *   is one person of the hour), for the guard's statistics of hourly series, which it asks
 *   about whenever a series is grouped by hour and something else.
 * - `series_people`: events per (severity, user) over every hour, with the first and last event,
 *   for the guard's statistics of the questions a series' low-effect detection asks without its
 *   time buckets (by severity alone, or not grouped): a few rows per person where `series_rollup`
 *   has one per person and hour. A load adds its counts to the rows of the people it touches.
 * - `series_users`: the same per user over every severity, for the question not grouped at all.
 *
 * The loader adds the rows of each segment it stores, after dedup (so a retried event never counts
 * twice), in the same transaction as the events themselves. Erasure and retention rewrite the
 * database, and the layouts are derived again there from what is kept, so nothing of a removed
 * row stays in them. A database written before the layouts existed gets them at its next open.
 */

/** The first 8 bytes of the MD5 of `expression`, big-endian: ClickHouse's halfMD5, the guard's portable digest. */
export function portableDigest(expression: string): string {
  return `('0x' || left(md5(${expression}), 16))::UBIGINT`;
}

export const layoutTables = ['user_events', 'user_events_recent', 'user_digests', 'series_rollup', 'series_hourly', 'series_hours', 'series_people', 'series_users', 'layouts_version'] as const;

export const createLayoutTables = [
  `CREATE TABLE IF NOT EXISTS user_events (
    project VARCHAR NOT NULL, user_key UBIGINT NOT NULL, ts TIMESTAMP_MS NOT NULL, id UUID NOT NULL,
    name VARCHAR NOT NULL, user_id VARCHAR NOT NULL, digest UBIGINT NOT NULL, experiments JSON NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS user_events_recent (
    project VARCHAR NOT NULL, user_key UBIGINT NOT NULL, ts TIMESTAMP_MS NOT NULL, id UUID NOT NULL,
    name VARCHAR NOT NULL, user_id VARCHAR NOT NULL, digest UBIGINT NOT NULL, experiments JSON NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS user_digests (project VARCHAR NOT NULL, user_key UBIGINT NOT NULL, user_id VARCHAR NOT NULL, digest UBIGINT NOT NULL)`,
  // first_ts and last_ts: the first and last event of the row (of known users, in the per-hour
  // tables), which the guard's time seed reads to the millisecond as it does over `events`.
  `CREATE TABLE IF NOT EXISTS series_rollup (project VARCHAR NOT NULL, hour TIMESTAMP_MS NOT NULL, severity VARCHAR NOT NULL, user_key UBIGINT, digest UBIGINT, events BIGINT NOT NULL,
    first_ts TIMESTAMP_MS NOT NULL, last_ts TIMESTAMP_MS NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS series_hourly (project VARCHAR NOT NULL, hour TIMESTAMP_MS NOT NULL, severity VARCHAR NOT NULL, events BIGINT NOT NULL,
    entities BIGINT NOT NULL, entity_digest UBIGINT, entity_events BIGINT, top BIGINT[], first_ts TIMESTAMP_MS, last_ts TIMESTAMP_MS)`,
  `CREATE TABLE IF NOT EXISTS series_hours (project VARCHAR NOT NULL, hour TIMESTAMP_MS NOT NULL,
    entities BIGINT NOT NULL, entity_digest UBIGINT, entity_events BIGINT, top BIGINT[], first_ts TIMESTAMP_MS, last_ts TIMESTAMP_MS)`,
  `CREATE TABLE IF NOT EXISTS series_people (project VARCHAR NOT NULL, severity VARCHAR NOT NULL, user_key UBIGINT NOT NULL, digest UBIGINT, events BIGINT NOT NULL,
    first_ts TIMESTAMP_MS NOT NULL, last_ts TIMESTAMP_MS NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS series_users (project VARCHAR NOT NULL, user_key UBIGINT NOT NULL, digest UBIGINT, events BIGINT NOT NULL,
    first_ts TIMESTAMP_MS NOT NULL, last_ts TIMESTAMP_MS NOT NULL)`,
  // Marks a database whose layouts are complete (written with the tables, or after a backfill).
  'CREATE TABLE IF NOT EXISTS layouts_version (version INTEGER NOT NULL)',
];

/** The layouts' version: a database holding another (or none) has its layouts derived again at open. */
export const layoutsVersion = 8;

/** `series_hourly`'s rows from rollup rows (all of each hour they hold). */
function hourlyOf(rollup: string): string {
  return `SELECT project, hour, severity, sum(events)::BIGINT, count(*) FILTER (WHERE user_key IS NOT NULL),
      bit_xor(digest) FILTER (WHERE user_key IS NOT NULL), sum(events) FILTER (WHERE user_key IS NOT NULL)::BIGINT,
      max(events, 6) FILTER (WHERE user_key IS NOT NULL), min(first_ts) FILTER (WHERE user_key IS NOT NULL), max(last_ts) FILTER (WHERE user_key IS NOT NULL)
    FROM ${rollup} GROUP BY project, hour, severity ORDER BY project, hour, severity`;
}

/** `series_hours`' rows from rollup rows (all of each hour they hold): each person's events of the hour over every severity. */
function hoursOf(rollup: string): string {
  return `SELECT project, hour, count(*), bit_xor(digest), sum(events)::BIGINT, max(events, 6), min(first_ts), max(last_ts)
    FROM (SELECT project, hour, user_key, any_value(digest) AS digest, sum(events)::BIGINT AS events, min(first_ts) AS first_ts, max(last_ts) AS last_ts FROM ${rollup} WHERE user_key IS NOT NULL GROUP BY project, hour, user_key)
    GROUP BY project, hour ORDER BY project, hour`;
}

/** The per-person layouts over every hour: `series_people` keyed by severity and user, `series_users` by user. */
const personLayouts = [
  { table: 'series_people', key: ['project', 'severity', 'user_key'] },
  { table: 'series_users', key: ['project', 'user_key'] },
] as const;

/** A per-person layout's rows from rollup rows (all of each person they hold, or what a load adds to them). */
function personRowsOf(key: readonly string[], rollup: string): string {
  return `SELECT ${key.join(', ')}, any_value(digest), sum(events)::BIGINT, min(first_ts), max(last_ts)
    FROM ${rollup} WHERE user_key IS NOT NULL GROUP BY ${key.join(', ')}`;
}

/**
 * The rows of the people `source` touches in a per-person layout, with its counts added (every
 * row of `source` is new after dedup).
 */
function mergeIntoPersonLayout(table: string, key: readonly string[], source: string): string[] {
  const touched = `${table}_touched`;
  const matched = key.map((column) => `t.${column} = p.${column}`).join(' AND ');
  const sourceKey = key.map((column) => (column === 'user_key' ? 'hash(user_id) AS user_key' : column)).join(', ');
  return [
    `CREATE OR REPLACE TEMP TABLE ${touched} AS
      SELECT ${key.join(', ')}, any_value(digest) AS digest, sum(events)::BIGINT AS events, min(first_ts) AS first_ts, max(last_ts) AS last_ts FROM (
        SELECT p.* FROM ${table} p SEMI JOIN (SELECT DISTINCT ${sourceKey} FROM ${source} WHERE user_id IS NOT NULL) t ON ${matched}
        UNION ALL ${personRowsOf(key, `(${rollupOf(source)})`)}
      ) GROUP BY ${key.join(', ')}`,
    `DELETE FROM ${table} p WHERE EXISTS (SELECT 1 FROM ${touched} t WHERE ${matched})`,
    `INSERT INTO ${table} SELECT * FROM ${touched} ORDER BY ${key.join(', ')}`,
    `DROP TABLE ${touched}`,
  ];
}

/**
 * The statements adding the layout rows of `source` (a table or subquery with the events table's
 * columns, `ts` as TIMESTAMP_MS), inside the caller's transaction. `known` says whether a user may
 * already be in `user_digests` (false when deriving everything again into empty tables).
 */
export function addLayoutRows(source: string, known = true): string[] {
  const userEvents = known ? 'user_events_recent' : 'user_events';
  const newUsers = known ? ' AND NOT EXISTS (SELECT 1 FROM user_digests d WHERE d.project = s.project AND d.user_key = hash(s.user_id))' : '';
  return [
    `INSERT INTO user_digests
      SELECT project, hash(user_id), user_id, ${portableDigest('user_id')}
      FROM (SELECT DISTINCT project, user_id FROM ${source} WHERE user_id IS NOT NULL) s
      WHERE TRUE${newUsers}`,
    `INSERT INTO ${userEvents}
      SELECT s.project, hash(s.user_id) AS user_key, s.ts, s.id, s.name, s.user_id, d.digest, s.experiments
      FROM ${source} s JOIN user_digests d ON d.project = s.project AND d.user_key = hash(s.user_id)
      WHERE s.name IS NOT NULL AND s.user_id IS NOT NULL
      ORDER BY s.project, user_key, s.ts, s.id`,
    ...(known
      ? mergeIntoRollup(source)
      : [`INSERT INTO series_rollup ${rollupOf(source)} ORDER BY ALL`, `INSERT INTO series_hourly ${hourlyOf('series_rollup')}`, `INSERT INTO series_hours ${hoursOf('series_rollup')}`,
        ...personLayouts.map(({ table, key }) => `INSERT INTO ${table} ${personRowsOf(key, 'series_rollup')} ORDER BY ${key.join(', ')}`)]),
  ];
}

/** `source` counted per (project, hour, severity, user), with each user's digest. */
function rollupOf(source: string): string {
  return `SELECT s.project, date_trunc('hour', s.ts) AS hour, s.severity, CASE WHEN s.user_id IS NOT NULL THEN hash(s.user_id) END AS user_key, any_value(d.digest) AS digest, count(*) AS events, min(s.ts) AS first_ts, max(s.ts) AS last_ts
      FROM ${source} s LEFT JOIN user_digests d ON d.project = s.project AND d.user_key = hash(s.user_id)
      GROUP BY 1, 2, 3, 4`;
}

/** The rollup rows of the hours `source` touches, merged with its counts: still one row per key; and the per-person layouts. */
function mergeIntoRollup(source: string): string[] {
  const touched = 'rollup_touched';
  return [
    ...personLayouts.flatMap(({ table, key }) => mergeIntoPersonLayout(table, key, source)),
    `CREATE OR REPLACE TEMP TABLE ${touched} AS
      SELECT project, hour, severity, user_key, any_value(digest) AS digest, sum(events)::BIGINT AS events, min(first_ts) AS first_ts, max(last_ts) AS last_ts FROM (
        SELECT r.project, r.hour, r.severity, r.user_key, r.digest, r.events, r.first_ts, r.last_ts FROM series_rollup r
        SEMI JOIN (SELECT DISTINCT project, date_trunc('hour', ts) AS hour FROM ${source}) t ON t.project = r.project AND t.hour = r.hour
        UNION ALL ${rollupOf(source)}
      ) GROUP BY project, hour, severity, user_key`,
    `DELETE FROM series_rollup r WHERE EXISTS (SELECT 1 FROM ${touched} t WHERE t.project = r.project AND t.hour = r.hour)`,
    `INSERT INTO series_rollup SELECT * FROM ${touched} ORDER BY ALL`,
    `DELETE FROM series_hourly h WHERE EXISTS (SELECT 1 FROM ${touched} t WHERE t.project = h.project AND t.hour = h.hour)`,
    `INSERT INTO series_hourly ${hourlyOf(touched)}`,
    `DELETE FROM series_hours h WHERE EXISTS (SELECT 1 FROM ${touched} t WHERE t.project = h.project AND t.hour = h.hour)`,
    `INSERT INTO series_hours ${hoursOf(touched)}`,
    `DROP TABLE ${touched}`,
  ];
}

/** Derives every layout again from `events` (inside the caller's transaction; `schema` names an attached database). */
export function deriveLayouts(schema = ''): string[] {
  const prefix = schema === '' ? '' : `${schema}.`;
  const statements = [
    ...layoutTables.map((table) => `DELETE FROM ${prefix}${table}`),
    ...addLayoutRows(`${prefix}events`, false),
    `INSERT INTO ${prefix}layouts_version VALUES (${layoutsVersion})`,
  ];
  if (prefix === '') return statements;
  // The statements above name the layout tables unqualified: qualify them for the attached database.
  return statements.map((statement) => statement.replace(/\b(INSERT INTO|FROM|JOIN) (user_digests|user_events|series_rollup|series_hourly|series_hours|series_people|series_users)\b/g, `$1 ${prefix}$2`));
}

/** When the appended rows are due to be merged into the sorted table. */
export const recentUserEvents = 'SELECT (SELECT count(*) FROM user_events_recent) AS recent, (SELECT count(*) FROM user_events) AS sorted';

export function compactionDue(recent: number, sorted: number, minimum = 50_000): boolean {
  return recent >= minimum && recent * 4 >= sorted;
}

/** Merges the appended rows into `user_events`, sorted again (inside the caller's transaction). */
export const compactUserEvents = [
  `CREATE OR REPLACE TABLE user_events AS
    SELECT * FROM (SELECT * FROM user_events UNION ALL SELECT * FROM user_events_recent) ORDER BY project, user_key, ts, id`,
  'DELETE FROM user_events_recent',
];
