// Compiles benchmark programs with or without the Logmill transformer, the way ts-patch would.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
export const ts = require('typescript');
export const logmillTransformer = require(join(repositoryRoot, 'dist/cjs/transformer/index.js')).default;

/** Compiles `files` (absolute paths) to a fresh ESM output directory where `logmill` resolves. */
export function compileBenchmark(files, { transform, rootDir, target = ts.ScriptTarget.ES2022 }) {
  const outDir = mkdtempSync(join(tmpdir(), 'logmill-bench-'));
  mkdirSync(join(outDir, 'node_modules'));
  symlinkSync(repositoryRoot, join(outDir, 'node_modules/logmill'), 'dir');
  symlinkSync(join(repositoryRoot, 'node_modules/@opentelemetry'), join(outDir, 'node_modules/@opentelemetry'), 'dir');
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }');
  const program = ts.createProgram(files, {
    target,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(repositoryRoot, 'node_modules/@types')],
    rootDir,
    outDir,
    baseUrl: repositoryRoot,
    paths: { logmill: ['dist/esm/runtime/node.d.ts'], 'logmill/opentelemetry': ['dist/esm/runtime/opentelemetry.d.ts'] },
  });
  const before = transform === false ? [] : [logmillTransformer(program, { root: rootDir, ...transform }, { ts })];
  const result = program.emit(undefined, undefined, undefined, false, { before });
  if (result.emitSkipped) throw new Error('benchmark program did not compile');
  return outDir;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
