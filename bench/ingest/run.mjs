// bench/ingest: the collector (`logmill serve` on DuckDB, a real process) beside the floor
// collector (bench/ingest/floor.mjs: fastify, JSON.parse per line, the raw lines appended to a
// file, one fdatasync per group of requests), both under the same load generator (a second
// process sending NDJSON batches of 100 realistic events over loopback, each with a fresh UUIDv7).
// Phases alternate floor / logmill, so the machine's other load falls on both alike. For each it
// reports acknowledged events/s at 16 connections and the server's CPU time per event (/proc, all
// threads, counted until logmill's loader has stored everything acknowledged; and the main thread
// alone), each as a ratio to the floor; then p50/p99 latency and CPU per event of both at half
// logmill's rate (the same offered rate for each, so their CPU per event compares like with like).
// With --clickhouse, logmill stores into a private ClickHouse server (Debian's clickhouse-server)
// instead: each 2xx then means the batch is in ClickHouse.
// With --prefill N, logmill's store already holds N generated events when the load starts.
// With --baseline PATH, a second collector (another build's server/dist/cli/main.js, such as the
// main branch's) runs in the same alternation, so a change is measured against it in one run;
// --baseline-label TEXT names it in the result file.
// Usage: node bench/ingest/run.mjs [seconds per phase, default 6] [--rounds R, default 3] [--clickhouse] [--prefill N] [--baseline PATH [--baseline-label TEXT]]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envelopeJson, log, memorySink, withContext } from '../../dist/esm/runtime/node.js';
import { ClickHouseStore } from '../../server/dist/store/clickhouse/clickhouse-store.js';
import { startClickHouse } from '../lib/clickhouse-server.mjs';
import { generateInClickHouse, generateInDuckDB } from '../lib/generate-events.mjs';
import { count, writeResult } from '../lib/results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(/^\d+$/.test(process.argv[2] ?? '') ? process.argv[2] : 6);
const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex > 0 ? Number(process.argv[roundsIndex + 1]) : 3;
const onClickHouse = process.argv.includes('--clickhouse');
const prefillIndex = process.argv.indexOf('--prefill');
const prefill = prefillIndex > 0 ? Number(process.argv[prefillIndex + 1]) : 0;
const cli = join(here, '../../server/dist/cli/main.js');
const baselineIndex = process.argv.indexOf('--baseline');
const baselineCli = baselineIndex > 0 ? process.argv[baselineIndex + 1] : undefined;
const labelIndex = process.argv.indexOf('--baseline-label');
const baselineLabel = labelIndex > 0 ? process.argv[labelIndex + 1] : baselineCli;
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

function startCollector(data, store, entry = cli) {
  return startServer([entry, 'serve', '--data', data, '--port', '0', ...(store === undefined ? [] : ['--store', store])]);
}

