/**
 * DuckDB's dialect for the events table: everything DuckDB-specific about the layout and the
 * deduplicating insert lives here. Rows are appended in arrival order, so DuckDB's per-row-group
 * min/max indexes (zonemaps) on `ts`, `received_at` and the time-ordered UUIDv7 `id` prune the
 * scans of time-bounded queries and of the dedup check.
 */
export const createEventsTable = `
CREATE TABLE IF NOT EXISTS events (
  project VARCHAR NOT NULL,
  id UUID NOT NULL,
  ts TIMESTAMP_MS NOT NULL,
  received_at TIMESTAMP_MS NOT NULL,
  kind VARCHAR NOT NULL,
  name VARCHAR,
  severity VARCHAR NOT NULL,
  severity_number UTINYINT NOT NULL,
  template VARCHAR NOT NULL,
  message VARCHAR NOT NULL,
  args JSON NOT NULL,
  attributes JSON NOT NULL,
  context_vars JSON NOT NULL,
  stack JSON NOT NULL,
  experiments JSON NOT NULL,
  user_id VARCHAR,
  session_id VARCHAR,
  module VARCHAR,
  file VARCHAR,
  line INTEGER,
  function_name VARCHAR,
  error_type VARCHAR,
  error JSON,
  service VARCHAR,
  trace_id VARCHAR,
  span_id VARCHAR
)`;

/** A string as a SQL literal: the one place a value is spliced into DuckDB SQL. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const journalColumns = `{
  project: 'VARCHAR', id: 'UUID', ts: 'BIGINT', received_at: 'BIGINT', kind: 'VARCHAR', name: 'VARCHAR',
  severity: 'VARCHAR', severity_number: 'UTINYINT', template: 'VARCHAR', message: 'VARCHAR', args: 'JSON',
  attributes: 'JSON', context_vars: 'JSON', stack: 'JSON', experiments: 'JSON', user_id: 'VARCHAR',
  session_id: 'VARCHAR', module: 'VARCHAR', file: 'VARCHAR', line: 'INTEGER', function_name: 'VARCHAR',
  error_type: 'VARCHAR', error: 'JSON', service: 'VARCHAR', trace_id: 'VARCHAR', span_id: 'VARCHAR'
}`;

/**
 * Loading one journal segment (NDJSON, one EventRow per line) into \`events\` takes a few
 * statements in one transaction. DuckDB parses the file once into a temporary table; a repeat is
 * the same event sent again (same id and content, see \`contentColumns\`). Whether the segment
 * repeats an id inside itself is found by grouping the ids alone (a
 * \`DISTINCT ON\` while parsing carried every column through its hash table and cost about 1.4x as
 * much CPU per row), and only then are the later copies compared and dropped; the segment's
 * smallest and largest id are read from it; the staged rows already stored are dropped likewise
 * (ids looked up first, content compared only when some are found); and what stays is inserted
 * into \`events\` and the derived layouts (derived-layouts.ts).
 */
export const segmentTable = 'journal_segment';

export function stageSegment(path: string): string {
  return `
CREATE OR REPLACE TEMP TABLE ${segmentTable} AS
SELECT *
FROM read_ndjson(${sqlString(path)}, columns = ${journalColumns}, format = 'newline_delimited')`;
}

/**
 * What makes a row the same event as another with its id: every column but `received_at` (when this
 * copy arrived). A retry repeats all of them, since clients resend what they sent; a different event
 * under a reused id (another client's, on purpose or by a bug) differs somewhere and is not a
 * duplicate, so no client can make the collector drop another client's acknowledged event.
 */
const contentColumns = [
  'kind', 'name', 'severity', 'severity_number', 'template', 'message', 'args', 'attributes', 'context_vars', 'stack', 'experiments',
  'user_id', 'session_id', 'module', 'file', 'line', 'function_name', 'error_type', 'error', 'service', 'trace_id', 'span_id',
];

/** A stored row and a staged one hold the same event (the stored `ts` is a timestamp, the staged one epoch milliseconds). */
function sameContent(stored: string, staged: string): string {
  return [`${stored}.ts = epoch_ms(${staged}.ts)`, ...contentColumns.map((column) => `${stored}.${column} IS NOT DISTINCT FROM ${staged}.${column}`)].join(' AND ');
}

/**
 * How many (project, id) pairs the segment repeats: the ids alone are grouped, so a
 * segment without repeats (nearly every one) costs no more than that grouping.
 */
export const repeatsInStage = `
SELECT count(*) AS n FROM (SELECT 1 FROM ${segmentTable} GROUP BY project, id HAVING count(*) > 1)`;

