/**
 * A pnpm (or Yarn) workspace: the app depends on logmill and on a workspace package that does not,
 * linked from outside node_modules. The plugins instrument that package like the app's own code,
 * so it imports `logmill/hooks`, which it cannot resolve from where it lies; the plugins resolve
 * it from the folder the logmill package was installed into. Loads a copy of the built package
 * (dist/) laid out as pnpm installs it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';

const workspace = mkdtempSync(join(tmpdir(), 'logmill-workspace-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

// pnpm's layout: the package itself in the store's node_modules, next to its dependencies; the
// app's node_modules holds links into the store; the workspace package is linked from its folder.
const store = join(workspace, 'node_modules/.pnpm/logmill@0.1.0/node_modules');
mkdirSync(join(store, 'logmill'), { recursive: true });
cpSync(join(repositoryRoot, 'package.json'), join(store, 'logmill/package.json'));
cpSync(join(repositoryRoot, 'dist'), join(store, 'logmill/dist'), { recursive: true });
symlinkSync(join(repositoryRoot, 'node_modules/unplugin'), join(store, 'unplugin'), 'dir');
const app = join(workspace, 'packages/app');
const library = join(workspace, 'packages/greeter');
mkdirSync(join(app, 'node_modules'), { recursive: true });
mkdirSync(join(app, 'src'));
mkdirSync(join(library, 'src'), { recursive: true });
symlinkSync(join(store, 'logmill'), join(app, 'node_modules/logmill'), 'dir');
symlinkSync(library, join(app, 'node_modules/greeter'), 'dir');
writeFileSync(join(library, 'package.json'), JSON.stringify({ name: 'greeter', version: '1.0.0', type: 'module', exports: './src/index.ts' }));
writeFileSync(join(library, 'src/index.ts'), `
export async function greet(name: string, done: (greeting: string) => void): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  done('hello ' + name);
}
`);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module', dependencies: { logmill: '0.1.0', greeter: 'workspace:*' } }));
writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true } }));
writeFileSync(join(app, 'src/main.ts'), `
import { log, memorySink, withContext } from 'logmill';
import { greet } from 'greeter';
const sink = memorySink();
await withContext({ requestId: 'r1' }, () => greet('ann', (greeting) => log.info(greeting)));
const event = sink.events[0]!;
console.log(JSON.stringify({ message: event.message, vars: event.context.vars, stack: event.context.stack.map((frame) => frame.function) }));
`);

const plugins = createRequire(join(app, 'package.json'))('logmill/bundler') as typeof import('../../transformer/bundler-plugin.js');
const entry = join(app, 'src/main.ts');

const bundlers: Record<string, (outDir: string) => Promise<string>> = {
  async esbuild(outDir) {
    const { build } = await import('esbuild');
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', plugins: [plugins.esbuild({ typescript: ts })], outfile: join(outDir, 'esbuild.mjs'), logLevel: 'silent' });
    return join(outDir, 'esbuild.mjs');
  },
  async vite(outDir) {
    const { build } = await import('vite');
    await build({
      root: app, configFile: false, logLevel: 'silent', plugins: [plugins.vite({ typescript: ts })],
      ssr: { noExternal: true },
      build: { ssr: entry, outDir, emptyOutDir: false, minify: false, rollupOptions: { output: { entryFileNames: 'vite.mjs' } } },
    });
    return join(outDir, 'vite.mjs');
  },
  async webpack(outDir) {
    const webpack = (await import('webpack')).default;
    const compiler = webpack({
      mode: 'none', target: 'node', entry, context: app, devtool: false, experiments: { outputModule: true, topLevelAwait: true },
      output: { path: outDir, filename: 'webpack.mjs', module: true, library: { type: 'module' } },
      resolve: { extensions: ['.ts', '.js'] },
      plugins: [plugins.webpack({ typescript: ts })],
    });
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) => compiler.run((error, result) => (error ? reject(error) : resolve(result!))));
    if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
    return join(outDir, 'webpack.mjs');
  },
};

describe.each(Object.keys(bundlers))('the %s plugin in a pnpm workspace', (name) => {
  it('instruments a workspace package that does not depend on logmill, with the runtime the app installed', async () => {
    const outDir = mkdtempSync(join(workspace, `${name}-`));
    const bundle = await bundlers[name]!(outDir);
    const run = spawnSync(process.execPath, [bundle], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ message: 'hello ann', vars: { requestId: 'r1' }, stack: ['greet'] });
  });
});
