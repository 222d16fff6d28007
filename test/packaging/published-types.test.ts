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

describe('the public types under exactOptionalPropertyTypes', () => {
  // Every `types` leaf of package.json's exports, but the hooks instrumented code imports.
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const entries = [...new Set(Object.entries(manifest.exports)
    .filter(([subpath]) => !subpath.endsWith('.json') && subpath !== './hooks')
    .flatMap(([subpath, conditions]) => leaves(conditions, [subpath]))
    .map((leaf) => join(repositoryRoot, leaf.types)))];

  /**
   * `Type.property` for each optional property, of what an app passes in (the parameters of the
   * exported functions, constructors and methods, and every type reached through their
   * properties), whose written type does not include `undefined`.
   */
  function optionalPropertiesRefusingUndefined(): string[] {
    const program = ts.createProgram(entries, {
      strict: true, exactOptionalPropertyTypes: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ['node'], typeRoots: [join(repositoryRoot, 'node_modules/@types')],
    });
    const checker = program.getTypeChecker();
    const ours = (node: ts.Node) => node.getSourceFile().fileName.startsWith(join(repositoryRoot, 'dist'));
    const found = new Set<string>();
    const seen = new Set<ts.Type>();
    const visitSignature = (signature: ts.Signature, depth: number) => {
      for (const parameter of signature.parameters) visit(checker.getTypeOfSymbol(parameter), depth + 1);
    };
    const visit = (type: ts.Type, depth: number): void => {
      if (depth > 8 || seen.has(type)) return;
      seen.add(type);
      if (type.isUnionOrIntersection()) {
        for (const member of type.types) visit(member, depth);
        return;
      }
      for (const signature of type.getCallSignatures()) visitSignature(signature, depth);
      if ((type.flags & ts.TypeFlags.Object) === 0) return;
      for (const property of type.getProperties()) {
        const declaration = property.valueDeclaration ?? property.declarations?.[0];
        if (declaration === undefined || !ours(declaration)) continue;
        if ((property.flags & ts.SymbolFlags.Optional) !== 0 && (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.type !== undefined) {
          const written = checker.getTypeFromTypeNode(declaration.type);
          const acceptsUndefined = (written.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0 || (written.isUnion() && written.types.some((member) => (member.flags & ts.TypeFlags.Undefined) !== 0));
          if (!acceptsUndefined) found.add(`${declaration.parent && 'name' in declaration.parent && declaration.parent.name ? (declaration.parent.name as ts.Identifier).text : '?'}.${property.name}`);
        }
        visit(checker.getTypeOfSymbolAtLocation(property, declaration), depth + 1);
      }
    };
    for (const entry of entries) {
      const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!);
      for (const exported of module === undefined ? [] : checker.getExportsOfModule(module)) {
        const symbol = (exported.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(exported) : exported;
        const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
        if (declaration === undefined) continue;
        if ((symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable)) !== 0) {
          for (const signature of checker.getTypeOfSymbolAtLocation(symbol, declaration).getCallSignatures()) visitSignature(signature, 0);
        }
        if ((symbol.flags & ts.SymbolFlags.Class) !== 0) {
          for (const signature of checker.getTypeOfSymbolAtLocation(symbol, declaration).getConstructSignatures()) visitSignature(signature, 0);
          const instance = checker.getDeclaredTypeOfSymbol(symbol);
          for (const member of instance.getProperties()) {
            const memberDeclaration = member.valueDeclaration;
            if (memberDeclaration !== undefined) for (const signature of checker.getTypeOfSymbolAtLocation(member, memberDeclaration).getCallSignatures()) visitSignature(signature, 0);
          }
        }
        if ((symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) !== 0 && /Options$/.test(symbol.name)) visit(checker.getDeclaredTypeOfSymbol(symbol), 0);
      }
    }
    return [...found].sort();
  }

  it('accepts an explicit undefined for every optional property an app passes in, as the runtime does', () => {
    expect(optionalPropertiesRefusingUndefined()).toEqual([]);
  });
});
