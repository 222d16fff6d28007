/**
 * The tsconfig plugins entry is checked as ts-patch hands it over: a key that neither Logmill nor
 * ts-patch reads (a misspelled option) stops the build with a TypeError naming it, where it would
 * otherwise be ignored and the build silently differ from what the project asked for; and the
 * defaults it fills in.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import logmillTransformer from '../../transformer/index.js';
import { resolveOptions } from '../../transformer/options.js';

const program = ts.createProgram(['entry.ts'], { noEmit: true }, {
  ...ts.createCompilerHost({}),
  getSourceFile: (name, version) => ts.createSourceFile(name, 'export {};', version),
  fileExists: () => true,
});

describe('the tsconfig plugins entry', () => {
  it.each([
    [{ transform: 'logmill/transformer', stak: false }, /^logmill\/transformer: the tsconfig plugins entry has no option "stak" \(did you mean "stack"\?\); its options are stack, include, exclude, verbose, runtime, root, keepSourceText, passThroughImports$/],
    [{ transform: 'logmill/transformer', excludes: ['x'] }, /has no option "excludes" \(did you mean "exclude"\?\)/],
    [{ transform: 'logmill/transformer', keepSource: false }, /has no option "keepSource"/],
  ])('refuses %j', (entry, message) => {
    expect(() => logmillTransformer(program, entry as never, { ts: ts as never })).toThrow(TypeError);
    expect(() => logmillTransformer(program, entry as never, { ts: ts as never })).toThrow(message);
  });

  it('passes imports through by default, and not when Jest compiles (its module mocks see the arguments as written)', () => {
    const saved = process.env['JEST_WORKER_ID'];
    try {
      delete process.env['JEST_WORKER_ID'];
      expect(resolveOptions({}, '/app').passThroughImports).toBe(true);
      process.env['JEST_WORKER_ID'] = '1';
      expect(resolveOptions({}, '/app').passThroughImports).toBe(false);
      expect(resolveOptions({ passThroughImports: true }, '/app').passThroughImports).toBe(true);
    } finally {
      if (saved === undefined) delete process.env['JEST_WORKER_ID'];
      else process.env['JEST_WORKER_ID'] = saved;
    }
  });

  it("accepts Logmill's options beside ts-patch's own keys", () => {
    const entry = { transform: 'logmill/transformer', type: 'program', after: false, afterDeclarations: false, isEsm: false, stack: false, exclude: ['**/*.test.ts'], verbose: true, keepSourceText: false };
    expect(typeof logmillTransformer(program, entry as never, { ts: ts as never })).toBe('function');
  });
});
