// bench/browser-context: the nested-await chain of bench/context-propagation in Debian's Chromium:
// plain, Logmill (transformer), and zone.js, which cannot see native await and so needs the chain
// downlevelled to ES2015 generators. Each mode runs in a fresh page per round, rounds interleaved,
// ratios to plain taken per round (median). Then the click-and-timer scenario side by side: how
// many interleaved handlers kept their own context under each. Target (issue 7): Logmill <= 1.15x.
// Usage: node bench/browser-context/run.mjs [rounds] [iterations]   (after npm run build)
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { compileBenchmark, median, ts } from '../lib/compile.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const benchRoot = dirname(here);
const rounds = Number(process.argv[2] ?? 7);
const iterations = Number(process.argv[3] ?? 50_000);
const chainFiles = { plain: join(benchRoot, 'context-propagation/plain.ts'), logmill: join(benchRoot, 'context-propagation/chain.ts'), zone: join(here, 'zone-chain.ts') };
const loop = join(here, 'loop.ts');
const ES2015 = ts.ScriptTarget.ES2015;

/** Compiles and bundles one page script; `setup` is the entry's own code around the compiled modules. */
async function bundle(files, { transform = false, target, zone = false }, entryCode) {
  const directory = compileBenchmark(files, { transform, rootDir: benchRoot, target });
  const entry = join(directory, 'entry.js');
  writeFileSync(entry, `${zone ? "import 'zone.js';\n" : ''}${entryCode}`);
  // zone.js resolves from the repository (the compiled output directory only links logmill).
  const result = await build({ entryPoints: [entry], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent', nodePaths: [join(benchRoot, '..', 'node_modules')] });
  return result.outputFiles[0].text;
}

const chainEntry = (chain, context) => `import { level0 } from './${chain}';\nimport { timeChains } from './browser-context/loop.js';\n${context}\nwindow.bench = (n) => runInContext(() => timeChains(level0, n));\n`;
const modes = {
  plain: await bundle([chainFiles.plain, loop], {}, chainEntry('context-propagation/plain.js', 'const runInContext = (fn) => fn();')),
  'plain, ES2015 downlevel': await bundle([chainFiles.plain, loop], { target: ES2015 }, chainEntry('context-propagation/plain.js', 'const runInContext = (fn) => fn();')),
  logmill: await bundle([chainFiles.logmill, loop], { transform: {} }, chainEntry('context-propagation/chain.js', "import { withContext } from 'logmill';\nconst runInContext = (fn) => withContext({ request: 1 }, fn);")),
  'zone.js, ES2015 downlevel': await bundle([chainFiles.zone, loop], { target: ES2015, zone: true }, chainEntry('browser-context/zone-chain.js', "const runInContext = (fn) => Zone.current.fork({ name: 'request', properties: { depth: 1 } }).run(fn);")),
};
const scenarioEntry = "import { runScenario } from './browser-context/SCENARIO.js';\nwindow.runScenario = runScenario;\n";
const scenarios = {
  logmill: await bundle([join(here, 'scenario-logmill.ts'), join(here, 'scenario.ts')], { transform: {} }, scenarioEntry.replace('SCENARIO', 'scenario-logmill')),
  'zone.js, ES2015 downlevel': await bundle([join(here, 'scenario-zone.ts'), join(here, 'scenario.ts')], { target: ES2015, zone: true }, scenarioEntry.replace('SCENARIO', 'scenario-zone')),
  'zone.js, native await': await bundle([join(here, 'scenario-zone.ts'), join(here, 'scenario.ts')], { zone: true }, scenarioEntry.replace('SCENARIO', 'scenario-zone')),
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
async function inFreshPage(script, run, argument) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addScriptTag({ content: script });
  try {
    return await page.evaluate(run, argument);
  } finally {
    await context.close();
  }
}

const samples = new Map(Object.keys(modes).map((name) => [name, []]));
const checksums = new Map();
for (let round = 0; round < rounds; round++) {
  for (const [name, script] of Object.entries(modes)) {
    // Five timed runs per page after the warm-up, their median: one short run per page was at the
    // mercy of when the JIT finished optimizing.
    const { ms, checksum } = await inFreshPage(script, async (n) => {
      await window.bench(n);
      const times = [];
      let checksum = 0;
      for (let run = 0; run < 5; run++) {
        const start = performance.now();
        checksum = await window.bench(n);
        times.push(performance.now() - start);
      }
      return { ms: times.sort((a, b) => a - b)[2], checksum };
    }, iterations);
    samples.get(name).push(ms);
    checksums.set(name, checksum);
  }
}
const seen = {};
for (const [name, script] of Object.entries(scenarios)) seen[name] = await inFreshPage(script, () => window.runScenario(40));
const version = browser.version();
await browser.close();

const ratioOf = (name) => median(samples.get(name).map((ms, round) => ms / samples.get('plain')[round]));
console.log(`browser context propagation: 10 nested async calls x ${iterations} iterations, ${rounds} rounds, Chromium ${version}`);
console.log(`${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);
console.log('mode'.padEnd(30) + 'median ms'.padStart(10) + 'ns/call'.padStart(10) + 'ratio'.padStart(9) + '  leaf saw the context');
for (const name of Object.keys(modes)) {
  const ms = median(samples.get(name));
  const sawContext = name.startsWith('plain') ? '-' : Number.isFinite(checksums.get(name)) && checksums.get(name) > 0 ? 'yes' : 'NO';
  console.log(name.padEnd(30) + ms.toFixed(1).padStart(10) + ((ms * 1e6) / (iterations * 10)).toFixed(1).padStart(10) + `${ratioOf(name).toFixed(2)}x`.padStart(9) + `  ${sawContext}`);
}
console.log('clicks and timers, 40 interleaved handlers: handlers that kept their own context');
for (const [name, count] of Object.entries(seen)) console.log(`  ${name.padEnd(28)} ${count}/40`);
const target = ratioOf('logmill');
console.log(`target: logmill <= 1.15x plain in the browser: ${target <= 1.15 ? 'met' : 'NOT met'} (${target.toFixed(2)}x)`);
