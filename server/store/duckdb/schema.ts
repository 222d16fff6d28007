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

/** Rows arrive here through the appender (plain types, no constraints), then move in one INSERT. */
export const createStagingTable = `
CREATE TEMP TABLE IF NOT EXISTS staging (
  project VARCHAR, id VARCHAR, ts BIGINT, received_at BIGINT, kind VARCHAR, name VARCHAR, severity VARCHAR,
  severity_number UTINYINT, template VARCHAR, message VARCHAR, args VARCHAR, attributes VARCHAR,
  context_vars VARCHAR, stack VARCHAR, experiments VARCHAR, user_id VARCHAR, session_id VARCHAR, module VARCHAR,
  file VARCHAR, line INTEGER, function_name VARCHAR, error_type VARCHAR, error VARCHAR, service VARCHAR,
  trace_id VARCHAR, span_id VARCHAR
)`;

/**
 * Moves staged rows into `events`, skipping any (project, id) already stored. The staged ids'
 * min/max is pushed into the scan of `events`, so only row groups of the same time span are read.
 */
export const insertStagedRows = `
INSERT INTO events
SELECT project, id::UUID, epoch_ms(ts), epoch_ms(received_at), kind, name, severity, severity_number, template,
       message, args, attributes, context_vars, stack, experiments, user_id, session_id, module, file, line,
       function_name, error_type, error, service, trace_id, span_id
FROM staging s
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.project = s.project AND e.id = s.id::UUID)`;
