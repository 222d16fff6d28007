// bench/context-propagation/emitted-variants.mjs: where the protocol's cost goes on Node, on the
// code the transformer really emits (protocol-costs.mjs measures a hand-written model of it). The
// chain is compiled with the transformer, and variants of that module drop one part of the protocol
// at a time (bench/lib/protocol-variants.mjs, the same variants the Chromium benchmark times). All
// run in one process, rounds interleaved, each reported as the median of its per-round ratios to
// the uninstrumented chain.
// Usage: node bench/context-propagation/emitted-variants.mjs [rounds] [iterations]   (after npm run build)
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileBenchmark, median } from '../lib/compile.mjs';
import { protocolVariants } from '../lib/protocol-variants.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 11);
const iterations = Number(process.argv[3] ?? 100_000);

const plainDirectory = compileBenchmark([join(here, 'plain.ts')], { transform: false, rootDir: here });
const chainDirectory = compileBenchmark([join(here, 'chain.ts')], { transform: {}, rootDir: here });
const chains = { plain: (await import(pathToFileURL(join(plainDirectory, 'plain.js')).href)).level0 };
for (const [index, [name, code]] of Object.entries(protocolVariants(readFileSync(join(chainDirectory, 'chain.js'), 'utf8'))).entries()) {
  // Each variant is its own module, in the directory where `logmill` resolves to this build.
  const file = join(chainDirectory, `variant-${index}.js`);
  writeFileSync(file, code);
  chains[name] = (await import(pathToFileURL(file).href)).level0;
}

const run = async (level0, n) => {
  let checksum = 0;
  for (let i = 0; i < n; i++) checksum += await level0(i);
  return checksum;
};
for (const level0 of Object.values(chains)) await run(level0, iterations / 2);
const samples = Object.fromEntries(Object.keys(chains).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, level0] of Object.entries(chains)) {
    const start = performance.now();
    await run(level0, iterations);
    samples[name].push(performance.now() - start);
  }
}

console.log(`protocol costs on Node ${process.version}, emitted code: 10 nested async calls x ${iterations}, ${rounds} rounds in one process`);
console.log(`${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);
for (const [name, times] of Object.entries(samples)) {
  const ratio = median(times.map((ms, round) => ms / samples.plain[round]));
  console.log(name.padEnd(28) + `${median(times).toFixed(1)} ms`.padStart(12) + `${ratio.toFixed(2)}x`.padStart(9));
}
