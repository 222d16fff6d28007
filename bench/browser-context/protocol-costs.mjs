// bench/browser-context/protocol-costs.mjs: where the protocol's cost goes in Chromium. The chain of
// bench/context-propagation is compiled with the transformer and bundled as for the browser; variants
// of that bundle then drop one part of the protocol at a time (the slot writes around awaits, those
// at returns, the error-noting catch, everything but entering). All variants run in one page, rounds
// interleaved, and each is reported as a ratio to the uninstrumented chain. The variants are
// measurements, not correct programs: only `emitted` keeps the context right.
// Usage: node bench/browser-context/protocol-costs.mjs [rounds] [iterations]   (after npm run build)
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { compileBenchmark, median, repositoryRoot } from '../lib/compile.mjs';

const rounds = Number(process.argv[2] ?? 9);
const iterations = Number(process.argv[3] ?? 50_000);
const benchRoot = join(repositoryRoot, 'bench');

async function bundleChain(chain, transform) {
  const directory = compileBenchmark([join(benchRoot, 'context-propagation', chain)], { transform, rootDir: benchRoot });
  const entry = join(directory, 'entry.js');
  writeFileSync(entry, `export { level0 } from './context-propagation/${chain.replace('.ts', '.js')}';\n`);
  const result = await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: 'CHAIN', platform: 'browser', write: false, logLevel: 'silent' });
  return result.outputFiles[0].text;
}

const plain = await bundleChain('plain.ts', false);
const emitted = await bundleChain('chain.ts', {});
const handBack = /__logmillSlot\.current = __logmillOuter, __logmillAwaited = await __logmillAwaited, __logmillOuter = __logmillSlot\.current, __logmillSlot\.current = __logmillContext,/g;
const returnHandBack = /, __logmillSlot\.current = __logmillOuter, __logmillAwaited(\)?);/g;
const errorCatch = /catch \(__logmillError\) \{[\s\S]*?throw thrown\(__logmillError, __logmillContext\);\s*\}/g;
const entrySlot = /let __logmillOuter = __logmillSlot\.current(, __logmillAwaited)?;\s*__logmillSlot\.current = __logmillContext;/g;
const withoutCatch = (code) => code.replace(errorCatch, '').replace(/try \{/g, '{');
const variants = {
  plain,
  emitted,
  'no hand-back at awaits': emitted.replace(handBack, '__logmillAwaited = await __logmillAwaited,'),
  'no hand-back at returns': emitted.replace(returnHandBack, ', __logmillAwaited$1;'),
  'no catch': withoutCatch(emitted),
  'slot from the module binding': emitted.replace(/const __logmillSlot = slot;/g, '').replace(/__logmillSlot\./g, 'slot.'),
  'enter and pass only': withoutCatch(emitted.replace(handBack, '__logmillAwaited = await __logmillAwaited,').replace(returnHandBack, ', __logmillAwaited$1;')).replace(entrySlot, 'let __logmillAwaited;'),
};
for (const [name, code] of Object.entries(variants)) {
  if (name !== 'plain' && name !== 'emitted' && code === emitted) throw new Error(`variant "${name}" did not change the emitted code`);
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
