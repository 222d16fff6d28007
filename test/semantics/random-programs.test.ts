// Differential semantics on generated programs: random mixes of the forms the rewrite touches
// (random-programs.ts) print the same lines with and without the transform. Seeds are fixed, so a
// failure names a program that can be regenerated and read (`randomPrograms(1, seed)`).
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { ModuleFormat } from '../helpers/compile.js';
import { bundlerRouteDifferences, differences, runCorpus, writeCorpus } from './corpus-runner.js';
import { randomPrograms } from './random-programs.js';

// More, or others, for a longer hunt: LOGMILL_RANDOM_PROGRAMS=500 LOGMILL_RANDOM_SEED=1000.
const programs = randomPrograms(Number(process.env['LOGMILL_RANDOM_PROGRAMS'] ?? 60), Number(process.env['LOGMILL_RANDOM_SEED'] ?? 1));

const configurations: Array<{ format: ModuleFormat; target: ts.ScriptTarget; label: string }> = [
  { format: 'commonjs', target: ts.ScriptTarget.ES2017, label: 'CommonJS, ES2017' },
  { format: 'esm', target: ts.ScriptTarget.ES2022, label: 'ESM, ES2022' },
];

describe('differential semantics on generated programs', () => {
  it('generates distinct programs that exercise the rewrites', () => {
    expect(new Set(programs.map((program) => program.source)).size).toBe(programs.length);
    const all = programs.map((program) => program.source).join('\n');
    for (const form of ['for await', 'finally', 'continue', 'break', 'yield', 'await later', 'catch((error: any)', '] = sgen(']) {
      expect(all, form).toContain(form);
    }
  });

  describe.each(configurations)('$label', ({ format, target }) => {
    const corpus = writeCorpus(programs);
    const plain = runCorpus(corpus, format, target, false);
    const instrumented = runCorpus(corpus, format, target, true);

    it('runs every program to its end', () => {
      expect(plain.size).toBe(programs.length);
      for (const [name, lines] of plain) {
        expect(lines.filter((line) => line.startsWith('uncaught ')), name).toEqual([]);
        expect(lines.length, name).toBeGreaterThan(0);
      }
    });

    it('prints the same lines with and without the transform', () => {
      expect(differences(programs, plain, instrumented).join('\n')).toBe('');
    });
  });

  describe('the bundler plugins\' route (no type checker), ESNext', () => {
    const found = bundlerRouteDifferences(programs);

    it('prints the same lines with and without the transform', () => {
      expect(found.join('\n')).toBe('');
    });
  });
});
