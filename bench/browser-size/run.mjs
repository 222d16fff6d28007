// bench/browser-size: what Logmill costs a page, min+gzip, as an app bundles it: small apps
// compiled with the transformer, bundled by esbuild with the browser conditions and minified, so
// only what the instrumented code and the app really use is counted.
//
// Two figures per app: the runtime alone (an entry that re-exports exactly the `logmill` and
// `logmill/hooks` names the compiled app uses: what the budget counts) and the whole app bundle
// (the runtime plus the app's own instrumented code). Then the gzip bytes each runtime module adds,
// measured by minifying the runtime without it. Budget (issue 7): the runtime with the delivery
// sink ≤ 6 KB; the run exits with status 1 when the runtime is over it, which makes it a CI check.
// Usage: node bench/browser-size/run.mjs   (after npm run build)
import { build, transform } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { compileBenchmark } from '../lib/compile.mjs';

const budget = 6 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const apps = {
  'logging + browserSink (app-logging.ts)': 'app-logging',
  'context propagation only (app-propagation.ts)': 'app-propagation',
};

const gzipped = (code) => gzipSync(code, { level: 9 }).length;

async function bundle(entry, minify) {
  const result = await build({ entryPoints: [entry], bundle: true, minify, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  return result.outputFiles[0].text;
}

/** An entry re-exporting the runtime names the compiled app imports, and nothing of the app. */
function runtimeEntry(directory, file) {
  const app = readFileSync(join(directory, `${file}.js`), 'utf8');
  const named = [...app.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]logmill['"]/g)].flatMap((match) => match[1].split(',').map((name) => name.trim()).filter(Boolean));
  const hooks = [...new Set([...app.matchAll(/__logmill\.(\w+)/g)].map((match) => match[1]))];
  const entry = join(directory, 'runtime-entry.js');
  writeFileSync(entry, `export { ${named.join(', ')} } from 'logmill';\nexport { ${hooks.join(', ')} } from 'logmill/hooks';\n`);
  return entry;
}

/** Gzip bytes each module adds: the minified runtime's size with and without the module's code. */
async function moduleCosts(entry) {
  const pretty = await bundle(entry, false);
  const modules = pretty.split(/\n(?=\/\/ )/);
  const whole = gzipped((await transform(pretty, { minify: true, format: 'esm' })).code);
  const costs = [];
  for (let index = 0; index < modules.length; index++) {
    const without = modules.filter((_, other) => other !== index).join('\n');
    // A module holding an export the entry re-exports cannot be left out: no figure for it.
    const size = await transform(without, { minify: true, format: 'esm' }).then((result) => gzipped(result.code), () => undefined);
    const name = modules[index].split('\n')[0].replace(/^\/\/ (.*dist\/esm\/runtime\/)?/, '');
    costs.push([name, size === undefined ? undefined : whole - size]);
  }
  return costs.filter(([, cost]) => cost !== undefined).sort((a, b) => b[1] - a[1]);
}

console.log(`browser bundle sizes (transformer, esbuild, minified, gzip -9), ${new Date().toISOString()}`);
for (const [name, file] of Object.entries(apps)) {
  // compileBenchmark's output directory resolves `logmill` to this build through its exports.
  // As a page's build is configured: nothing in a page reads functions' source text back.
  const directory = compileBenchmark([join(here, `${file}.ts`)], { transform: { keepSourceText: false }, rootDir: here });
  const appEntry = join(directory, 'entry.js');
  writeFileSync(appEntry, `import { main } from './${file}.js';\nmain();\n`);
  const entry = runtimeEntry(directory, file);
  const runtime = await bundle(entry, true);
  const whole = await bundle(appEntry, true);
  const logging = file === 'app-logging';
  const met = gzipped(runtime) <= budget;
  if (logging && !met) process.exitCode = 1;
  const verdict = logging ? `  (budget ${budget} B: ${met ? 'met' : 'NOT met'})` : '';
  console.log(name);
  console.log(`    runtime alone     ${String(runtime.length).padStart(7)} B min ${String(gzipped(runtime)).padStart(6)} B min+gzip${verdict}`);
  console.log(`    with the app      ${String(whole.length).padStart(7)} B min ${String(gzipped(whole)).padStart(6)} B min+gzip`);
  if (!logging) continue;
  console.log('    gzip bytes each runtime module adds (not shown: the modules holding the exported names):');
  for (const [module, cost] of (await moduleCosts(entry)).slice(0, 12)) console.log(`    ${String(cost).padStart(8)} B  ${module}`);
}
