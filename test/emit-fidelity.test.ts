// What the transform must leave exactly as plain tsc makes it: declarations, type-check
// diagnostics, source-mapped lines; and how it behaves on JavaScript, options and failures.
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compile, fixturesRoot, formatDiagnostics, logmillTransformer, runNode } from './helpers/compile.js';

const root = join(fixturesRoot, 'emit-fidelity');
const api = join(root, 'api.ts');
const legacy = join(root, 'legacy.js');

function messages(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => `${diagnostic.start}:${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
}

describe('emit fidelity', () => {
  const options = { format: 'esm' as const, rootDir: root, compilerOptions: { declaration: true, sourceMap: true, allowJs: true } };
  const plain = compile([api, legacy], { ...options, transform: false });
  const instrumented = compile([api, legacy], { ...options, transform: {} });

  it('emits identical declaration files: the hidden parameter never appears in public types', () => {
    const declarations = [...plain.files.keys()].filter((file) => file.endsWith('.d.ts'));
    expect(declarations).toEqual(['api.d.ts', 'legacy.d.ts']);
    for (const file of declarations) expect(instrumented.files.get(file), file).toBe(plain.files.get(file));
    expect(instrumented.files.get('api.d.ts')).not.toContain('__logmill');
  });

  it('reports identical type-check diagnostics', () => {
    expect(messages(instrumented.diagnostics)).toEqual(messages(plain.diagnostics));
    expect(formatDiagnostics(plain.diagnostics)).toContain("Type 'string' is not assignable to type 'number'");
  });

  it('keeps source maps pointing at the original lines', () => {
    const javascript = instrumented.files.get('api.js')!;
    const map = new SourceMap(JSON.parse(instrumented.files.get('api.js.map')!));
    // The statement itself, not its plain text in the module's table (for fn.toString()).
    const generatedLine = javascript.split('\n').findIndex((line) => line.includes("'marker: loadUser body'") && !line.includes('__logmill.sourceTexts('));
    expect(generatedLine).toBeGreaterThan(0);
    const column = javascript.split('\n')[generatedLine]!.indexOf('console');
    const entry = map.findEntry(generatedLine, column) as { originalLine: number };
    const originalLine = ts.sys.readFile(api)!.split('\n').findIndex((line) => line.includes("'marker: loadUser body'"));
    expect(entry.originalLine).toBe(originalLine);
  });

  it('instruments .js files under allowJs', () => {
    const javascript = instrumented.files.get('legacy.js')!;
    expect(javascript).toContain('__logmill.enter(');
    expect(javascript).toContain('async function legacy(a, b, __logmillContext = void 0)');
  });

  it('runs the instrumented JavaScript with the same results', () => {
    const probe = join(plain.outDir, 'probe.mjs');
    ts.sys.writeFile(probe, "import { arrow } from './legacy.js'; console.log(JSON.stringify({ value: await arrow(4), length: arrow.length }));");
    ts.sys.writeFile(join(instrumented.outDir, 'probe.mjs'), ts.sys.readFile(probe)!);
    const expected = runNode(probe).records;
    expect(expected).toEqual([{ value: 10, length: 1 }]);
    expect(runNode(join(instrumented.outDir, 'probe.mjs')).records).toEqual(expected);
  });
});

describe('CommonJS scripts', () => {
  const script = join(root, 'script.js');
  const options = { format: 'commonjs' as const, rootDir: root, compilerOptions: { allowJs: true } };

  it('get a require of the hooks, not an import that would turn them into ES modules', () => {
    const instrumented = compile([script], { ...options, transform: {} }).files.get('script.js')!;
    const plain = compile([script], { ...options, transform: false }).files.get('script.js')!;
    expect(instrumented).toContain('const __logmill = require("logmill/hooks");');
    expect(instrumented).not.toContain('__esModule');
    expect(plain).not.toContain('__esModule');
  });

  it('run with the same results', () => {
    for (const transform of [{}, false] as const) {
      const result = compile([script], { ...options, transform });
      const probe = join(result.outDir, 'probe.cjs');
      ts.sys.writeFile(probe, "require('./script.js').total([1, Promise.resolve(2), 3]).then((sum) => console.log(JSON.stringify({ sum, keys: Object.keys(require('./script.js')) })));");
      expect(runNode(probe).records).toEqual([{ sum: 6, keys: ['total'] }]);
    }
  });

  it('keep their require when the build emits ES modules (allowJs in a bundler build)', () => {
    for (const transform of [{}, false] as const) {
      const result = compile([script], { format: 'esm', rootDir: root, transform, compilerOptions: { allowJs: true } });
      const output = result.files.get('script.js')!;
      expect(output).not.toMatch(/^import /m);
      if (transform !== false) expect(output).toContain('const __logmill = require("logmill/hooks");');
      // The file is CommonJS whatever the build emits: it runs as such.
      ts.sys.writeFile(join(result.outDir, 'package.json'), '{ "type": "commonjs" }');
      const probe = join(result.outDir, 'probe.cjs');
      ts.sys.writeFile(probe, "require('./script.js').total([1, Promise.resolve(2), 3]).then((sum) => console.log(JSON.stringify({ sum })));");
      expect(runNode(probe).records).toEqual([{ sum: 6 }]);
    }
  });

  it('are recognised without a type checker too, by their require and exports', () => {
    const factory = logmillTransformer(undefined as unknown as ts.Program, {}, { ts });
    const transpile = (text: string) =>
      ts.transpileModule(text, {
        fileName: join(root, 'probe.js'),
        compilerOptions: { allowJs: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        transformers: { before: [factory] },
      }).outputText;
    expect(transpile(ts.sys.readFile(script)!)).toContain('const __logmill = require("logmill/hooks");');
    expect(transpile("const fs = require('node:fs');\nasync function read() { return fs.promises.readFile('x'); }\nread();")).toContain('require("logmill/hooks")');
    // Without any sign of CommonJS, an ES build's file gets the import.
    expect(transpile('async function run() { await null; }\nrun();')).toContain('import * as __logmill from "logmill/hooks";');
  });
});

describe('options', () => {
  it('honours include and exclude globs', () => {
    const excluded = compile([api, legacy], { format: 'esm', rootDir: root, transform: { exclude: ['**/*.js'] }, compilerOptions: { allowJs: true } });
    expect(excluded.files.get('legacy.js')).not.toContain('__logmill');
    expect(excluded.files.get('api.js')).toContain('__logmill');
    const included = compile([api, legacy], { format: 'esm', rootDir: root, transform: { include: ['legacy.*'] }, compilerOptions: { allowJs: true } });
    expect(included.files.get('legacy.js')).toContain('__logmill');
    expect(included.files.get('api.js')).not.toContain('__logmill');
  });

  it('takes the module name from the path under the root', () => {
    const result = compile([api], { format: 'esm', rootDir: fixturesRoot, transform: {} });
    expect(result.files.get('emit-fidelity/api.js')).toContain('__logmill.frame("loadUser", "emit-fidelity/api", "emit-fidelity/api.ts", 7)');
  });
});

// The compiler's own inert transformation context (internal API), wrapped below to fail on use.
const nullContext = (ts as unknown as { nullTransformationContext: ts.TransformationContext }).nullTransformationContext;

describe('never breaking a build', () => {
  it('emits the file unchanged and reports it (verbose) when the transform fails', () => {
    const program = ts.createProgram([api], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, noEmit: false, outDir: '/nonexistent' });
    const diagnostics: ts.Diagnostic[] = [];
    const factory = logmillTransformer(program, { verbose: true }, { ts, addDiagnostic: (diagnostic) => diagnostics.push(diagnostic) });
    // A transformation context whose factory throws on use stands for a compiler the transform does not understand.
    const broken = new Proxy(nullContext, {
      get: (target, key) => (key === 'factory' ? new Proxy(ts.factory, { get: () => () => { throw new Error('unsupported compiler'); } }) : Reflect.get(target, key)),
    });
    const sourceFile = program.getSourceFile(api)!;
    const result = factory(broken)(sourceFile);
    expect(result).toBe(sourceFile);
    expect(diagnostics.map((diagnostic) => diagnostic.messageText)).toEqual([
      expect.stringContaining('left'),
    ]);
    expect(diagnostics[0]!.category).toBe(ts.DiagnosticCategory.Warning);
  });

  it('is silent about fallbacks unless verbose is set', () => {
    const program = ts.createProgram([api], { target: ts.ScriptTarget.ES2022 });
    const diagnostics: ts.Diagnostic[] = [];
    const factory = logmillTransformer(program, {}, { ts, addDiagnostic: (diagnostic) => diagnostics.push(diagnostic) });
    const broken = new Proxy(nullContext, {
      get: (target, key) => (key === 'factory' ? new Proxy(ts.factory, { get: () => () => { throw new Error('unsupported'); } }) : Reflect.get(target, key)),
    });
    const sourceFile = program.getSourceFile(api)!;
    expect(factory(broken)(sourceFile)).toBe(sourceFile);
    expect(diagnostics).toEqual([]);
  });

  it('keeps the context ambient, and the code correct, when the type checker throws', () => {
    const program = ts.createProgram([api], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext });
    const checker = program.getTypeChecker();
    const throwingChecker = new Proxy(checker, {
      get: (target, key) => (key === 'getSymbolAtLocation' ? () => { throw new Error('checker crashed'); } : Reflect.get(target, key)),
    });
    const brokenProgram = new Proxy(program, {
      get: (target, key) => (key === 'getTypeChecker' ? () => throwingChecker : Reflect.get(target, key)),
    });
    const diagnostics: ts.Diagnostic[] = [];
    let output = '';
    program.emit(program.getSourceFile(api), (_name, text) => { if (_name.endsWith('.js')) output = text; }, undefined, false, {
      before: [logmillTransformer(brokenProgram, { verbose: true }, { ts, addDiagnostic: (diagnostic) => diagnostics.push(diagnostic) })],
    });
    expect(output).toContain('__logmill.enter(');
    expect(output).toContain("(__logmillAwaited = loadUser('1'), __logmillSlot.current");
    expect(diagnostics.some((diagnostic) => String(diagnostic.messageText).includes('resolving this call failed'))).toBe(true);
  });

  it('compiles without a type checker, passing the context where the source alone proves the callee', () => {
    const sourceFile = ts.createSourceFile(api, ts.sys.readFile(api)!, ts.ScriptTarget.ES2022, true);
    const factory = logmillTransformer(undefined as unknown as ts.Program, {}, { ts });
    const output = ts.transpileModule(sourceFile.text, {
      fileName: api,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      transformers: { before: [factory] },
    }).outputText;
    expect(output).toContain('__logmill.enter(');
    // A declaration of the same module: provable without a checker (one optional argument padded).
    expect(output).toContain("(__logmillAwaited = loadUser('1', void 0, __logmillContext), __logmillSlot.current = __logmillOuter");
  });
});
