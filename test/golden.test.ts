// Golden fixtures: fixtures/<case>/input.ts compiled with the transformer must equal output.js.
// A missing or changed golden fails; regenerate with UPDATE_GOLDEN=1 npx vitest run
// test/golden.test.ts, then review the diff. Each golden must parse before it is compared.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compile, fixturesRoot, formatDiagnostics } from './helpers/compile.js';

const cases = readdirSync(fixturesRoot).filter(
  (name) => existsSync(join(fixturesRoot, name, 'input.ts')) && !existsSync(join(fixturesRoot, name, 'behaviour.test.ts')),
);

function optionsOf(name: string): Record<string, unknown> {
  const file = join(fixturesRoot, name, 'options.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/** The syntax errors of an ES module (acorn follows the spec where TypeScript's parser is lenient). */
function syntaxErrorsOf(code: string): string[] {
  try {
    parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

describe('golden fixtures', () => {
  it('has a case for every rewrite', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('%s', (name) => {
    const result = compile([join(fixturesRoot, name, 'input.ts')], {
      format: 'esm',
      target: ts.ScriptTarget.ES2022,
      // Verbose, so a function the transformer gave up on (and left uninstrumented) fails here.
      transform: { verbose: true, ...optionsOf(name) },
      rootDir: join(fixturesRoot, name),
    });
    const problems = result.diagnostics.filter((diagnostic) => diagnostic.category !== ts.DiagnosticCategory.Message);
    expect(formatDiagnostics(problems)).toBe('');
    const actual = result.files.get('input.js')!;
    expect(syntaxErrorsOf(actual), 'the emitted code parses').toEqual([]);
    const goldenFile = join(fixturesRoot, name, 'output.js');
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(goldenFile, actual);
    expect(existsSync(goldenFile), `${name}/output.js is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
    const golden = readFileSync(goldenFile, 'utf8');
    expect(syntaxErrorsOf(golden), `${name}/output.js parses`).toEqual([]);
    expect(actual).toBe(golden);
  });

  it.each(cases)('%s: a second pass changes nothing', (name) => {
    // Compile the golden output again, as JavaScript, with and without the transform.
    const golden = join(fixturesRoot, name, 'output.js');
    const options = { format: 'esm' as const, rootDir: join(fixturesRoot, name), compilerOptions: { allowJs: true, checkJs: false } };
    const twice = compile([golden], { ...options, transform: optionsOf(name) });
    const plain = compile([golden], { ...options, transform: false });
    expect(twice.files.get('output.js')).toBe(plain.files.get('output.js'));
  });
});
