// bench/analytics: 10 million generated events in the embedded DuckDB store, then, guard off
// (direct) and on (untrusted), against a hand-written DuckDB query doing the same work (the
// ceiling): a 3-step funnel with a 1-hour window broken down by variant; events per hour by
// severity over the whole range; the template ("issues") view. Each is also run as the SQL over
// the full events table (query-sql.ts, what the store runs when its derived layouts cannot answer).
// The four are timed in interleaved rounds after a warm-up, medians of the rounds, and reported as
// ratios to the ceiling and guarded to direct.
// With --clickhouse, the same on a private ClickHouse server (Debian's clickhouse-server) with the
// same generator written in ClickHouse SQL, and ClickHouse's own ceilings (windowFunnel).
// Usage: node bench/analytics/run.mjs [events] [--keep DIR] [--only funnel,series,templates] [--clickhouse] [--rounds N]
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analytics } from '../../server/dist/analytics/analytics.js';
import { AuditLog } from '../../server/dist/analytics/audit-log.js';
import { DuckDBStore } from '../../server/dist/index.js';
import { ClickHouseStore } from '../../server/dist/store/clickhouse/clickhouse-store.js';
import { compileQuery, compileSequentialFunnelCells } from '../../server/dist/store/duckdb/query-sql.js';
import { startClickHouse } from '../lib/clickhouse-server.mjs';
import { days, generateInClickHouse, generateInDuckDB, users } from '../lib/generate-events.mjs';
import { median } from '../lib/compile.mjs';
import { count, times, writeResult } from '../lib/results.mjs';

const total = Number(/^\d+$/.test(process.argv[2] ?? '') ? process.argv[2] : 10_000_000);
const keepIndex = process.argv.indexOf('--keep');
const directory = keepIndex > 0 ? process.argv[keepIndex + 1] : mkdtempSync(join(tmpdir(), 'logmill-bench-analytics-'));
const onClickHouse = process.argv.includes('--clickhouse');
const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex > 0 ? Number(process.argv[roundsIndex + 1]) : 5;

/**
 * Each run once to warm up, then `rounds` rounds running each in turn: the machine's other load
 * falls on all alike. Medians of wall-clock time, and of the process's CPU time (this thread and
 * DuckDB's), which the other load moves less.
 */
const cpu = {};
async function interleaved(runs) {
  for (const run of Object.values(runs)) await run();
  const samples = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
  const cpuSamples = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(runs)) {
      const began = performance.now();
      const usage = process.cpuUsage();
      await run();
      const used = process.cpuUsage(usage);
      samples[name].push(performance.now() - began);
      cpuSamples[name].push((used.user + used.system) / 1000);
    }
  }
  for (const [name, values] of Object.entries(cpuSamples)) cpu[name] = median(values);
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

