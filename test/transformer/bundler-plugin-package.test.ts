/**
 * `logmill/bundler` as an app gets it: its declarations type-check with `skipLibCheck: false` and
 * give each plugin its bundler's plugin type (not `any`), and the Vite plugin has the dev server
 * optimize `logmill/hooks` up front, so the first page load is not followed by a reload. Loads the
 * built package (dist/).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { createServer } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';

const require = createRequire(import.meta.url);
const plugins = require(join(repositoryRoot, 'dist/cjs/transformer/bundler-plugin.js')) as typeof import('../../transformer/bundler-plugin.js');

const app = mkdtempSync(join(tmpdir(), 'logmill-bundler-types-'));
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('the logmill/bundler declarations', () => {
  it('type-check with skipLibCheck false and type vite() and rspack() as their bundlers\' plugins', () => {
    // The app resolves the bundlers from the repository's node_modules, logmill through its own.
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(repositoryRoot, join(app, 'node_modules/logmill'), 'dir');
    for (const dependency of ['unplugin', 'vite', 'typescript', 'webpack', 'rollup', 'esbuild', '@types']) {
      symlinkSync(join(repositoryRoot, 'node_modules', dependency), join(app, 'node_modules', dependency), 'dir');
    }
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bundler-types', private: true, type: 'module' }));
    writeFileSync(join(app, 'config.ts'), [
      "import * as logmill from 'logmill/bundler';",
      "import type { Plugin } from 'vite';",
      'const fromVite: Plugin | Plugin[] = logmill.vite({ stack: false });',
      '// @ts-expect-error a Vite plugin is not a number: vite() is not typed any',
      'const notANumber: number = logmill.vite();',
      'const forRspack = logmill.rspack();',
      'export { fromVite, notANumber, forRspack };',
      '',
    ].join('\n'));
    const program = ts.createProgram([join(app, 'config.ts')], {
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true,
      skipLibCheck: false, types: ['node'], target: ts.ScriptTarget.ES2022,
    });
    // unplugin's own declarations import every bundler it supports; those not installed here
    // (Rspack, Rolldown, Bun...) are unplugin's business. Logmill's and the app's must be clean.
    const ours = ts.getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file === undefined || !diagnostic.file.fileName.includes('/node_modules/unplugin/'))
      .map((diagnostic) => `${diagnostic.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    expect(ours).toEqual([]);
  });
});

describe('the webpack plugin', () => {
  it.each(['commonjs', 'module'])('bundles the TypeScript of a "type": "%s" package (npm init writes commonjs), and its .cts files', async (type) => {
    // webpack's own rules make such a .ts file, and any .cts file, CommonJS, where the plugin's
    // output (an ES module with imports) would not parse.
    const root = mkdtempSync(join(app, `webpack-${type}-`));
    mkdirSync(join(root, 'node_modules'));
    symlinkSync(repositoryRoot, join(root, 'node_modules/logmill'), 'dir');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: `webpack-${type}`, private: true, type }));
    writeFileSync(join(root, 'cart.cts'), 'export async function add(item: string): Promise<string> { await null; return item; }\n');
    writeFileSync(join(root, 'main.ts'), [
      "import { addSink, configureContext, log, withContext } from 'logmill';",
      "import { add } from './cart.cts';",
      "configureContext({ asyncLocalStorage: 'never' });",
      'addSink((event) => console.log(JSON.stringify([event.message, event.context.vars, event.code?.line])));',
      "async function handle(): Promise<void> { log.info('added %s', await add('pen')); }",
      "void withContext({ requestId: 'w1' }, () => handle());",
      '',
    ].join('\n'));
    const webpack = (await import('webpack')).default;
    const compiler = webpack({
      mode: 'none', target: 'node', entry: './main.ts', context: root, devtool: false,
      output: { path: join(root, 'out'), filename: 'main.cjs' },
      externals: { logmill: 'commonjs logmill', 'logmill/hooks': 'commonjs logmill/hooks' },
      resolve: { extensions: ['.ts', '.cts', '.js'] },
      plugins: [plugins.webpack()],
    });
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) => compiler.run((error, result) => (error ? reject(error) : resolve(result!))));
    expect(stats.hasErrors() ? stats.toString('errors-only') : '').toBe('');
    const ran = spawnSync(process.execPath, [join(root, 'out/main.cjs')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual(['added pen', { requestId: 'w1' }, 5]);
  });
});

describe('the Vite plugin', () => {
  it('adds logmill/hooks (or the configured runtime) to optimizeDeps.include on the dev server', async () => {
    const root = mkdtempSync(join(app, 'vite-'));
    writeFileSync(join(root, 'index.html'), '<script type="module" src="/main.ts"></script>');
    for (const [plugin, expected] of [[plugins.vite(), 'logmill/hooks'], [plugins.vite({ runtime: 'logmill/hooks?custom' }), 'logmill/hooks?custom']] as const) {
      const server = await createServer({ root, configFile: false, logLevel: 'silent', plugins: [plugin], server: { middlewareMode: true, ws: false } });
      try {
        expect(server.config.optimizeDeps.include).toContain(expected);
      } finally {
        await server.close();
      }
    }
  });
});
