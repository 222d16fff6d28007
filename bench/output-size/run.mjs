// bench/output-size: how much bigger the transformer makes what it emits, on real code.
//
// 1. Emit in bytes: a real project's JavaScript through `tsc` with `allowJs`, once plain and once
//    with the transformer (defaults, which keep what `toString` needs of each rewritten
//    function's plain text, and with `keepSourceText: false`). fastify's `lib/` (32 CommonJS files, the
//    project the target names, with few async functions) and Vite's `dist/node/` (ES modules dense
//    with async functions and awaits), both from this repository's node_modules.
// 2. A page's bundle: the dashboard (server/dashboard/src, d3 and all) compiled plain and with the
//    transformer (`keepSourceText: false`, as a page is built), each bundled by esbuild for the
//    browser, minified, gzip -9.
// Targets: emit ≤ 1.5x plain, the page's bundle ≤ 1.15x plain.
// Usage: node bench/output-size/run.mjs   (after npm run build)
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { logmillTransformer, repositoryRoot, ts } from '../lib/compile.mjs';
import { count, times, writeResult } from '../lib/results.mjs';


const emitTarget = 1.5;
const bundleTarget = 1.15;

const version = (name) => JSON.parse(readFileSync(join(repositoryRoot, 'node_modules', name, 'package.json'), 'utf8')).version;
const javascriptFiles = (directory) =>
  readdirSync(directory, { recursive: true })
    .map((name) => join(directory, String(name)))
    .filter((file) => /\.(c|m)?js$/.test(file) && statSync(file).isFile());

/** Bytes of every .js file `program` emits, with `before` transformers; also the emitted texts. */
function emitBytes(program, before) {
  let bytes = 0;
  const texts = new Map();
  const result = program.emit(undefined, (name, text) => {
    if (!/\.(c|m)?js$/.test(name)) return;
    bytes += Buffer.byteLength(text);
    texts.set(name, text);
  }, undefined, false, { before });
  if (result.emitSkipped) throw new Error('the corpus did not compile');
  return { bytes, texts };
}

/** A real project's JavaScript through allowJs: plain, instrumented, instrumented without source texts. */
function measureCorpus(directory) {
  const files = javascriptFiles(directory);
  const program = ts.createProgram(files, {
    allowJs: true,
    checkJs: false,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
    // The corpus alone: what its imports reach (other packages, files outside the folder) is not emitted.
    noResolve: true,
    rootDir: directory,
    outDir: join(tmpdir(), 'logmill-output-size'),
  });
  const transformer = (options) => [logmillTransformer(program, { root: directory, ...options }, { ts })];
  const plain = emitBytes(program, []);
  const instrumented = emitBytes(program, transformer({}));
  const withoutTexts = emitBytes(program, transformer({ keepSourceText: false }));
  const awaits = files.reduce((total, file) => total + (readFileSync(file, 'utf8').match(/\bawait\b/g)?.length ?? 0), 0);
  return { files: files.length, awaits, plain: plain.bytes, instrumented: instrumented.bytes, withoutTexts: withoutTexts.bytes };
}

/** The dashboard's sources compiled (plain or instrumented) into a directory where `logmill` resolves. */
function compileDashboard(transform) {
  const sourceRoot = join(repositoryRoot, 'server');
  const outDir = mkdtempSync(join(tmpdir(), 'logmill-output-size-'));
  mkdirSync(join(outDir, 'node_modules'));
  symlinkSync(repositoryRoot, join(outDir, 'node_modules/logmill'), 'dir');
  const { config } = ts.readConfigFile(join(sourceRoot, 'dashboard/tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, join(sourceRoot, 'dashboard'));
  const files = parsed.fileNames.filter((file) => file.includes('/dashboard/src/'));
  const program = ts.createProgram(files, { ...parsed.options, noEmit: false, outDir, rootDir: sourceRoot });
  const before = transform ? [logmillTransformer(program, { root: sourceRoot, keepSourceText: false }, { ts })] : [];
  const result = program.emit(undefined, undefined, undefined, false, { before });
  if (result.emitSkipped) throw new Error('the dashboard did not compile');
  return join(outDir, 'dashboard/src/main.js');
}

async function pageBundle(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    // The stylesheet is not the emitted code's: the same in both builds, left out of both.
    external: ['*.css'],
    nodePaths: [join(repositoryRoot, 'node_modules')],
  });
  const code = result.outputFiles[0].text;
  return { minified: Buffer.byteLength(code), gzipped: gzipSync(code, { level: 9 }).length };
}