mkdirSync(directory, { recursive: true });
let clickhouse;
let store;
if (onClickHouse) {
  clickhouse = await startClickHouse(join(directory, 'clickhouse'));
  store = await ClickHouseStore.open(`${clickhouse.address}logmill_bench`);
  await generateInClickHouse(store, total);
} else {
  if (!existsSync(join(directory, 'events.duckdb'))) await generateInDuckDB(join(directory, 'events.duckdb'), total);
  // A database written by the generator has no derived layouts yet: the first open derives them.
  const opening = performance.now();
  store = await DuckDBStore.open(directory, { loadInterval: 3_600_000 });
  console.log(`opened the store in ${((performance.now() - opening) / 1000).toFixed(1)} s (deriving the layouts if they were missing)`);
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
const overEvents = {
  funnel: () => {
    const { sql, parameters } = compileSequentialFunnelCells('default', funnel, 'user_id');
    return store.read(sql, parameters);
  },
  series: () => {
    const { sql, parameters } = compileQuery('default', series);
    return store.read(sql, parameters);
  },
  templates: () => store.templateRows('default', templates, 'user_id'),
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
console.log('query'.padEnd(12) + 'ceiling SQL'.padStart(13) + 'over events'.padStart(13) + 'direct'.padStart(11) + 'guarded'.padStart(11) + '   direct/ceiling  over events/ceiling  guarded/direct');
// Targets as ratios measured in the same run: direct to the ceiling, guarded to direct.
const targets = { funnel: 0.3, series: 0.2 };
const onlyIndex = process.argv.indexOf('--only');
const labels = { funnel: '3-step funnel, 1-hour window, by variant', series: 'events per hour by severity, whole range', templates: 'template view' };
const tableRows = [];
const targetResults = [];
for (const name of onlyIndex > 0 ? process.argv[onlyIndex + 1].split(',') : ['funnel', 'series', 'templates']) {
  const runs = {
    ceiling: () => store.read((onClickHouse ? clickhouseCeilings : ceilings)[name]),
    // ClickHouse has no derived layouts yet: its direct answer is its SQL over events.
    ...(onClickHouse ? {} : { overEvents: overEvents[name] }),
    direct: () => work[name]('direct'),
    guarded: () => work[name]('untrusted'),
  };
  const times = await interleaved(runs);
  const ratio = times.direct / times.ceiling;
  const target = targets[name] === undefined ? '' : `  (target <= ${targets[name]}x: ${ratio <= targets[name] ? 'met' : 'NOT met'}; guarded <= 1.5x: ${times.guarded / times.direct <= 1.5 ? 'met' : 'NOT met'})`;
  const overEventsText = times.overEvents === undefined ? '-' : `${times.overEvents.toFixed(0)} ms`;
  const overEventsRatio = times.overEvents === undefined ? '-' : `${(times.overEvents / times.ceiling).toFixed(2)}x`;
  // On ClickHouse the work is in the server's process: CPU time here would not see it.
  const cpuRatio = onClickHouse ? '-' : `${(cpu.direct / cpu.ceiling).toFixed(2)}x`;
  const cpuGuarded = onClickHouse ? '-' : `${(cpu.guarded / cpu.direct).toFixed(2)}x`;
  tableRows.push([labels[name], times.ceiling.toFixed(0), times.overEvents === undefined ? '-' : times.overEvents.toFixed(0), times.direct.toFixed(0), times.guarded.toFixed(0), `${ratio.toFixed(2)}x`, `${(times.guarded / times.direct).toFixed(2)}x`, cpuRatio, cpuGuarded]);
  if (targets[name] !== undefined) {
    targetResults.push({ target: `${labels[name]}: direct ≤ ${targets[name]}x the ceiling`, measured: `${ratio.toFixed(2)}x`, met: ratio <= targets[name] });
    targetResults.push({ target: `${labels[name]}: guarded ≤ 1.5x direct`, measured: `${(times.guarded / times.direct).toFixed(2)}x`, met: times.guarded / times.direct <= 1.5 });
  }
  console.log(name.padEnd(12) + `${times.ceiling.toFixed(0)} ms`.padStart(13) + overEventsText.padStart(13) + `${times.direct.toFixed(0)} ms`.padStart(11) + `${times.guarded.toFixed(0)} ms`.padStart(11) + `${ratio.toFixed(2)}x`.padStart(17) + overEventsRatio.padStart(21) + `${(times.guarded / times.direct).toFixed(2)}x`.padStart(16) + target);
  if (!onClickHouse) console.log(`${''.padEnd(12)}CPU: ceiling ${cpu.ceiling.toFixed(0)} ms, over events ${cpu.overEvents.toFixed(0)} ms, direct ${cpu.direct.toFixed(0)} ms, guarded ${cpu.guarded.toFixed(0)} ms; direct/ceiling ${cpuRatio}, guarded/direct ${cpuGuarded}`);
}
await store.close();
await clickhouse?.stop();
const size = total === 10_000_000 ? '' : `-${total % 1_000_000 === 0 ? `${total / 1_000_000}m` : `${total}`}`;
writeResult({
  name: `analytics${onClickHouse ? '-clickhouse' : ''}${size}${onlyIndex > 0 ? `-${process.argv[onlyIndex + 1].replace(/,/g, '-')}` : ''}`,
  title: `Analytics${onClickHouse ? ' on ClickHouse' : ''}, ${count(total)} events`,
  about: `${count(total)} generated events (${count(users)} users, ${days} days; a quarter are product events, the rest logs from 200 templates; every user in one of two variants of \`checkout-v2\`) in the ${version}, then each query ${rounds} times after a warm-up, medians of wall-clock time (and, for DuckDB, of the process's CPU time, its threads included): through \`Analytics\` as a \`direct\` reader (exact, guard off) and as an \`untrusted\` reader (the privacy guard on), next to a hand-written query doing the same work (the ceiling${onClickHouse ? ": ClickHouse's own \`windowFunnel\` for the funnel, which gives no step times or best attempt, so it is a lower bound" : ''}).`,
  table: { columns: ['query', '=ceiling SQL (ms)', '=SQL over events (ms)', '=direct (ms)', '=guarded (ms)', '=direct / ceiling', '=guarded / direct', '=direct / ceiling, CPU', '=guarded / direct, CPU'], rows: tableRows },
  targets: total === 10_000_000 ? targetResults : [],
});
if (keepIndex < 0) rmSync(directory, { recursive: true, force: true });
