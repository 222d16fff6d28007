// `npm start`: compiles the demo shop with tspc and the Logmill transformer, starts the collector
// on the embedded DuckDB store (data in ./logmill-data), runs the shop against it, then keeps the
// collector and a live shop (a few requests a second) running for the dashboard until Ctrl-C.
// `node examples/run.mjs --once` stops both after the first run.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const repository = join(root, '..');
const shop = join(root, 'shop');
const once = process.argv.includes('--once');
const data = process.env.LOGMILL_DATA ?? join(repository, 'logmill-data');
const port = process.env.LOGMILL_PORT ?? '4318';

// The demo resolves `logmill` to this checkout, as an app resolves it from node_modules.
mkdirSync(join(shop, 'node_modules'), { recursive: true });
if (!existsSync(join(shop, 'node_modules/logmill'))) symlinkSync(repository, join(shop, 'node_modules/logmill'), 'dir');
console.log('compiling examples/shop with tspc and the logmill transformer ...');
execFileSync(process.execPath, [join(repository, 'node_modules/ts-patch/bin/tspc.js'), '-p', join(shop, 'tsconfig.json')], { stdio: 'inherit' });

console.log(`starting the collector (logmill serve --data ${data} --port ${port}) ...`);
// Its own process group: Ctrl-C in the terminal reaches this script and the shop, not the
// collector, which is stopped only once the shop has delivered its last events to it.
const collector = spawn(process.execPath, [join(repository, 'server/dist/cli/main.js'), 'serve', '--data', data, '--port', port], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
process.on('exit', () => collector.kill('SIGTERM'));
const url = await new Promise((resolve, reject) => {
  let output = '';
  collector.stdout.on('data', (chunk) => {
    output += chunk;
    process.stdout.write(chunk);
    const match = /listening on (\S+)/.exec(output);
    if (match) resolve(match[1]);
  });
  collector.once('exit', (code) => reject(new Error(`the collector exited (${code}); is port ${port} taken? Set LOGMILL_PORT.`)));
});
const keys = JSON.parse(readFileSync(join(data, 'keys.json'), 'utf8'));

console.log('\nrunning examples/shop/dist/main.js against it\n');
execFileSync(process.execPath, ['--enable-source-maps', join(shop, 'dist/main.js')], {
  stdio: 'inherit',
  env: { ...process.env, LOGMILL_URL: url, LOGMILL_INGEST_KEY: keys.ingest },
});

// /metrics answers keys with direct access only: its per-project counters are exact and live.
const stored = /^logmill_storage_rows (\d+)/m.exec(await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${keys.admin}` } })).text())?.[1];
console.log(`
The collector holds ${stored} events in ${data}/events.duckdb. Where to look:
  ${url}/#key=${keys.admin}
                                     the dashboard (live tail, overview, funnels, experiments, health),
                                     opened with the admin key; ${url}/ alone asks for a key
  curl -H 'authorization: Bearer ${keys.admin}' ${url}/metrics
                                     Prometheus metrics (events accepted, duplicates, rejects, latency; needs direct access)
  ${url}/healthz, ${url}/readyz
  curl -H 'authorization: Bearer ${keys.admin}' ${url}/api/events/<event id>
  keys (ingest, read, admin):        ${join(data, 'keys.json')}
`);
if (once) {
  collector.kill('SIGTERM');
} else {
  // The shop again, serving a few requests a second, so the dashboard has live data to show.
  const live = spawn(process.execPath, ['--enable-source-maps', join(shop, 'dist/main.js')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOGMILL_URL: url, LOGMILL_INGEST_KEY: keys.ingest, DEMO_LIVE: '1', DEMO_REQUESTS: '0' },
  });
  console.log('The collector and a live shop keep running; Ctrl-C stops them.');
  const stop = () => {
    live.kill('SIGTERM');
    live.once('exit', () => collector.kill('SIGTERM'));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
