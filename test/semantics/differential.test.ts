// Differential semantics: every corpus program prints the same lines with and without the
// transform, for CommonJS and ESM output and for targets from ES2017 to ESNext.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { ModuleFormat } from '../helpers/compile.js';
import { corpusPrograms } from './corpus.js';
import { resourcePrograms } from './corpus-resources.js';
import { bundlerRouteDifferences, differences, runCorpus, writeCorpus } from './corpus-runner.js';

const allPrograms = corpusPrograms();
// Node 20 cannot run standard decorators or `await using` natively, so ESNext output (which keeps
// them untransformed) skips those programs.
const needsDownlevel = new Set(['decorators-and-class-fields', ...Object.keys(resourcePrograms)]);

const configurations: Array<{ format: ModuleFormat; target: ts.ScriptTarget; label: string }> = [
  { format: 'commonjs', target: ts.ScriptTarget.ES2017, label: 'CommonJS, ES2017' },
  { format: 'commonjs', target: ts.ScriptTarget.ES2020, label: 'CommonJS, ES2020' },
  { format: 'esm', target: ts.ScriptTarget.ES2022, label: 'ESM, ES2022' },
  { format: 'esm', target: ts.ScriptTarget.ESNext, label: 'ESM, ESNext' },
];

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
      expect(differences(programs, plain, instrumented).join('\n')).toBe('');
    });
  });

  describe('the bundler plugins\' route (no type checker), ESNext', () => {
    const found = bundlerRouteDifferences(allPrograms.filter((program) => !needsDownlevel.has(program.name)));

    it('prints the same lines with and without the transform', () => {
      expect(found.join('\n')).toBe('');
    });
  });
});
