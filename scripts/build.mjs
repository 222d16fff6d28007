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
rmSync(join(root, 'server/dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'server/tsconfig.build.json')], { stdio: 'inherit', cwd: root });
chmodSync(join(root, 'server/dist/cli/main.js'), 0o755);

const { build } = await import('vite');
await build({ configFile: join(root, 'server/dashboard/vite.config.ts') });