/**
 * Drops every later copy of an event repeated inside the segment (same id, same content): the first
 * stays. Grouped, not joined with itself: a hostile batch of a thousand copies of one id costs a
 * thousand rows of hashing, not a million comparisons.
 */
export const dropRepeatsFromStage = `
DELETE FROM ${segmentTable}
WHERE rowid NOT IN (SELECT min(rowid) FROM ${segmentTable} GROUP BY project, id, ts, ${contentColumns.join(', ')})`;

export const segmentIdRange = `SELECT min(id)::VARCHAR AS low, max(id)::VARCHAR AS high FROM ${segmentTable}`;

function storedWithId(low: string, high: string): string {
  return `SELECT 1 FROM events e
  WHERE e.id BETWEEN ${sqlString(low)}::UUID AND ${sqlString(high)}::UUID AND e.project = s.project AND e.id = s.id`;
}

/**
 * The staged ids that are already stored, in order; `low` and `high` are the staged ids' range. The
 * lookup reads ids only, as a constant range that DuckDB's per-row-group min/max of the
 * time-ordered UUIDv7 `id` prunes: a segment's ids are from the last seconds, so only the newest
 * row groups are read, where an anti-join over the whole table cost more with every row stored.
 */
export function storedInStage(low: string, high: string): string {
  return `SELECT DISTINCT s.id::VARCHAR AS id FROM ${segmentTable} s WHERE EXISTS (${storedWithId(low, high)}) ORDER BY id`;
}

/**
 * Drops the staged rows with these ids that are stored already, id and content (retries, or a
 * segment loaded again after a crash). The ids are written out as constants, a few hundred at a
 * time: DuckDB filters the stored rows on them while it scans the ids, and compares the content of
 * those rows alone. Compared through the staged ids' range instead, a batch that names one stored id
 * from long ago and one from now made every load read every column of the table between them
 * (500,000 events: 210 ms of CPU for the load against 50; with the constants about 100, the
 * cost of scanning the ids once more). What stays is exactly what the load adds, to `events` and
 * to the derived layouts.
 */
export function dropStoredFromStage(ids: readonly string[]): string {
  const list = ids.map((id) => `${sqlString(id)}::UUID`).join(', ');
  return `
DELETE FROM ${segmentTable} s
WHERE s.id IN (${list}) AND EXISTS (
  SELECT 1 FROM events e WHERE e.id IN (${list}) AND e.project = s.project AND e.id = s.id AND ${sameContent('e', 's')}
)`;
}

/**
 * What is left of erased events: an MD5 of each one's project, id, user and time, nothing readable
 * of its content, its person or its time (a UUIDv7 holds its time). A copy that comes back after
 * the erasure (a client retrying a batch whose answer it never saw, a spool delivered late) is
 * dropped at its load, so an erasure stays done; another client's event that merely reuses the id
 * is not (the user and time differ), as with dedup. Retention's deletions are not remembered: an
 * old event that comes back goes at the next run.
 */
export const createErasedEventsTable = 'CREATE TABLE IF NOT EXISTS erased_events (digest VARCHAR NOT NULL)';

/** The digest of a row; `time` is its `ts` in epoch milliseconds. */
const erasedDigest = (row: string, time: string) => `md5(${row}.project || ':' || ${row}.id::VARCHAR || ':' || coalesce(${row}.user_id, '') || ':' || ${time})`;

/** The digests of the rows matching `condition` (of `events`), for `erased_events`. */
export function erasedDigestsOf(condition: string): string {
  return `SELECT ${erasedDigest('events', 'epoch_ms(events.ts)')} AS digest FROM events WHERE ${condition}`;
}

/** Drops the staged rows that were erased before (see `createErasedEventsTable`). */
export const dropErasedFromStage = `
DELETE FROM ${segmentTable} s
WHERE ${erasedDigest('s', 's.ts')} IN (SELECT digest FROM erased_events)`;

export const insertStaged = `
INSERT INTO events
SELECT project, id, epoch_ms(ts), epoch_ms(received_at), kind, name, severity, severity_number, template, message,
       args, attributes, context_vars, stack, experiments, user_id, session_id, module, file, line, function_name,
       error_type, error, service, trace_id, span_id
FROM ${segmentTable}`;

/** The staged rows as the derived layouts read them (see derived-layouts.ts). */
export const stagedForLayouts = `(SELECT project, id, epoch_ms(ts) AS ts, name, severity, user_id, experiments FROM ${segmentTable})`;
