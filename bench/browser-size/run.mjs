// bench/browser-size: what the browser runtime with the delivery sink costs a page, min+gzip, as
// an app bundles it (esbuild, browser conditions, minified): the logger, context API, hooks the
// transformer emits, and browserSink. Prints the largest modules too. Budget (issue 7): 6 KB.
// Usage: node bench/browser-size/run.mjs   (after npm run build)
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repositoryRoot } from '../lib/compile.mjs';

const budget = 6 * 1024;
const entries = {
  'runtime + browserSink + hooks': `import { log, browserSink, withContext, event, identify } from 'logmill';\nimport * as hooks from 'logmill/hooks';\nglobalThis.used = [log, browserSink, withContext, event, identify, hooks];`,
  'hooks only (instrumented code, no logging)': `import * as hooks from 'logmill/hooks';\nglobalThis.used = hooks;`,
};
// An app directory where `logmill` resolves to this build through its package exports.
const directory = mkdtempSync(join(tmpdir(), 'logmill-size-'));
mkdirSync(join(directory, 'node_modules'));
symlinkSync(repositoryRoot, join(directory, 'node_modules/logmill'), 'dir');
console.log(`browser bundle sizes (esbuild, minified, gzip -9), ${new Date().toISOString()}`);

for (const [name, source] of Object.entries(entries)) {
  const entry = join(directory, 'entry.js');
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const gzipped = gzipSync(code, { level: 9 }).length;
  const verdict = name.startsWith('runtime') ? `  (budget ${budget} B: ${gzipped <= budget ? 'met' : 'NOT met'})` : '';
  console.log(`${name.padEnd(46)} ${String(code.length).padStart(7)} B min ${String(gzipped).padStart(7)} B min+gzip${verdict}`);
  if (name.startsWith('runtime')) {
    const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput);
    for (const [file, input] of inputs.slice(0, 8)) console.log(`    ${String(input.bytesInOutput).padStart(6)} B  ${file.replace(/^.*dist\/esm\/runtime\//, '')}`);
  }
}
