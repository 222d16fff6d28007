// bench/real-apps/scan-installed.mjs: the transform over the JavaScript of packages installed in
// node_modules (code nobody here wrote: frameworks, bundlers, test runners, clients), each package
// as one program under allowJs, verbose. It fails on any function the transform gave up on (and
// left as written) and on any output that no longer parses. It runs nothing: the real-apps run
// does that for three projects with their own test suites. Usage (after npm run build):
//   node bench/real-apps/scan-installed.mjs [package ...]
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { logmillTransformer, repositoryRoot, ts } from '../lib/compile.mjs';
import { writeResult } from '../lib/results.mjs';

const defaults = [
  'fastify', 'avvio', 'light-my-request', 'pino', 'pino-abstract-transport', 'thread-stream', 'fastq', 'vite', 'vitest',
  'rollup', 'webpack', 'playwright-core', '@clickhouse/client', 'prom-client', 'glob', 'esbuild', 'tinyexec',
];
const packages = process.argv.length > 2 ? process.argv.slice(2) : defaults;

/** Whether `text` still parses: as a module when it imports or exports, else as a script. */
function parses(text) {
  if (/^\s*(import|export)\s/m.test(text)) {
    const check = spawnSync(process.execPath, ['--input-type=module', '--check'], { input: text, encoding: 'utf8' });
    return check.status === 0 ? undefined : check.stderr.split('\n').slice(0, 5).join(' / ');
  }
  try {
    new Script(text);
    return undefined;
  } catch (error) {
    return String(error);
  }
}

let failures = 0;
const rows = [];
console.log(`the transform over installed packages (allowJs, verbose, ES2022), ${new Date().toISOString()}`);
for (const name of packages) {
  const root = join(repositoryRoot, 'node_modules', name);
  const files = ts.sys
    .readDirectory(root, ['.js', '.mjs', '.cjs'], ['**/node_modules/**', '**/*.min.js'])
    .filter((file) => statSync(file).size < 2_000_000 && /\basync\b/.test(readFileSync(file, 'utf8')));
  const program = ts.createProgram(files, {
    allowJs: true, checkJs: false, noResolve: true, skipLibCheck: true, types: [],
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler,
    rootDir: root, outDir: join(root, '.logmill-scan'),
  });
  const gaveUp = [];
  const outputs = new Map();
  const transformer = logmillTransformer(program, { root, verbose: true }, { ts, addDiagnostic: (diagnostic) => gaveUp.push(diagnostic) });
  // Written to memory only: nothing lands in node_modules.
  program.emit(undefined, (file, text) => /\.[cm]?js$/.test(file) && outputs.set(file, text), undefined, false, { before: [transformer] });
  let instrumented = 0;
  const unparsable = [];
  for (const [file, text] of outputs) {
    if (text.includes('__logmill.enter(')) instrumented++;
    const problem = parses(text);
    if (problem !== undefined) unparsable.push(`${file}: ${problem}`);
  }
  failures += gaveUp.length + unparsable.length;
  rows.push([name, String(files.length), String(instrumented), String(gaveUp.length), String(unparsable.length)]);
  console.log(`${name.padEnd(26)} ${String(files.length).padStart(4)} files with async  ${String(instrumented).padStart(4)} instrumented  ${gaveUp.length} given up  ${unparsable.length} unparsable`);
  for (const diagnostic of gaveUp) console.log(`    ${diagnostic.file?.fileName}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
  for (const problem of unparsable) console.log(`    ${problem}`);
}
console.log(failures === 0 ? 'every file transformed, every output parses' : `${failures} problems`);
writeResult({
  name: 'scan-installed',
  title: 'The transform over installed packages',
  about: 'The JavaScript of installed packages, each compiled as one `allowJs` program (verbose, ES2022) through the transform, in memory: it must give up on no function, and every output must still parse. None of it is run (the real-apps benchmark runs projects\' own tests). "Files with async" are files in which the word appears; those with no async function have nothing to instrument.',
  table: { columns: ['package', '=files with async', '=instrumented', '=given up', '=unparsable'], rows },
  targets: [{ target: 'nothing given up, every output parses', measured: `${failures} problems`, met: failures === 0 }],
});
if (failures > 0) process.exitCode = 1;
