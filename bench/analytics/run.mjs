// bench/analytics: 10 million generated events in the embedded DuckDB store, then, guard off
// (direct) and on (untrusted), against a hand-written DuckDB query doing the same work (the
// ceiling): a 3-step funnel with a 1-hour window broken down by variant; events per hour by
// severity over the whole range; the template ("issues") view. Medians of 5 runs after a warm-up.
// With --clickhouse, the same on a private ClickHouse server (Debian's clickhouse-server) with the
// same generator written in ClickHouse SQL, and ClickHouse's own ceilings (windowFunnel).
// Usage: node bench/analytics/run.mjs [events] [--keep DIR] [--only funnel|series|templates] [--clickhouse] [--rounds N]
import { DuckDBInstance } from '@duckdb/node-api';
import cliProgress from 'cli-progress';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analytics } from '../../server/dist/analytics/analytics.js';
import { AuditLog } from '../../server/dist/analytics/audit-log.js';
import { DuckDBStore } from '../../server/dist/index.js';
import { ClickHouseStore } from '../../server/dist/store/clickhouse/clickhouse-store.js';
import { createEventsTable } from '../../server/dist/store/duckdb/schema.js';
import { startClickHouse } from '../lib/clickhouse-server.mjs';
import { median } from '../lib/compile.mjs';

const total = Number(/^\d+$/.test(process.argv[2] ?? '') ? process.argv[2] : 10_000_000);
const keepIndex = process.argv.indexOf('--keep');
const directory = keepIndex > 0 ? process.argv[keepIndex + 1] : mkdtempSync(join(tmpdir(), 'logmill-bench-analytics-'));
const onClickHouse = process.argv.includes('--clickhouse');
const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex > 0 ? Number(process.argv[roundsIndex + 1]) : 5;
const users = 100_000;
const days = 30;
const start = Date.UTC(2026, 9, 1);

