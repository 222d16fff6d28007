// Differential semantics: every corpus program prints the same lines with and without the
// transform, for CommonJS and ESM output and for targets from ES2017 to ESNext.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type ModuleFormat, compile, formatDiagnostics, runNode } from '../helpers/compile.js';
import { corpusPrograms } from './corpus.js';
import { resourcePrograms } from './corpus-resources.js';

const allPrograms = corpusPrograms();
// Node 20 cannot run standard decorators or `await using` natively, so ESNext output (which keeps
// them untransformed) skips those programs.
const needsDownlevel = new Set(['decorators-and-class-fields', ...Object.keys(resourcePrograms)]);

function writeCorpus(programs: { name: string; source: string }[]): { rootDir: string; files: string[] } {
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
  return { rootDir, files };
}

const configurations: Array<{ format: ModuleFormat; target: ts.ScriptTarget; label: string }> = [
  { format: 'commonjs', target: ts.ScriptTarget.ES2017, label: 'CommonJS, ES2017' },
  { format: 'commonjs', target: ts.ScriptTarget.ES2020, label: 'CommonJS, ES2020' },
  { format: 'esm', target: ts.ScriptTarget.ES2022, label: 'ESM, ES2022' },
  { format: 'esm', target: ts.ScriptTarget.ESNext, label: 'ESM, ESNext' },
];

function runCorpus(
  corpus: { rootDir: string; files: string[] },
  format: ModuleFormat,
  target: ts.ScriptTarget,
  transform: boolean,
): Map<string, string[]> {
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
  const run = runNode(join(result.outDir, 'index.js'), [], 120_000);
  if (run.status !== 0) throw new Error(`corpus exited ${run.status}: ${run.stderr}`);
  return new Map(run.records.map((record) => [record['name'] as string, record['lines'] as string[]]));
}

describe('differential semantics corpus', () => {
  it('has at least 100 programs', () => {
    expect(allPrograms.length).toBeGreaterThanOrEqual(100);
  });

  describe.each(configurations)('$label', ({ format, target }) => {
    const programs =
      target === ts.ScriptTarget.ESNext ? allPrograms.filter((program) => !needsDownlevel.has(program.name)) : allPrograms;
    const corpus = writeCorpus(programs);
    const plain = runCorpus(corpus, format, target, false);
    const instrumented = runCorpus(corpus, format, target, true);

    it('runs every program', () => {
      expect(plain.size).toBe(programs.length);
      expect(instrumented.size).toBe(programs.length);
      for (const [name, lines] of plain) {
        expect(lines.length, name).toBeGreaterThan(0);
        // A program that fails untransformed compares nothing: each must finish on its own.
        expect(lines.filter((line) => line.startsWith('uncaught ')), name).toEqual([]);
      }
    });

    it('prints the same lines with and without the transform', () => {
      const differences: string[] = [];
      for (const program of programs) {
        const expected = plain.get(program.name);
        const actual = instrumented.get(program.name);
        if (JSON.stringify(expected) !== JSON.stringify(actual)) {
          differences.push(`${program.name}\n  plain:        ${JSON.stringify(expected)}\n  instrumented: ${JSON.stringify(actual)}`);
        }
      }
      expect(differences.join('\n')).toBe('');
    });
  });
});
