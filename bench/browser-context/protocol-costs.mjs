// bench/browser-context/protocol-costs.mjs: where the protocol's cost goes in Chromium. The chain of
// bench/context-propagation is compiled with the transformer, and variants of that module drop one
// part of the protocol at a time (bench/lib/protocol-variants.mjs, the same variants
// bench/context-propagation/emitted-variants.mjs times on Node), each bundled as for the browser.
// All variants run in one page, rounds interleaved, and each is reported as a ratio to the
// uninstrumented chain. Only `emitted` keeps the context right.
// Usage: node bench/browser-context/protocol-costs.mjs [rounds] [iterations]   (after npm run build)
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { compileBenchmark, median, repositoryRoot } from '../lib/compile.mjs';
import { protocolVariants } from '../lib/protocol-variants.mjs';

const rounds = Number(process.argv[2] ?? 9);
const iterations = Number(process.argv[3] ?? 50_000);
const chainRoot = join(repositoryRoot, 'bench', 'context-propagation');

/** Bundles `module` (a compiled chain in `directory`) as a page script exposing `CHAIN.level0`. */
async function bundleChain(directory, module) {
  const entry = join(directory, `entry-${module}`);
  writeFileSync(entry, `export { level0 } from './${module}';\n`);
  const result = await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: 'CHAIN', platform: 'browser', write: false, logLevel: 'silent' });
  return result.outputFiles[0].text;
}

const variants = { plain: await bundleChain(compileBenchmark([join(chainRoot, 'plain.ts')], { transform: false, rootDir: chainRoot }), 'plain.js') };
const chainDirectory = compileBenchmark([join(chainRoot, 'chain.ts')], { transform: {}, rootDir: chainRoot });
for (const [index, [name, code]] of Object.entries(protocolVariants(readFileSync(join(chainDirectory, 'chain.js'), 'utf8'))).entries()) {
  writeFileSync(join(chainDirectory, `variant-${index}.js`), code);
  variants[name] = await bundleChain(chainDirectory, `variant-${index}.js`);
}
const page = `window.chains = {};\n${Object.entries(variants)
  .map(([name, code]) => `${code}\nwindow.chains[${JSON.stringify(name)}] = CHAIN.level0;`)
  .join('\n')}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const context = await browser.newContext();
const tab = await context.newPage();
await tab.addScriptTag({ content: page });
const samples = await tab.evaluate(async ({ rounds, iterations }) => {
  const run = async (level0, n) => { let checksum = 0; for (let i = 0; i < n; i++) checksum += await level0(i); return checksum; };
  const names = Object.keys(window.chains);
  for (const name of names) await run(window.chains[name], 30_000);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const start = performance.now();
      await run(window.chains[name], iterations);
      times[name].push(performance.now() - start);
    }
  }
  return times;
}, { rounds, iterations });
const version = browser.version();
await browser.close();

console.log(`protocol costs in Chromium ${version}: 10 nested async calls x ${iterations}, ${rounds} rounds in one page`);
for (const [name, times] of Object.entries(samples)) {
  const ratio = median(times.map((ms, round) => ms / samples.plain[round]));
  console.log(name.padEnd(28) + `${median(times).toFixed(1)} ms`.padStart(12) + `${ratio.toFixed(2)}x`.padStart(9));
}
