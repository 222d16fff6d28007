// bench/logging: a million `info` calls with one %s arg and three bound attributes to NDJSON on
// /dev/null, Logmill (with context and call sites) against pino, LogTape and winston doing the same
// work; each library in its own process, rounds interleaved, medians. Then the same calls below the
// level threshold. Usage: node bench/logging/run.mjs [rounds] [iterations]
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBenchmark, median } from '../lib/compile.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 5);
const iterations = Number(process.argv[3] ?? 1_000_000);
const compiled = compileBenchmark([join(here, 'logmill-program.ts')], { transform: {}, rootDir: here });
const program = join(compiled, 'logmill-program.js');
const libraries = ['logmill', 'pino', 'logtape', 'winston'];

function measure(level, count) {
  const samples = new Map(libraries.map((library) => [library, []]));
  for (let round = 0; round < rounds; round++) {
    for (const library of libraries) {
      const output = execFileSync(process.execPath, [join(here, 'worker.mjs'), library, String(count), level, program], {
        cwd: compiled,
        encoding: 'utf8',
      });
      samples.get(library).push(JSON.parse(output).ms);
    }
  }
  return samples;
}

console.log(`logging: ${iterations} calls, one %s arg, three bound attributes, NDJSON to /dev/null, ${rounds} rounds`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);
for (const level of ['info', 'debug']) {
  const samples = measure(level, iterations);
  const ratioToPino = (library) => median(samples.get(library).map((ms, round) => samples.get('pino')[round] / ms));
  console.log(level === 'info' ? '\nenabled (info):' : '\nbelow the threshold (debug with level info):');
  console.log('library'.padEnd(12) + 'median ms'.padStart(11) + 'logs/s'.padStart(13) + 'vs pino'.padStart(10));
  for (const library of libraries) {
    const ms = median(samples.get(library));
    console.log(library.padEnd(12) + ms.toFixed(1).padStart(11) + Math.round((iterations / ms) * 1000).toLocaleString('en').padStart(13) + `${ratioToPino(library).toFixed(2)}x`.padStart(10));
  }
  const ratio = ratioToPino('logmill');
  const target = level === 'info' ? 1.2 : 1.0;
  console.log(`target: logmill ${level === 'info' ? 'throughput' : 'below-threshold speed'} >= ${target}x pino: ${ratio >= target ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
}
