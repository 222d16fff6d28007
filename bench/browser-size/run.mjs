// bench/browser-size: what Logmill costs a page, min+gzip, as an app bundles it: small apps
// compiled with the transformer, bundled by esbuild with the browser conditions and minified, so
// only what the instrumented code and the app really use is counted. Prints the largest modules
// too. Budget (issue 7): the runtime with the delivery sink ≤ 6 KB.
// Usage: node bench/browser-size/run.mjs   (after npm run build)
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
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
console.log(`browser bundle sizes (transformer, esbuild, minified, gzip -9), ${new Date().toISOString()}`);
for (const [name, file] of Object.entries(apps)) {
  // compileBenchmark's output directory resolves `logmill` to this build through its exports.
  const directory = compileBenchmark([join(here, `${file}.ts`)], { transform: {}, rootDir: here });
  const entry = join(directory, 'entry.js');
  writeFileSync(entry, `import { main } from './${file}.js';\nmain();\n`);
  const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent' });
  const code = result.outputFiles[0].contents;
  const gzipped = gzipSync(code, { level: 9 }).length;
  const logging = file === 'app-logging';
  const verdict = logging ? `  (budget ${budget} B: ${gzipped <= budget ? 'met' : 'NOT met'})` : '';
  console.log(`${name.padEnd(48)} ${String(code.length).padStart(7)} B min ${String(gzipped).padStart(7)} B min+gzip${verdict}`);
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput);
  for (const [path, input] of inputs.slice(0, logging ? 8 : 4)) console.log(`    ${String(input.bytesInOutput).padStart(6)} B  ${path.replace(/^.*dist\/esm\/runtime\//, '')}`);
}
