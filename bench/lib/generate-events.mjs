// Generated events for the benchmarks, written straight into a store by SQL (far faster than
// through ingest): users act in sessions spread over a month; a quarter of rows are product events
// in funnel order within a session, the rest logs from about 200 templates with realistic
// severities; every user in one of two variants of `checkout-v2`. DuckDB and ClickHouse get the
// same generator in their own SQL (their hash functions differ, so the shapes match, not the draws).
import { DuckDBInstance } from '@duckdb/node-api';
import cliProgress from 'cli-progress';
import { createEventsTable } from '../../server/dist/store/duckdb/schema.js';

export const users = 100_000;
export const days = 30;
export const start = Date.UTC(2026, 9, 1);

/** Writes `total` generated events straight into a DuckDB store's file (created if needed). */
export async function generateInDuckDB(file, total) {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(createEventsTable);
  const bar = new cliProgress.SingleBar({ format: 'generating [{bar}] {percentage}% | {value}/{total} events | {duration}s' }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  const chunk = 1_000_000;
  for (let from = 0; from < total; from += chunk) {
    const to = Math.min(total, from + chunk);
    // Users act in sessions spread over the month; a quarter of rows are product events in funnel
    // order within a session, the rest logs from about 200 templates with realistic severities.
    await connection.run(`
      INSERT INTO events
      SELECT 'default', uuid(),
             epoch_ms(${start}::BIGINT + (i * ${days * 86_400_000}::BIGINT // ${total}) + (hash(i) % 600000)::BIGINT),
             epoch_ms(${start}::BIGINT + (i * ${days * 86_400_000}::BIGINT // ${total}) + 1000),
             CASE WHEN r < 0.25 THEN 'event' ELSE 'log' END,
             CASE WHEN r < 0.12 THEN 'cart viewed' WHEN r < 0.19 THEN 'checkout started' WHEN r < 0.23 THEN 'order placed' WHEN r < 0.25 THEN '$pageview' ELSE NULL END,
             CASE WHEN s < 0.80 THEN 'INFO' WHEN s < 0.95 THEN 'WARN' WHEN s < 0.995 THEN 'ERROR' ELSE 'DEBUG' END,
             CASE WHEN s < 0.80 THEN 9 WHEN s < 0.95 THEN 13 WHEN s < 0.995 THEN 17 ELSE 5 END,
             'template ' || (hash(i * 7) % 200)::VARCHAR || ' for %s',
             'template ' || (hash(i * 7) % 200)::VARCHAR || ' for item-' || (i % 1000)::VARCHAR,
             ('["item-' || (i % 1000)::VARCHAR || '"]')::JSON,
             ('{"route":"/api/' || (i % 17)::VARCHAR || '","region":"eu-west-1"}')::JSON,
             ('{"requestId":"r' || i::VARCHAR || '","experiments":{"checkout-v2":"' || CASE WHEN u % 2 = 0 THEN 'A' ELSE 'B' END || '"}}')::JSON,
             '[{"function":"handle","module":"api/checkout","file":"src/api/checkout.ts","line":42}]'::JSON,
             ('{"checkout-v2":"' || CASE WHEN u % 2 = 0 THEN 'A' ELSE 'B' END || '"}')::JSON,
             'user-' || u::VARCHAR, NULL, 'api/checkout', 'src/api/checkout.ts', 44, 'handle', NULL, NULL, 'shop', NULL, NULL
      FROM (SELECT i, (hash(i * 3) % 1000) / 1000.0 AS r, (hash(i * 5) % 1000) / 1000.0 AS s, hash(i // 8) % ${users} AS u FROM range(${from}, ${to}) t(i))`);
    bar.update(to);
  }
  bar.stop();
  await connection.run('CHECKPOINT');
  connection.closeSync();
  instance.closeSync();
}

/** The same generator in ClickHouse SQL (cityHash64 for DuckDB's hash: the same shapes, other draws). */
export async function generateInClickHouse(store, total) {
  const [existing] = await store.read('SELECT count() AS n FROM events');
  if (Number(existing.n) >= total) return;
  const bar = new cliProgress.SingleBar({ format: 'generating in ClickHouse [{bar}] {percentage}% | {value}/{total} events | {duration}s' }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  const chunk = 1_000_000;
  for (let from = 0; from < total; from += chunk) {
    const count = Math.min(total, from + chunk) - from;
    await store.execute(`
      INSERT INTO events (project, id, ts, received_at, kind, name, severity, severity_number, template, message, args, attributes, context_vars, stack, experiments, user_id, session_id, module, file, line, function_name, error_type, error, service, trace_id, span_id)
      SELECT 'default', toString(generateUUIDv4()),
             ${start} + intDiv(i * ${days * 86_400_000}, ${total}) + (cityHash64(i) % 600000),
             ${start} + intDiv(i * ${days * 86_400_000}, ${total}) + 1000,
             if(r < 0.25, 'event', 'log'),
             multiIf(r < 0.12, 'cart viewed', r < 0.19, 'checkout started', r < 0.23, 'order placed', r < 0.25, '$pageview', ''),
             multiIf(s < 0.80, 'INFO', s < 0.95, 'WARN', s < 0.995, 'ERROR', 'DEBUG'),
             multiIf(s < 0.80, 9, s < 0.95, 13, s < 0.995, 17, 5),
             concat('template ', toString(cityHash64(i * 7) % 200), ' for %s'),
             concat('template ', toString(cityHash64(i * 7) % 200), ' for item-', toString(i % 1000)),
             concat('["item-', toString(i % 1000), '"]'),
             concat('{"route":"/api/', toString(i % 17), '","region":"eu-west-1"}'),
             concat('{"requestId":"r', toString(i), '","experiments":{"checkout-v2":"', if(u % 2 = 0, 'A', 'B'), '"}}'),
             '[{"function":"handle","module":"api/checkout","file":"src/api/checkout.ts","line":42}]',
             concat('{"checkout-v2":"', if(u % 2 = 0, 'A', 'B'), '"}'),
             concat('user-', toString(u)), NULL, 'api/checkout', 'src/api/checkout.ts', 44, 'handle', NULL, NULL, 'shop', NULL, NULL
      FROM (SELECT number AS i, (cityHash64(number * 3) % 1000) / 1000 AS r, (cityHash64(number * 5) % 1000) / 1000 AS s, cityHash64(intDiv(number, 8)) % ${users} AS u FROM numbers(${from}, ${count}))`);
    bar.update(from + count);
  }
  bar.stop();
  await store.execute('OPTIMIZE TABLE events FINAL');
}