const corpora = [
  { label: `fastify ${version('fastify')} lib/`, directory: join(repositoryRoot, 'node_modules/fastify/lib') },
  { label: `vite ${version('vite')} dist/node/`, directory: join(repositoryRoot, 'node_modules/vite/dist/node') },
];
console.log(`output size, ${new Date().toISOString()}`);
const rows = [];
const targets = [];
for (const corpus of corpora) {
  const measured = measureCorpus(corpus.directory);
  const ratio = measured.instrumented / measured.plain;
  const ratioWithoutTexts = measured.withoutTexts / measured.plain;
  console.log(
    `${corpus.label}: ${measured.files} files, ${measured.awaits} awaits; plain ${measured.plain} B, instrumented ${measured.instrumented} B (${ratio.toFixed(3)}x), without source texts ${measured.withoutTexts} B (${ratioWithoutTexts.toFixed(3)}x)`,
  );
  rows.push(
    [`${corpus.label} (${measured.files} files, ${count(measured.awaits)} ${measured.awaits === 1 ? 'await' : 'awaits'}), allowJs emit`, 'plain', count(measured.plain), '', '1.00x'],
    [`${corpus.label}, allowJs emit`, 'instrumented (defaults)', count(measured.instrumented), '', times(ratio)],
    [`${corpus.label}, allowJs emit`, 'instrumented, `keepSourceText: false`', count(measured.withoutTexts), '', times(ratioWithoutTexts)],
  );
  targets.push({ target: `${corpus.label} instrumented emit ≤ ${emitTarget}x plain`, measured: times(ratio), met: ratio <= emitTarget });
}

const plainPage = await pageBundle(compileDashboard(false));
const instrumentedPage = await pageBundle(compileDashboard(true));
const pageRatio = instrumentedPage.gzipped / plainPage.gzipped;
console.log(
  `dashboard page bundle: plain ${plainPage.minified} B min ${plainPage.gzipped} B min+gzip; instrumented ${instrumentedPage.minified} B min ${instrumentedPage.gzipped} B min+gzip (${pageRatio.toFixed(3)}x)`,
);
rows.push(
  ['the dashboard page (server/dashboard, d3 included), esbuild', 'plain', count(plainPage.minified), count(plainPage.gzipped), '1.00x'],
  ['the dashboard page, esbuild', 'instrumented, `keepSourceText: false`', count(instrumentedPage.minified), count(instrumentedPage.gzipped), times(pageRatio)],
);
targets.push({ target: `minified, gzipped page bundle ≤ ${bundleTarget}x plain`, measured: times(pageRatio), met: pageRatio <= bundleTarget });

writeResult({
  name: 'output-size',
  title: 'Output size',
  about:
    "What the transformer adds to the code it emits. A real project's JavaScript through `tsc` with `allowJs` (ES2022, NodeNext), plain and with the transformer: fastify's `lib/` (the project the target names; few of its functions are async) and Vite's `dist/node/` (dense with async functions). The instrumented emit with defaults keeps what `toString` needs of every rewritten function's plain text (one table per module, holding only what the rewrite changed; the rest is read back from the emitted code between marking comments); pages are built with `keepSourceText: false`. Then a page: the dashboard (server/dashboard/src with d3) compiled plain and with the transformer, bundled by esbuild for the browser, minified, gzip -9.",
  table: { columns: ['code', 'build', '=bytes (minified for the page)', '=min+gzip', '=ratio to plain'], rows },
  targets,
});