async function generate() {
  const instance = await DuckDBInstance.create(join(directory, 'events.duckdb'));
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
async function generateInClickHouse(store) {
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

async function time(run) {
  await run();
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    const began = performance.now();
    await run();
    samples.push(performance.now() - began);
  }
  return median(samples);
}

mkdirSync(directory, { recursive: true });
let clickhouse;
let store;
if (onClickHouse) {
  clickhouse = await startClickHouse(join(directory, 'clickhouse'));
  store = await ClickHouseStore.open(`${clickhouse.address}logmill_bench`);
  await generateInClickHouse(store);
} else {
  if (!existsSync(join(directory, 'events.duckdb'))) await generate();
  store = await DuckDBStore.open(directory, { loadInterval: 3_600_000 });
}
const analytics = new Analytics(store, 'bench-salt', new AuditLog(directory));
const funnel = {
  steps: [{ name: 'cart viewed', where: [] }, { name: 'checkout started', where: [] }, { name: 'order placed', where: [] }],
  window: 3_600_000, order: 'sequential', exclusions: [], breakdown: { json: 'experiments', key: 'checkout-v2' },
};
const series = { where: [], groupBy: [{ time: 'hour' }, { field: { column: 'severity' } }], aggregates: [{ fn: 'count' }], limit: 10_000 };
const templates = { limit: 100 };
const ceilings = {
  funnel: `WITH e AS (SELECT user_id, epoch_ms(ts) AS t, name, json_extract_string(experiments, '/checkout-v2') AS v FROM events WHERE name IN ('cart viewed', 'checkout started', 'order placed')),
      s0 AS (SELECT user_id, t AS t0, v FROM e WHERE name = 'cart viewed'),
      s1 AS (SELECT s0.*, (SELECT min(t) FROM e WHERE e.user_id = s0.user_id AND name = 'checkout started' AND e.t > s0.t0 AND e.t <= s0.t0 + 3600000) AS t1 FROM s0),
      s2 AS (SELECT s1.*, (SELECT min(t) FROM e WHERE e.user_id = s1.user_id AND name = 'order placed' AND e.t > s1.t1 AND e.t <= s1.t0 + 3600000) AS t2 FROM s1),
      best AS (SELECT user_id, arg_max(v, (t1 IS NOT NULL)::INT + (t2 IS NOT NULL)::INT) AS v, max((t1 IS NOT NULL)::INT + (t2 IS NOT NULL)::INT) AS reached FROM s2 GROUP BY user_id)
    SELECT v, count(*) FILTER (WHERE reached >= 0), count(*) FILTER (WHERE reached >= 1), count(*) FILTER (WHERE reached >= 2) FROM best GROUP BY v`,
  series: `SELECT time_bucket(INTERVAL '1 hour', ts) AS h, severity, count(*) FROM events GROUP BY 1, 2 ORDER BY 1, 2`,
  templates: `SELECT template, count(*), count(DISTINCT user_id), max(severity_number), min(ts), max(ts), list(args ORDER BY ts DESC)[1:3] FROM events WHERE kind = 'log' GROUP BY 1 ORDER BY 2 DESC LIMIT 100`,
};
const clickhouseCeilings = {
  // windowFunnel: the furthest step each user reached within the window, per variant.
  funnel: `SELECT v, countIf(level >= 1), countIf(level >= 2), countIf(level >= 3) FROM (
      SELECT user_id, any(visitParamExtractString(experiments, 'checkout-v2')) AS v,
             windowFunnel(3600)(toDateTime(intDiv(ts, 1000)), name = 'cart viewed', name = 'checkout started', name = 'order placed') AS level
      FROM events FINAL WHERE name IN ('cart viewed', 'checkout started', 'order placed') GROUP BY user_id) GROUP BY v`,
  series: 'SELECT toStartOfHour(toDateTime(intDiv(ts, 1000))) AS h, severity, count() FROM events FINAL GROUP BY h, severity ORDER BY h, severity',
  templates: "SELECT template, count(), uniqExact(user_id), max(severity_number), min(ts), max(ts), arraySlice(arrayReverseSort(x -> x.1, groupArray((ts, args))), 1, 3) FROM events FINAL WHERE kind = 'log' GROUP BY template ORDER BY count() DESC LIMIT 100",
};
const work = {
  funnel: (access) => analytics.funnel('default', funnel, access, 'bench'),
  series: (access) => analytics.query('default', series, access, 'bench'),
  templates: (access) => analytics.templates('default', templates, access, 'bench'),
};
const rows = (await store.read('SELECT count(*) AS n FROM events'))[0].n;
const version = onClickHouse ? `ClickHouse ${(await store.read('SELECT version() AS v'))[0].v} store` : 'DuckDB store';
console.log(`analytics: ${Number(rows).toLocaleString('en-US')} events, ${users.toLocaleString('en-US')} users, ${days} days, ${version}; medians of ${rounds} runs`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);
console.log('query'.padEnd(12) + 'ceiling SQL'.padStart(13) + 'direct'.padStart(11) + 'guarded'.padStart(11) + '  guard overhead');
const targets = { funnel: 1000, series: 300 };
const onlyIndex = process.argv.indexOf('--only');
for (const name of onlyIndex > 0 ? [process.argv[onlyIndex + 1]] : ['funnel', 'series', 'templates']) {
  const ceiling = await time(() => store.read((onClickHouse ? clickhouseCeilings : ceilings)[name]));
  const direct = await time(() => work[name]('direct'));
  const guarded = await time(() => work[name]('untrusted'));
  const target = targets[name] === undefined ? '' : `  (target ${targets[name]} ms: ${direct <= targets[name] ? 'met' : 'NOT met'})`;
  console.log(name.padEnd(12) + `${ceiling.toFixed(0)} ms`.padStart(13) + `${direct.toFixed(0)} ms`.padStart(11) + `${guarded.toFixed(0)} ms`.padStart(11) + `  ${(guarded / direct).toFixed(2)}x${target}`);
}
await store.close();
await clickhouse?.stop();
if (keepIndex < 0) rmSync(directory, { recursive: true, force: true });
