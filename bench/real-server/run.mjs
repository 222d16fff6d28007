// The real-server benchmark: a fastify JSON API (app.ts: handler → service → repository, four awaits
// and one log call per request) under load from a separate process, in four modes, each in its own
// server process, rounds interleaved. CPU time of the server per request (process.cpuUsage, steadier
// than requests/s on a shared machine) and requests/s, as ratios to the plain build logging with pino.
//
//   node bench/real-server/run.mjs [--rounds 5] [--seconds 3] [--connections 16] [--node /path/to/node]...
//                                  [--modes pino,pino-als,logmill]
//
// Each --node runs the whole benchmark on that Node (default: this one); the result file has a
// column per Node. --modes leaves out the others (plain pino, the base of every ratio, always runs).
import { spawn, spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBenchmark, median, repositoryRoot } from '../lib/compile.mjs';
import { times, writeResult } from '../lib/results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const option = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const rounds = Number(option('rounds', 5));
const seconds = Number(option('seconds', 3));
const connections = Number(option('connections', 16));
const nodes = process.argv.flatMap((argument, index) => (argument === '--node' ? [process.argv[index + 1]] : []));
if (nodes.length === 0) nodes.push(process.execPath);
let node = nodes[0];

const allModes = [
  { name: 'pino', label: 'plain build, pino', build: 'plain' },
  { name: 'pino-als', label: 'plain build, pino + AsyncLocalStorage (run per request, mixin)', build: 'plain' },
  { name: 'logmill-plain', label: "plain build, Logmill's logger (no transform)", build: 'plain' },
  { name: 'logmill', label: 'Logmill: instrumented, withContext per request', build: 'instrumented' },
];

const chosen = option('modes', undefined)?.split(',');
const modes = chosen === undefined ? allModes : allModes.filter((mode) => mode.name === 'pino' || chosen.includes(mode.name));

function build(transform) {
  const outDir = compileBenchmark([join(here, 'app.ts')], { transform, rootDir: here });
  for (const name of ['fastify', 'pino']) symlinkSync(join(repositoryRoot, 'node_modules', name), join(outDir, 'node_modules', name), 'dir');
  return join(outDir, 'app.js');
}

const builds = { plain: build(false), instrumented: build({}) };

async function cpuOf(port) {
  const response = await fetch(`http://127.0.0.1:${port}/__cpu`);
  return response.json();
}

function load(port, duration) {
  const result = spawnSync(node, [join(here, 'load.mjs'), String(port), String(duration), String(connections)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`load generator failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function measure(mode) {
  const server = spawn(node, [builds[mode.build]], { env: { ...process.env, MODE: mode.name }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    server.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk).split('\n')[0]).port));
    server.once('exit', (code) => reject(new Error(`${mode.name} server exited ${code}`)));
  });
  load(port, 1); // warm-up: JIT, pools
  const before = await cpuOf(port);
  const started = performance.now();
  const { failed } = load(port, seconds);
  const elapsed = (performance.now() - started) / 1000;
  const after = await cpuOf(port);
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  // The /__cpu request itself is one more request, negligible against thousands.
  const requests = after.requests - before.requests;
  if (failed > 0) throw new Error(`${mode.name}: ${failed} requests failed`);
  return { cpuPerRequest: (after.cpuMicroseconds - before.cpuMicroseconds) / requests, requestsPerSecond: requests / elapsed };
}

const columns = [];
for (node of nodes) {
  const results = new Map(modes.map((mode) => [mode.name, []]));
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another mode, so no mode always runs first or last.
    const order = modes.map((_, index) => modes[(index + round) % modes.length]);
    for (const mode of order) results.get(mode.name).push(await measure(mode));
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }

  const baseline = results.get('pino');
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`Node ${version}, ${rounds} rounds of ${seconds} s, ${connections} connections`);
  console.log('| mode | CPU µs / request | CPU / request vs pino (median of paired ratios) | requests/s |');
  console.log('| --- | ---: | ---: | ---: |');
  const column = { version, ratios: new Map(), cpu: new Map() };
  for (const mode of modes) {
    const runs = results.get(mode.name);
    const ratios = runs.map((run, index) => run.cpuPerRequest / baseline[index].cpuPerRequest);
    column.ratios.set(mode.name, median(ratios));
    column.cpu.set(mode.name, median(runs.map((run) => run.cpuPerRequest)));
    console.log(`| ${mode.label} | ${median(runs.map((run) => run.cpuPerRequest)).toFixed(1)} | ${median(ratios).toFixed(2)} | ${Math.round(median(runs.map((run) => run.requestsPerSecond)))} |`);
  }
  columns.push(column);
}

writeResult({
  name: 'real-server',
  title: 'A real server',
  node: columns.map((column) => column.version).join(', '),
  about: `A fastify JSON API (\`app.ts\`: handler → service → repository, four awaits and one log call per request) under load from a separate process (\`load.mjs\`: ${connections} keep-alive connections), each mode in its own server process, ${rounds} rounds of ${seconds} s, rounds interleaved. The figure is the server's CPU time per request (\`process.cpuUsage\` around the load phase) as a ratio to plain pino's, the median of per-round ratios; the last rows are CPU µs per request.`,
  table: {
    columns: ['mode', ...columns.map((column) => `=${column.version}`)],
    rows: [
      ...modes.map((mode) => [mode.name === 'logmill' ? `**${mode.label}**` : mode.label, ...columns.map((column) => times(column.ratios.get(mode.name)))]),
      ...['pino', 'logmill'].map((name) => [`CPU µs per request, ${modes.find((mode) => mode.name === name).label}`, ...columns.map((column) => column.cpu.get(name).toFixed(1))]),
    ],
  },
  targets: [{
    target: 'instrumented Logmill with `withContext` no dearer than pino + AsyncLocalStorage on the same Node, and ≤ 1.15x plain pino',
    measured: columns.map((column) => `${times(column.ratios.get('logmill'))} against ${times(column.ratios.get('pino-als'))} on ${column.version}`).join('; '),
    met: columns.every((column) => column.ratios.get('logmill') <= Math.min(1.15, column.ratios.get('pino-als'))),
  }],
});
