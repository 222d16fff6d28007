// Builds the runtime as ESM and CommonJS, the transformer as CommonJS (ts-patch loads it with require),
// the collector package in server/ (which imports the runtime's build), and the collector's
// dashboard with Vite into server/dist/dashboard.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'tsconfig.build.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit', cwd: root });
}
mkdirSync(join(root, 'dist/cjs'), { recursive: true });
writeFileSync(join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
// `logmill/transformer` is what ts-patch requires: a module whose export is the transformer
// itself (module.exports = function), so every loader sees the same value, whether it reads
// `.default` (ts-patch, bundlers honouring __esModule) or not (Node's ESM import of CommonJS).
// TypeScript emits `exports.default` for index.ts, hence this small entry with `export =` types.
writeFileSync(join(root, 'dist/cjs/transformer/plugin.js'), [
  "'use strict';",
  "const { default: logmillTransformer, createLogmillTransformer } = require('./index.js');",
  'module.exports = logmillTransformer;',
  'module.exports.default = logmillTransformer;',
  'module.exports.createLogmillTransformer = createLogmillTransformer;',
  '',
].join('\n'));
writeFileSync(join(root, 'dist/cjs/transformer/plugin.d.ts'), [
  "import type * as TS from 'typescript';",
  "import type { TransformerExtras as Extras, TransformerOptions as Options, createLogmillTransformer as create } from './index.js';",
  '/** The ts-patch entry point: `(program, config, { ts }) => TransformerFactory<SourceFile>`. */',
  'declare function logmillTransformer(program: TS.Program, config?: Options, extras?: Extras): TS.TransformerFactory<TS.SourceFile>;',
  'declare namespace logmillTransformer {',
  '  type TransformerOptions = Options;',
  '  type TransformerExtras = Extras;',
  '  /** Builds the transformer factory for one program (or, with `undefined`, for one module without a checker). */',
  '  const createLogmillTransformer: typeof create;',
  '  const _default: typeof logmillTransformer;',
  '  export { TransformerOptions, TransformerExtras, createLogmillTransformer, _default as default };',
  '}',
  'export = logmillTransformer;',
  '',
].join('\n'));
rmSync(join(root, 'server/dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'server/tsconfig.build.json')], { stdio: 'inherit', cwd: root });
chmodSync(join(root, 'server/dist/cli/main.js'), 0o755);

const { build } = await import('vite');
await build({ configFile: join(root, 'server/dashboard/vite.config.ts') });
