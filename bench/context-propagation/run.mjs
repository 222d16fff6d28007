// bench/context-propagation: 10 nested async functions, each mode in its own process, rounds
// interleaved, medians, ratios to plain. Usage: node bench/context-propagation/run.mjs [rounds] [iterations]
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBenchmark, median } from '../lib/compile.mjs';
import { times, writeResult } from '../lib/results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 7);
const iterations = Number(process.argv[3] ?? 100_000);

const source = (name) => join(here, `${name}.ts`);
const plainDir = compileBenchmark([source('plain'), source('hand-passed'), source('async-local-storage')], { transform: false, rootDir: here });
const stackDir = compileBenchmark([source('chain')], { transform: {}, rootDir: here });
const noStackDir = compileBenchmark([source('chain')], { transform: { stack: false }, rootDir: here });

const modes = [
  { name: 'plain', file: join(plainDir, 'plain.js') },
  { name: 'logmill (stack frames)', file: join(stackDir, 'chain.js') },
  { name: 'logmill (no frames)', file: join(noStackDir, 'chain.js') },
  { name: 'logmill (stack frames, new context per chain)', file: join(stackDir, 'chain.js'), fallback: 'per-request' },
  { name: 'logmill (stack frames, ALS fallback on)', file: join(stackDir, 'chain.js'), fallback: 'fallback-on' },
  { name: 'AsyncLocalStorage', file: join(plainDir, 'async-local-storage.js') },
  { name: 'hand-passed argument', file: join(plainDir, 'hand-passed.js') },
];

const samples = new Map(modes.map((mode) => [mode.name, []]));
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    const output = execFileSync(process.execPath, [join(here, 'worker.mjs'), mode.file, String(iterations), mode.fallback ?? 'fallback-off'], {
      cwd: dirname(mode.file),
      encoding: 'utf8',
    });
    samples.get(mode.name).push(JSON.parse(output).ms);
  }
}

// The machine drifts between rounds, so each ratio is taken within its round and the median of
// those per-round ratios is reported next to the median times.
const ratioOf = (name) => median(samples.get(name).map((ms, round) => ms / samples.get('plain')[round]));
console.log(`context propagation: 10 nested async calls x ${iterations} iterations, ${rounds} rounds`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);
const rows = [];
console.log('mode'.padEnd(46) + 'median ms'.padStart(10) + 'ns/call'.padStart(10) + 'ratio'.padStart(9));
for (const mode of modes) {
  const ms = median(samples.get(mode.name));
  const perCall = (ms * 1e6) / (iterations * 10);
  rows.push([mode.name, ms.toFixed(1), perCall.toFixed(1), times(ratioOf(mode.name))]);
  console.log(mode.name.padEnd(46) + ms.toFixed(1).padStart(10) + perCall.toFixed(1).padStart(10) + `${ratioOf(mode.name).toFixed(2)}x`.padStart(9));
}
const target = ratioOf('logmill (stack frames)');
console.log(`target: logmill with stack frames <= 1.10x plain: ${target <= 1.1 ? 'met' : 'NOT met'} (${target.toFixed(2)}x)`);
writeResult({
  name: 'context-propagation',
  title: 'Context propagation',
  about: `A chain of 10 nested async functions, the leaf reading the context as a log call would; ${iterations.toLocaleString('en-US')} chains per run, ${rounds} rounds, each mode in its own process. "A new context per chain" runs each chain under its own \`withContext\`, as a request handler's would be; "ALS fallback on" is what every await costs once something turns AsyncLocalStorage on.`,
  table: { columns: ['mode', '=median ms', '=ns per call', '=ratio to plain'], rows },
  targets: [{ target: 'Logmill with stack frames ≤ 1.10x plain', measured: times(target), met: target <= 1.1 }],
});