async function startServer(args) {
  const child = spawn(process.execPath, args, {
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

// CPU seconds a process (all its threads) and its main thread have used, from /proc.
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
function cpuSeconds(pid) {
  const read = (path) => {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  };
  return { process: read(`/proc/${pid}/stat`), main: read(`/proc/${pid}/task/${pid}/stat`) };
}

async function pendingEvents(url) {
  // /metrics answers keys with direct access only.
  const text = await (await fetch(new URL('/metrics', url), { headers: { authorization: `Bearer ${key}-admin` } })).text();
  return Number(/^logmill_storage_pending_events (\S+)/m.exec(text)?.[1] ?? 0);
}

/**
 * Runs one load phase against one server (`max` connections, or a `rate` of batches per second);
 * for logmill, CPU is counted until its loader caught up.
 */
async function phase(server, mode = 'max', value = 16) {
  const before = cpuSeconds(server.child.pid);
  const result = load(server.url, mode, value, baseFile);
  const deadline = performance.now() + 60_000;
  if (server.name !== 'floor') while ((await pendingEvents(server.url)) > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const after = cpuSeconds(server.child.pid);
  return {
    ...result,
    cpuPerEvent: ((after.process - before.process) / result.acknowledged) * 1e6,
    mainPerEvent: ((after.main - before.main) / result.acknowledged) * 1e6,
  };
}

const base = baseEvent();
const loadAtStart = loadavg();
console.log(`ingest: batches of 100 events (${base.length} bytes each as JSON), ${seconds} s per phase, ${rounds} rounds, logmill on ${onClickHouse ? 'ClickHouse' : 'DuckDB'}${prefill > 0 ? `, holding ${prefill.toLocaleString('en-US')} events already` : ''}`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}, load average ${loadAtStart.map((n) => n.toFixed(2)).join(' ')}`);

const work = mkdtempSync(join(tmpdir(), 'logmill-bench-ingest-'));
const baseFile = join(work, 'event.json');
writeFileSync(baseFile, base);
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
const names = ['floor', 'logmill', ...(baselineCli === undefined ? [] : ['baseline'])];
const phases = Object.fromEntries(names.map((name) => [name, []]));
const half = {};
const servers = [];
try {
  mkdirSync(join(work, 'floor'));
  servers.push({ name: 'floor', ...(await startServer([join(here, 'floor.mjs'), join(work, 'floor')])) });
  servers.push({ name: 'logmill', ...(await startCollector(join(work, 'data'), storeAddress)) });
  if (baselineCli !== undefined) servers.push({ name: 'baseline', ...(await startCollector(join(work, 'baseline'), storeAddress === undefined ? undefined : `${storeAddress}_baseline`, baselineCli)) });
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always follows the other's leftovers.
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
      const result = await phase(server);
      phases[server.name].push(result);
      console.log(`  round ${round + 1} ${server.name.padEnd(8)} ${format(result.eventsPerSecond)} events/s, ${result.cpuPerEvent.toFixed(1)} µs CPU/event (main thread ${result.mainPerEvent.toFixed(1)}), ${result.failed} failed`);
    }
  }
  // Latency at half of logmill's rate, open loop, for both.
  const halfRate = Math.max(1, Math.round(median(phases.logmill.map((phase) => phase.eventsPerSecond)) / 2 / 100));
  // The same offered rate for every collector: their CPU per event here compares like with like.
  for (const server of servers) half[server.name] = await phase(server, 'rate', halfRate);
} finally {
  for (const server of servers) {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
  }
  await clickhouse?.stop();
  rmSync(work, { recursive: true, force: true });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
function format(n) {
  return Math.round(n).toLocaleString('en-US');
}
const summary = {};
for (const name of names) {
  summary[name] = {
    rate: median(phases[name].map((phase) => phase.eventsPerSecond)),
    cpu: median(phases[name].map((phase) => phase.cpuPerEvent)),
    main: median(phases[name].map((phase) => phase.mainPerEvent)),
  };
}
console.log(`\nmedians of ${rounds} rounds, 16 connections:`);
for (const name of names) {
  const { rate, cpu, main } = summary[name];
  const ratios = name === 'floor' ? '' : ` = ${(rate / summary.floor.rate).toFixed(2)}x the floor's events/s, ${(cpu / summary.floor.cpu).toFixed(2)}x its CPU per event (main thread ${(main / summary.floor.main).toFixed(2)}x); per round ${phases[name].map((phase, index) => (phase.eventsPerSecond / phases.floor[index].eventsPerSecond).toFixed(2)).join(', ')}`;
  console.log(`${`${name}:`.padEnd(10)}${format(rate)} events/s, ${cpu.toFixed(1)} µs CPU/event (main thread ${main.toFixed(1)})${ratios}`);
}
for (const name of names) {
  console.log(`half logmill's rate (${format(half[name].eventsPerSecond)} events/s) on ${name.padEnd(8)}: p50 ${half[name].p50.toFixed(1)} ms, p99 ${half[name].p99.toFixed(1)} ms, ${half[name].cpuPerEvent.toFixed(1)} µs CPU/event (main thread ${half[name].mainPerEvent.toFixed(1)}), ${half[name].failed} failed`);
}
console.log(`load average at the end ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
console.log(`target: logmill >= 0.5x the floor's events/s; p99 < 100 ms at half that rate on a quiet machine`);

const logmill = summary['logmill'];
writeResult({
  name: `ingest${onClickHouse ? '-clickhouse' : ''}${prefill > 0 ? '-prefilled' : ''}`,
  title: `Ingest${onClickHouse ? ' on ClickHouse' : ', against a floor collector'}${prefill > 0 ? `, into a store holding ${count(prefill)} events` : ''}`,
  about: `\`logmill serve\` (a real process, ${onClickHouse ? 'ClickHouse' : 'DuckDB'} store) beside a floor collector (\`bench/ingest/floor.mjs\`: fastify, \`JSON.parse\` per line, the raw lines appended to one file, one \`fdatasync\` per group of requests; no auth, schema, scrubbing, dedup or database), each under the same load generator in a second process (NDJSON batches of 100 copies of a ${base.length}-byte event, each with a fresh UUIDv7, 16 connections), in alternating phases of ${seconds} s, ${rounds} rounds, medians; CPU per event from /proc (all threads, until everything acknowledged is stored); then each at half logmill's rate (open loop, the same offered rate for all: latency, and CPU per event compared like with like). Every 2xx means durable and deduplicated.`,
  table: {
    columns: ['collector', '=events/s', '=CPU per event (µs)', '=main thread (µs)', '=vs the floor', '=p50 / p99 at half logmill\'s rate', '=CPU per event at that rate (main thread)'],
    rows: names.map((name) => [name, count(summary[name].rate), summary[name].cpu.toFixed(1), summary[name].main.toFixed(1), `${(summary[name].rate / summary.floor.rate).toFixed(2)}x`, `${half[name].p50.toFixed(1)} / ${half[name].p99.toFixed(1)} ms`, `${half[name].cpuPerEvent.toFixed(1)} (${half[name].mainPerEvent.toFixed(1)}) µs`]),
  },
  targets: [
    { target: 'logmill ≥ 0.5x the floor collector\'s events/s', measured: `${(logmill.rate / summary.floor.rate).toFixed(2)}x`, met: logmill.rate / summary.floor.rate >= 0.5 },
    { target: 'p99 < 100 ms at half that rate (on a quiet machine)', measured: `${half['logmill'].p99.toFixed(1)} ms`, met: half['logmill'].p99 < 100 },
  ],
  notes: [
    ...(baselineCli === undefined
      ? []
      : [`against the baseline (${baselineLabel}, in the same alternation): ${(logmill.rate / summary.baseline.rate).toFixed(2)}x its events/s at ${(logmill.cpu / summary.baseline.cpu).toFixed(2)}x its CPU per event (main thread ${(logmill.main / summary.baseline.main).toFixed(2)}x); at the same offered rate, ${(half['logmill'].cpuPerEvent / half['baseline'].cpuPerEvent).toFixed(2)}x its CPU per event (main thread ${(half['logmill'].mainPerEvent / half['baseline'].mainPerEvent).toFixed(2)}x)`]),
    `load average ${loadAtStart.map((n) => n.toFixed(1)).join(' ')} as the run began: on a busy machine every collector is short of CPU and the ratios move between runs`,
  ],
});
