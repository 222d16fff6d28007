/**
 * Compiles TypeScript with the real transformer through the compiler API (the route ts-patch takes)
 * and runs the output in a fresh Node process, so tests observe real emitted programs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { TransformerOptions } from '../../transformer/options.js';
import transformerFromSource from '../../transformer/index.js';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesRoot = join(repositoryRoot, 'fixtures');

// The transformer runs from its TypeScript sources (vitest compiles them), so an edit is tested
// without a build; ts-patch-routes.test.ts tests the built package the way ts-patch loads it.
export const logmillTransformer = transformerFromSource as unknown as (
  program: ts.Program,
  config: TransformerOptions,
  extras: { ts: typeof ts; addDiagnostic?: (d: ts.Diagnostic) => void },
) => ts.TransformerFactory<ts.SourceFile>;

export type ModuleFormat = 'commonjs' | 'esm';

export interface CompileOptions {
  format: ModuleFormat;
  /** Transformer options, or false to compile with plain tsc. */
  transform?: TransformerOptions | false;
  target?: ts.ScriptTarget;
  rootDir?: string;
  compilerOptions?: ts.CompilerOptions;
}

export interface CompileResult {
  outDir: string;
  diagnostics: readonly ts.Diagnostic[];
  /** Emitted files by path relative to outDir. */
  files: Map<string, string>;
}

export function baseCompilerOptions(format: ModuleFormat, target: ts.ScriptTarget): ts.CompilerOptions {
  return {
    target,
    module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
    moduleResolution: format === 'esm' ? ts.ModuleResolutionKind.Bundler : ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(repositoryRoot, 'node_modules/@types')],
    baseUrl: repositoryRoot,
    paths: {
      logmill: ['dist/esm/runtime/node.d.ts'],
      'logmill/hooks': ['dist/esm/runtime/hooks.d.ts'],
      'logmill/opentelemetry': ['dist/esm/runtime/opentelemetry.d.ts'],
    },
  };
}

/** A fresh output directory in which `logmill` resolves to this repository's build. */
export function createOutputDirectory(format: ModuleFormat): string {
  const outDir = mkdtempSync(join(tmpdir(), 'logmill-test-'));
  mkdirSync(join(outDir, 'node_modules'), { recursive: true });
  symlinkSync(repositoryRoot, join(outDir, 'node_modules/logmill'), 'dir');
  // Programs that use OpenTelemetry (the bridge's fixtures) find the repository's copy.
  symlinkSync(join(repositoryRoot, 'node_modules/@opentelemetry'), join(outDir, 'node_modules/@opentelemetry'), 'dir');
  writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' }));
  return outDir;
}

// Library and @types files parse once per test worker instead of once per compilation.
const sharedSourceFiles = new Map<string, ts.SourceFile>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const shareable = fileName.includes('/node_modules/');
    const key = `${fileName}|${JSON.stringify(languageVersion)}`;
    const cached = shareable ? sharedSourceFiles.get(key) : undefined;
    if (cached !== undefined) return cached;
    const sourceFile = getSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (shareable && sourceFile !== undefined) sharedSourceFiles.set(key, sourceFile);
    return sourceFile;
  };
  return host;
}

export function compile(rootNames: string[], options: CompileOptions): CompileResult {
  const target = options.target ?? ts.ScriptTarget.ES2022;
  const outDir = createOutputDirectory(options.format);
  const rootDir = options.rootDir ?? fixturesRoot;
  const compilerOptions: ts.CompilerOptions = {
    ...baseCompilerOptions(options.format, target),
    rootDir,
    outDir,
    ...options.compilerOptions,
  };
  const program = ts.createProgram(rootNames, compilerOptions, cachingHost(compilerOptions));
  const files = new Map<string, string>();
  const transformDiagnostics: ts.Diagnostic[] = [];
  const before =
    options.transform === false
      ? []
      : [
          logmillTransformer(program, { root: rootDir, ...options.transform }, {
            ts,
            addDiagnostic: (diagnostic) => transformDiagnostics.push(diagnostic),
          }),
        ];
  const result = program.emit(
    undefined,
    (fileName, text) => {
      mkdirSync(dirname(fileName), { recursive: true });
      writeFileSync(fileName, text);
      files.set(relative(outDir, fileName), text);
    },
    undefined,
    false,
    { before },
  );
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics, ...transformDiagnostics];
  return { outDir, diagnostics, files };
}

export function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => repositoryRoot,
    getNewLine: () => '\n',
  });
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every stdout line that parses as JSON. */
  records: Record<string, unknown>[];
}

export function runNode(entry: string, args: string[] = [], timeout = 30_000): RunResult {
  const child = spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', timeout });
  const records: Record<string, unknown>[] = [];
  for (const line of child.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not a record; the program printed something else.
    }
  }
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, records };
}

export function readEmitted(result: CompileResult, path: string): string {
  return readFileSync(join(result.outDir, path), 'utf8');
}
