/**
 * The package's types as an app's compiler resolves them through `exports`: the documented imports
 * type-check under every `moduleResolution` an app may use (node16, nodenext, bundler, node10,
 * preserve, with and without the `browser` custom condition), and each condition's types declare
 * every value its JavaScript exports. Loads dist/ (run `node scripts/build.mjs` first); the
 * packages suite under test/e2e repeats the resolution matrix on TypeScript 5.9, 6 and 7 from the
 * packed tarball.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';

const app = mkdtempSync(join(tmpdir(), 'logmill-types-'));
mkdirSync(join(app, 'node_modules'));
symlinkSync(repositoryRoot, join(app, 'node_modules/logmill'), 'dir');
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'types-app', private: true, type: 'module' }));
afterAll(() => rmSync(app, { recursive: true, force: true }));

const sources: Record<string, string> = {
  'browser.ts': [
    "import { browserSink, captureErrors, log, type BrowserSinkOptions } from 'logmill';",
    "const options: BrowserSinkOptions = { url: 'https://logs.example.com', key: 'lm_ingest_xxxxxxxxxxxxxxxx' };",
    'captureErrors();',
    'const sink = browserSink(options);',
    "log.info('ready %s', sink.statistics.delivered);",
    'export {};',
  ].join('\n'),
  'node.ts': [
    "import { httpSink, ndjsonSink, log, type HttpSinkOptions } from 'logmill';",
    "const options: HttpSinkOptions = { url: 'http://127.0.0.1:4318', key: 'lm_ingest_xxxxxxxxxxxxxxxx' };",
    'ndjsonSink({ destination: 1 });',
    'const sink = httpSink(options);',
    "log.info('ready %s', sink.statistics.delivered);",
    'export {};',
  ].join('\n'),
  'require.cts': [
    "import logmill = require('logmill');",
    "logmill.browserSink({ url: 'https://logs.example.com', key: 'lm_ingest_xxxxxxxxxxxxxxxx' });",
    "logmill.httpSink({ url: 'http://127.0.0.1:4318', key: 'lm_ingest_xxxxxxxxxxxxxxxx' });",
  ].join('\n'),
};
for (const [name, text] of Object.entries(sources)) writeFileSync(join(app, name), text);

function diagnostics(options: ts.CompilerOptions, files: string[]): string[] {
  const program = ts.createProgram(files.map((file) => join(app, file)), {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: [],
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
    ...options,
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) =>
    `${diagnostic.file?.fileName.slice(app.length + 1) ?? ''}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
}

const { ModuleKind: Module, ModuleResolutionKind: Resolution } = ts;

describe('the documented imports type-check under every module resolution', () => {
  it.each([
    ['node16', { module: Module.Node16, moduleResolution: Resolution.Node16 }, ['browser.ts', 'node.ts', 'require.cts']],
    ['nodenext', { module: Module.NodeNext, moduleResolution: Resolution.NodeNext }, ['browser.ts', 'node.ts', 'require.cts']],
    ['bundler', { module: Module.ESNext, moduleResolution: Resolution.Bundler }, ['browser.ts', 'node.ts']],
    ['preserve + bundler', { module: Module.Preserve, moduleResolution: Resolution.Bundler }, ['browser.ts', 'node.ts']],
    ['node10', { module: Module.CommonJS, moduleResolution: Resolution.Node10 }, ['browser.ts', 'node.ts']],
    ['bundler + browser condition', { module: Module.ESNext, moduleResolution: Resolution.Bundler, customConditions: ['browser'] }, ['browser.ts']],
    ['preserve + browser condition', { module: Module.Preserve, moduleResolution: Resolution.Bundler, customConditions: ['browser'] }, ['browser.ts']],
  ] as Array<[string, ts.CompilerOptions, string[]]>)('%s', (_name, options, files) => {
    expect(diagnostics(options, files)).toEqual([]);
  });

  it('with the browser condition the Node-only sinks are absent from the types, as from the browser build', () => {
    const found = diagnostics({ module: Module.ESNext, moduleResolution: Resolution.Bundler, customConditions: ['browser'] }, ['node.ts']);
    expect(found.join('\n')).toMatch(/no exported member 'httpSink'/);
    expect(found.join('\n')).toMatch(/no exported member 'ndjsonSink'/);
  });
});

interface Leaf {
  path: string;
  types: string;
  code: string;
}

/** Every `{ types, default }` pair in the exports map, with its condition path. */
function leaves(node: unknown, path: string[] = []): Leaf[] {
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  if (typeof record['types'] === 'string' && typeof record['default'] === 'string') {
    return [{ path: path.join(' > '), types: record['types'], code: record['default'] }];
  }
  return Object.entries(record).flatMap(([key, value]) => leaves(value, [...path, key]));
}

/** The value exports a declaration file declares (types and interfaces left out). */
function declaredValues(file: string): Set<string> {
  const program = ts.createProgram([file], { noEmit: true, types: [], module: Module.NodeNext, moduleResolution: Resolution.NodeNext });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  return new Set(checker.getExportsOfModule(symbol)
    .filter((exported) => {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      return (target.flags & ts.SymbolFlags.Value) !== 0;
    })
    .map((exported) => exported.name));
}

describe('the exports map', () => {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const all = Object.entries(manifest.exports)
    .filter(([subpath]) => !subpath.endsWith('.json'))
    .flatMap(([subpath, conditions]) => leaves(conditions, [subpath]));
  const require = createRequire(import.meta.url);

  it('has types beside every JavaScript entry', () => {
    expect(all.length).toBeGreaterThan(10);
    for (const leaf of all) expect(leaf.types.replace(/\.d\.ts$/, '.js'), leaf.path).toMatch(/\.js$/);
  });

  it.each(all.filter((leaf) => leaf.path.startsWith('. >') || leaf.path.startsWith('./hooks')).map((leaf) => [leaf.path, leaf] as const))(
    '%s: the types declare every value the JavaScript exports',
    async (_path, leaf) => {
      const code = join(repositoryRoot, leaf.code);
      const runtime = leaf.code.includes('/cjs/') ? require(code) as Record<string, unknown> : await import(pathToFileURL(code).href) as Record<string, unknown>;
      const declared = declaredValues(join(repositoryRoot, leaf.types));
      const missing = Object.keys(runtime).filter((name) => name !== 'default' && name !== '__esModule' && !declared.has(name));
      expect(missing).toEqual([]);
    },
  );
});
