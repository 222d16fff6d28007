// bench/opentelemetry: a traced request (an active span, ten nested awaits, a child span at the
// bottom) with OpenTelemetry's AsyncLocalStorageContextManager against LogmillContextManager on
// code compiled with the transformer; each mode in its own process, rounds interleaved, per-round
// ratios to the AsyncLocalStorage manager, medians. Also: no context manager at all (children lose
// their parent), for the cost of tracing itself.
// Usage: node bench/opentelemetry/run.mjs [rounds] [iterations]
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBenchmark, median } from '../lib/compile.mjs';
import { times, writeResult } from '../lib/results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 7);
const iterations = Number(process.argv[3] ?? 50_000);
const source = join(here, 'traced.ts');
const plainDir = compileBenchmark([source], { transform: false, rootDir: here });
const instrumentedDir = compileBenchmark([source], { transform: {}, rootDir: here });
const noFramesDir = compileBenchmark([source], { transform: { stack: false }, rootDir: here });

const modes = [
  { name: 'AsyncLocalStorageContextManager', file: join(plainDir, 'traced.js'), manager: 'async-local-storage' },
  { name: 'LogmillContextManager (transformer)', file: join(instrumentedDir, 'traced.js'), manager: 'logmill' },
  { name: 'LogmillContextManager (transformer, no frames)', file: join(noFramesDir, 'traced.js'), manager: 'logmill' },
  { name: 'LogmillContextManager (transformer + ALS fallback)', file: join(instrumentedDir, 'traced.js'), manager: 'logmill-fallback' },
  { name: 'no context manager (parents lost)', file: join(plainDir, 'traced.js'), manager: 'none' },
];
const samples = new Map(modes.map((mode) => [mode.name, []]));
const parented = new Map();
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    const output = JSON.parse(execFileSync(process.execPath, [join(here, 'worker.mjs'), mode.file, String(iterations), mode.manager], { cwd: dirname(mode.file), encoding: 'utf8' }));
    samples.get(mode.name).push(output.ms);
    parented.set(mode.name, output.parented);
  }
}
const baseline = 'AsyncLocalStorageContextManager';
console.log(`OpenTelemetry context managers: ${iterations.toLocaleString('en-US')} traced requests (10 nested awaits, 2 spans) per run, ${rounds} rounds`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);
const rows = [];
console.log('mode'.padEnd(52) + 'median'.padStart(10) + 'per request'.padStart(13) + '  vs ALS manager  leaf spans parented');
for (const mode of modes) {
  const ms = median(samples.get(mode.name));
  const ratio = median(samples.get(mode.name).map((value, round) => value / samples.get(baseline)[round]));
  rows.push([mode.name, ms.toFixed(0), ((ms * 1000) / iterations).toFixed(2), times(ratio), `${(parented.get(mode.name) * 100).toFixed(0)}%`]);
  console.log(mode.name.padEnd(52) + `${ms.toFixed(0)} ms`.padStart(10) + `${((ms * 1000) / iterations).toFixed(2)} µs`.padStart(13) + `${ratio.toFixed(2)}x`.padStart(16) + `${(parented.get(mode.name) * 100).toFixed(0)}%`.padStart(21));
}

const logmillRatio = median(samples.get('LogmillContextManager (transformer)').map((value, round) => value / samples.get(baseline)[round]));
writeResult({
  name: 'opentelemetry',
  title: 'OpenTelemetry context managers',
  about: `A traced request: \`startActiveSpan\`, ten nested async functions awaiting each other, and a child span at the bottom that must find the request's span as its parent (a span processor checks every one). OpenTelemetry's \`AsyncLocalStorageContextManager\` on the uninstrumented build against \`LogmillContextManager\` on the build with the transformer; ${iterations.toLocaleString('en-US')} requests per run, ${rounds} rounds, each mode in its own process.`,
  table: { columns: ['mode', '=median ms', '=µs per request', '=vs ALS manager', '=leaf spans parented'], rows },
  targets: [{ target: 'the Logmill manager cheaper than the AsyncLocalStorage manager', measured: times(logmillRatio), met: logmillRatio < 1 }],
  notes: ['With the AsyncLocalStorage fallback also on (code the transformer did not see), both mechanisms run, which is the third Logmill row.'],
});
