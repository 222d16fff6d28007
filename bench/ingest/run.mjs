// bench/ingest: the collector (`logmill serve` on DuckDB, a real process) under load from a second
// process sending batches of 100 realistic events over loopback. Reports the sustained
// acknowledged events per second (every 2xx means durable and deduplicated), p50/p99 latency at
// half that rate, and the ceiling: JSON.parse of the same bytes in one process on this machine.
// With --clickhouse, the collector stores into a private ClickHouse server (Debian's
// clickhouse-server) instead: each 2xx then means the batch is in ClickHouse.
// With --prefill N, the store already holds N generated events when the load starts (the dedup
// lookups and inserts then work against a store of that size).
// Usage: node bench/ingest/run.mjs [seconds] [--clickhouse] [--prefill N]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envelopeJson, log, memorySink, withContext } from '../../dist/esm/runtime/node.js';
import { ClickHouseStore } from '../../server/dist/store/clickhouse/clickhouse-store.js';
import { startClickHouse } from '../lib/clickhouse-server.mjs';
import { generateInClickHouse, generateInDuckDB } from '../lib/generate-events.mjs';
import { count, writeResult } from '../lib/results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(/^\d+$/.test(process.argv[2] ?? '') ? process.argv[2] : 10);
const onClickHouse = process.argv.includes('--clickhouse');
const prefillIndex = process.argv.indexOf('--prefill');
const prefill = prefillIndex > 0 ? Number(process.argv[prefillIndex + 1]) : 0;
const cli = join(here, '../../server/dist/cli/main.js');
const key = 'bench-ingest-key-0123456789';

// A realistic event: context variables, a two-frame logical stack, a call site, bound attributes.
function baseEvent() {
  const sink = memorySink();
  withContext({ requestId: 'req-7f3a9c', userId: 'user-1842', experiments: { 'checkout-v2': 'B' } }, () => {
    log.with({ route: '/api/checkout', method: 'POST', region: 'eu-west-1' }).info('order %s paid %d cents by %s', 'ord-99812', 4599, 'user-1842');
  });
  sink.close();
  const event = JSON.parse(envelopeJson(sink.events[0]));
  event.context.stack = [
    { function: 'chargeCard', module: 'api/checkout/payment', file: 'src/api/checkout/payment.ts', line: 88 },
    { function: 'handleCheckout', module: 'api/checkout', file: 'src/api/checkout/index.ts', line: 41 },
  ];
  event.code = { module: 'api/checkout/payment', file: 'src/api/checkout/payment.ts', line: 93, column: 5, function: 'chargeCard' };
  return JSON.stringify(event);
}

function makeBatches(count, base) {
  const id = JSON.parse(base).id;
  let sequence = 0;
  return Array.from({ length: count }, () => Array.from({ length: 100 }, () => base.replace(id, `${id.slice(0, 24)}${(sequence++).toString(16).padStart(12, '0')}`)).join('\n'));
}

