/**
 * Runs a set of differential programs (each a module exporting `run(print)`) as one compiled
 * project, with or without the transform, and returns each program's printed lines by name.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { type ModuleTransformer, type ModuleTransformOptions, createModuleTransformer as createModuleTransformerFromSource } from '../../transformer/transform-module.js';
import { type ModuleFormat, compile, createOutputDirectory, formatDiagnostics, runNode } from '../helpers/compile.js';

// The bundler plugins' per-module transform, from its sources (bundler-app tests the built plugins).
export const moduleTransformerFactory = createModuleTransformerFromSource as unknown as (typescript: typeof ts, options?: ModuleTransformOptions) => ModuleTransformer;

export interface CorpusProgram {
  name: string;
  source: string;
}

export interface WrittenCorpus {
  rootDir: string;
  files: string[];
}

export function writeCorpus(programs: readonly CorpusProgram[]): WrittenCorpus {
  const rootDir = mkdtempSync(join(tmpdir(), 'logmill-corpus-'));
  mkdirSync(rootDir, { recursive: true });
  const files: string[] = [];
  programs.forEach((program, index) => {
    const file = join(rootDir, `p${index}.ts`);
    writeFileSync(file, program.source);
    files.push(file);
  });
  const index = `${programs.map((_, i) => `import * as p${i} from './p${i}.js';`).join('\n')}
const programs: Array<[string, { run: (print: (...values: unknown[]) => void) => Promise<void> }]> = [
${programs.map((program, i) => `  [${JSON.stringify(program.name)}, p${i}],`).join('\n')}
];
function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'function';
  try { return JSON.stringify(value) ?? String(value); } catch { return String(value); }
}
async function main(): Promise<void> {
  for (const [name, program] of programs) {
    const lines: string[] = [];
    try {
      await program.run((...values) => lines.push(values.map(show).join(' ')));
    } catch (error) {
      lines.push('uncaught ' + String(error));
    }
    console.log(JSON.stringify({ name, lines }));
  }
}
void main();
`;
  writeFileSync(join(rootDir, 'index.ts'), index);
  files.push(join(rootDir, 'index.ts'));
  // What the bundler route reads; without one it would take whatever tsconfig lies above.
  writeFileSync(join(rootDir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ESNext', module: 'ESNext' } }));
  return { rootDir, files };
}

export function runCorpus(corpus: WrittenCorpus, format: ModuleFormat, target: ts.ScriptTarget, transform: boolean): Map<string, string[]> {
  const result = compile(corpus.files, {
    format,
    target,
    rootDir: corpus.rootDir,
    // Verbose: a function the transform gave up on (and left as written) fails the corpus too,
    // since its output alone could not tell.
    transform: transform ? { verbose: true } : false,
    compilerOptions: { noEmitOnError: false },
  });
  const problems = result.diagnostics.filter(
    (diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error || String(diagnostic.messageText).startsWith('logmill:'),
  );
  if (problems.length > 0) throw new Error(formatDiagnostics(problems));
  return runEntry(result.outDir);
}

function runEntry(outDir: string): Map<string, string[]> {
  const run = runNode(join(outDir, 'index.js'), [], 120_000);
  if (run.status !== 0) throw new Error(`corpus exited ${run.status}: ${run.stderr}`);
  return new Map(run.records.map((record) => [record['name'] as string, record['lines'] as string[]]));
}

/**
 * The corpus through the bundler plugins' route (transform-module.ts): each module rewritten on its
 * own, without a type checker, to ESNext modules, as Vite, Rollup, esbuild and webpack get them.
 */
function runCorpusThroughBundlerRoute(corpus: WrittenCorpus): Map<string, string[]> {
  // Verbose, as on the tsc route: a fallback to the safe path fails the corpus.
  const transformer = moduleTransformerFactory(ts, { verbose: true });
  const outDir = createOutputDirectory('esm');
  for (const file of corpus.files) {
    const { code, warnings } = transformer.transform(readFileSync(file, 'utf8'), file);
    if (warnings.length > 0) throw new Error(warnings.join('\n'));
    // Every program has async functions: one the route left untouched would compare nothing.
    if (!code.includes('logmill/hooks')) throw new Error(`the bundler route left ${basename(file)} uninstrumented`);
    writeFileSync(join(outDir, basename(file).replace(/\.ts$/, '.js')), code);
  }
  return runEntry(outDir);
}

/**
 * The programs run untransformed (ESM, ESNext) and through the bundler route: one line per program
 * whose printed lines differ, or that one of the runs did not print.
 */
export function bundlerRouteDifferences(programs: readonly CorpusProgram[]): string[] {
  const corpus = writeCorpus(programs);
  const plain = runCorpus(corpus, 'esm', ts.ScriptTarget.ESNext, false);
  const instrumented = runCorpusThroughBundlerRoute(corpus);
  const missing = instrumented.size === programs.length ? [] : [`${programs.length - instrumented.size} programs printed nothing through the bundler route`];
  return [...missing, ...differences(programs, plain, instrumented)];
}

/** One line per program whose printed lines differ between the two runs. */
export function differences(programs: readonly CorpusProgram[], plain: Map<string, string[]>, instrumented: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const program of programs) {
    const expected = plain.get(program.name);
    const actual = instrumented.get(program.name);
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      found.push(`${program.name}\n  plain:        ${JSON.stringify(expected)}\n  instrumented: ${JSON.stringify(actual)}`);
    }
  }
  return found;
}
