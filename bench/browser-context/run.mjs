// bench/browser-context: the nested-await chain of bench/context-propagation in Debian's Chromium:
// plain, Logmill (transformer), and zone.js, which cannot see native await and so needs the chain
// downlevelled to ES2015 generators. Plain and Logmill run in one page, warmed up, rounds
// interleaved, ratios to plain taken per round (median): fresh pages per round measured mostly how
// far each page's JIT had got (the same mode varied by 2x between pages). The downlevelled modes
// each run alone in a page the same way, their ratios taken against plain's median: zone.js
// replaces the page's Promise, and the ES2015 chain sharing a page with native async functions
// slowed those down (Logmill measured 2.0x instead of 1.3x beside it). Then the click-and-timer
// scenario side by side: how many interleaved handlers kept their own context under each.
// Target: Logmill <= 1.15x.
// Usage: node bench/browser-context/run.mjs [rounds] [iterations]   (after npm run build)
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { compileBenchmark, median, ts } from '../lib/compile.mjs';
import { times, writeResult } from '../lib/results.mjs';

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

const chainEntry = (chain, context) => `import { level0 } from './${chain}';\nimport { timeChains } from './browser-context/loop.js';\n${context}\n(window.benches ??= []).push((n) => runInContext(() => timeChains(level0, n)));\n`;
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

/** Runs the page's benches (in the order their scripts were added): warm-up, then interleaved rounds. */
async function timeInOnePage(scripts) {
  return inFreshPage(scripts.join('\n;\n'), async ({ n, rounds }) => {
    const checksums = [];
    for (const bench of window.benches) await bench(n);
    const times = window.benches.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [index, bench] of window.benches.entries()) {
        const start = performance.now();
        checksums[index] = await bench(n);
        times[index].push(performance.now() - start);
      }
    }
    return { times, checksums };
  }, { n: iterations, rounds });
}

const samples = new Map();
const checksums = new Map();
const unpatched = ['plain', 'logmill'];
for (const group of [unpatched, ...Object.keys(modes).filter((name) => !unpatched.includes(name)).map((name) => [name])]) {
  const { times, checksums: sums } = await timeInOnePage(group.map((name) => modes[name]));
  group.forEach((name, index) => {
    samples.set(name, times[index]);
    checksums.set(name, sums[index]);
  });
}
const seen = {};
for (const [name, script] of Object.entries(scenarios)) seen[name] = await inFreshPage(script, () => window.runScenario(40));
const version = browser.version();
await browser.close();

// Per-round ratios within the shared page; the others ran in their own pages: ratios of medians.
const ratioOf = (name) => (unpatched.includes(name)
  ? median(samples.get(name).map((ms, round) => ms / samples.get('plain')[round]))
  : median(samples.get(name)) / median(samples.get('plain')));
console.log(`browser context propagation: 10 nested async calls x ${iterations} iterations, ${rounds} rounds, plain and Logmill in one page, Chromium ${version}`);
console.log(`${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);
const rows = [];
console.log('mode'.padEnd(30) + 'median ms'.padStart(10) + 'ns/call'.padStart(10) + 'ratio'.padStart(9) + '  leaf saw the context');
for (const name of Object.keys(modes)) {
  const ms = median(samples.get(name));
  const sawContext = name.startsWith('plain') ? '-' : Number.isFinite(checksums.get(name)) && checksums.get(name) > 0 ? 'yes' : 'NO';
  rows.push([name, ms.toFixed(1), ((ms * 1e6) / (iterations * 10)).toFixed(1), times(ratioOf(name)), sawContext, '']);
  console.log(name.padEnd(30) + ms.toFixed(1).padStart(10) + ((ms * 1e6) / (iterations * 10)).toFixed(1).padStart(10) + `${ratioOf(name).toFixed(2)}x`.padStart(9) + `  ${sawContext}`);
}
console.log('clicks and timers, 40 interleaved handlers: handlers that kept their own context');
for (const [name, count] of Object.entries(seen)) console.log(`  ${name.padEnd(28)} ${count}/40`);
const target = ratioOf('logmill');
console.log(`target: logmill <= 1.15x plain in the browser: ${target <= 1.15 ? 'met' : 'NOT met'} (${target.toFixed(2)}x)`);
const handlers = { logmill: 'logmill', 'zone.js, ES2015 downlevel': 'zone.js, ES2015 downlevel' };
for (const row of rows) if (handlers[row[0]] !== undefined) row[5] = `${seen[handlers[row[0]]]}/40`;
for (const [name, kept] of Object.entries(seen)) if (!rows.some((row) => row[0] === name)) rows.push([name, '', '', '', '', `${kept}/40`]);
writeResult({
  name: 'browser-context',
  title: 'Context propagation in the browser',
  about: `The nested-await chain of the Node benchmark (10 async functions, the leaf reading the context) in Debian's Chromium ${version}, headless, each mode bundled by esbuild; ${iterations.toLocaleString('en-US')} chains per run, ${rounds} rounds. Plain and Logmill share one page, warmed up, rounds interleaved (per-round ratios); the downlevelled modes each run alone in a page. zone.js cannot see native \`await\`, so its chain is compiled to ES2015 generators, as Angular does; "plain, ES2015 downlevel" shows what that compilation alone costs. "Click handlers" is the click-and-timer scenario: 40 clicks dispatched on timers, each handler awaiting timers and microtasks and checking that it still sees its own click.`,
  table: { columns: ['mode', '=median ms', '=ns per call', '=ratio to plain', 'leaf saw the context', '=click handlers that kept their context'], rows },
  targets: [{ target: 'Logmill ≤ 1.15x plain in the browser', measured: times(target), met: target <= 1.15 }],
});