async function startCollector(data, store) {
  const child = spawn(process.execPath, [cli, 'serve', '--data', data, '--port', '0', ...(store === undefined ? [] : ['--store', store])], {
    env: { ...process.env, LOGMILL_INGEST_KEY: key, LOGMILL_ADMIN_KEY: `${key}-admin` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
  });
  return { url, child };
}

function load(url, mode, value, baseFile) {
  const output = execFileSync(process.execPath, [join(here, 'load.mjs'), url, key, mode, String(value), String(seconds), baseFile], { encoding: 'utf8' });
  return JSON.parse(output);
}

const base = baseEvent();
console.log(`ingest: batches of 100 events (${base.length} bytes each as JSON), ${seconds} s per phase, collector on ${onClickHouse ? 'ClickHouse' : 'DuckDB'}${prefill > 0 ? `, holding ${prefill.toLocaleString('en-US')} events already` : ''}`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);

// The ceiling: JSON.parse of the same NDJSON lines.
const sample = makeBatches(200, base);

let parsed = 0;
const parseStart = performance.now();
while (performance.now() - parseStart < 2000) {
  for (const body of sample) for (const line of body.split('\n')) JSON.parse(line), parsed++;
}
const parseRate = parsed / ((performance.now() - parseStart) / 1000);

const work = mkdtempSync(join(tmpdir(), 'logmill-bench-ingest-'));
const baseFile = join(work, 'event.json');
writeFileSync(baseFile, base);
const results = {};
const clickhouse = onClickHouse ? await startClickHouse(join(work, 'clickhouse')) : undefined;
const storeAddress = clickhouse === undefined ? undefined : `${clickhouse.address}logmill_ingest`;
if (prefill > 0 && storeAddress !== undefined) {
  const store = await ClickHouseStore.open(storeAddress);
  await generateInClickHouse(store, prefill);
  await store.close();
} else if (prefill > 0) {
  mkdirSync(join(work, 'data'), { recursive: true });
  await generateInDuckDB(join(work, 'data', 'events.duckdb'), prefill);
}
try {
  const { url, child } = await startCollector(join(work, 'data'), storeAddress);
  // Phase 1: as fast as 16 connections go.
  results.max = load(url, 'max', 16, baseFile);
  // Phase 2: an open-loop fixed rate at half the sustained rate; latency percentiles.
  const halfRate = Math.max(1, Math.round(results.max.eventsPerSecond / 2 / 100));
  results.half = load(url, 'rate', halfRate, baseFile);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
} finally {
  await clickhouse?.stop();
  rmSync(work, { recursive: true, force: true });
}

const format = (n) => Math.round(n).toLocaleString('en-US');
console.log(`\nJSON.parse ceiling (same lines, one core):  ${format(parseRate)} events/s`);
console.log(`sustained, 16 connections:                 ${format(results.max.eventsPerSecond)} events/s acknowledged (${(results.max.eventsPerSecond / parseRate).toFixed(3)} of the ceiling), p50 ${results.max.p50.toFixed(1)} ms, p99 ${results.max.p99.toFixed(1)} ms, ${results.max.failed} failed`);
console.log(`half that rate (${format(results.half.eventsPerSecond)} events/s): p50 ${results.half.p50.toFixed(1)} ms, p99 ${results.half.p99.toFixed(1)} ms, ${results.half.failed} failed`);
console.log(`target: >= 200,000 events/s sustained, p99 < 100 ms at half rate`);

const store = onClickHouse ? 'ClickHouse' : 'DuckDB';
writeResult({
  name: `ingest${onClickHouse ? '-clickhouse' : ''}${prefill > 0 ? '-prefilled' : ''}`,
  title: `Ingest${onClickHouse ? ' on ClickHouse' : ''}${prefill > 0 ? `, into a store holding ${count(prefill)} events` : ''}`,
  about: `The collector (\`logmill serve\`, a real process, ${store} store${onClickHouse ? ': a private Debian clickhouse-server started by the benchmark' : ''}) on loopback; a load generator in a second process (\`bench/ingest/load.mjs\`, \`node:http\` with keep-alive) sends NDJSON batches of 100 copies of one realistic event (${base.length} bytes: context variables, a two-frame logical stack, a call site, three attributes, args), each copy with a fresh UUIDv7. Phase 1: 16 connections as fast as they are answered, ${seconds} s. Phase 2: an open-loop fixed rate of half what phase 1 sustained, ${seconds} s (latency includes queueing). Every 2xx means durable and deduplicated. The ceiling is \`JSON.parse\` of the same lines on one core in the same run; both processes and the store share the machine.`,
  table: {
    columns: ['=JSON.parse ceiling (events/s)', '=sustained, 16 connections (events/s)', '=p50 / p99', '=half rate (events/s)', '=p50 / p99 at half rate'],
    rows: [[count(parseRate), count(results.max.eventsPerSecond), `${results.max.p50.toFixed(1)} / ${results.max.p99.toFixed(1)} ms`, count(results.half.eventsPerSecond), `${results.half.p50.toFixed(1)} / ${results.half.p99.toFixed(1)} ms`]],
  },
  targets: [
    { target: '≥ 200,000 events/s sustained', measured: `${count(results.max.eventsPerSecond)} events/s`, met: results.max.eventsPerSecond >= 200_000 },
    { target: 'p99 < 100 ms at half that rate', measured: `${results.half.p99.toFixed(1)} ms`, met: results.half.p99 < 100 },
  ],
});
