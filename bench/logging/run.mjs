// bench/logging: a million `info` calls with one %s arg and three bound attributes to NDJSON on
// /dev/null, Logmill (with context and call sites) against pino, LogTape and winston doing the same
// work; each library in its own process, rounds interleaved, medians. Then the same calls below the
// level threshold. Usage: node bench/logging/run.mjs [rounds] [iterations]
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBenchmark, median } from '../lib/compile.mjs';
import { count, times, writeResult } from '../lib/results.mjs';

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
const rows = new Map(libraries.map((library) => [library, [library]]));
const targets = [];
for (const level of ['info', 'debug']) {
  const samples = measure(level, iterations);
  const ratioToPino = (library) => median(samples.get(library).map((ms, round) => samples.get('pino')[round] / ms));
  console.log(level === 'info' ? '\nenabled (info):' : '\nbelow the threshold (debug with level info):');
  console.log('library'.padEnd(12) + 'median ms'.padStart(11) + 'logs/s'.padStart(13) + 'vs pino'.padStart(10));
  for (const library of libraries) {
    const ms = median(samples.get(library));
    if (level === 'info') rows.get(library).push(ms.toFixed(1), count((iterations / ms) * 1000), times(ratioToPino(library)));
    else rows.get(library).push(ms.toFixed(1), times(ratioToPino(library)));
    console.log(library.padEnd(12) + ms.toFixed(1).padStart(11) + Math.round((iterations / ms) * 1000).toLocaleString('en').padStart(13) + `${ratioToPino(library).toFixed(2)}x`.padStart(10));
  }
  const ratio = ratioToPino('logmill');
  const target = level === 'info' ? 1.2 : 1.0;
  console.log(`target: logmill ${level === 'info' ? 'throughput' : 'below-threshold speed'} >= ${target}x pino: ${ratio >= target ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
  targets.push({ target: level === 'info' ? `throughput ≥ ${target}x pino's` : "a call below the level threshold no slower than pino's", measured: times(ratio), met: ratio >= target });
}
const names = { logmill: 'Logmill', pino: 'pino', logtape: 'LogTape', winston: 'winston' };
writeResult({
  name: 'logging',
  title: 'Logging',
  about: `${iterations.toLocaleString('en-US')} \`info\` calls with one \`%s\` arg through a logger bound to three attributes, NDJSON to \`/dev/null\`, each library in its own process, ${rounds} rounds; then the same calls at \`debug\` with the level at \`info\`. Logmill is compiled with the transformer and called inside an instrumented function under \`withContext\`, so every line also carries the request variable, the two-frame logical stack and the call site (about 600 bytes a line against pino's 130). pino with \`pino.destination({ sync: false })\` and a child with three bindings; LogTape with a JSON Lines stream sink and \`with()\`; winston with \`splat\`, \`timestamp\`, \`json\`, a file transport and \`child\`. "vs pino" is speed relative to pino (higher is faster).`,
  table: { columns: ['library', '=enabled: median ms', '=logs/s', '=vs pino', '=below threshold: median ms', '=vs pino'], rows: [...rows].map(([library, row]) => [names[library], ...row.slice(1)]) },
  targets,
});
