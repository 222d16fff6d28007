// formatPercent against CPython: every vector in vectors.json was produced by running `template % args`
// in python3 (generate-vectors.py, committed beside it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTemplate, renderTemplate } from '../../runtime/format/compile-template.js';
import { formatPercent, formatPercentDetailed } from '../../runtime/format/format-percent.js';
import { formatSimple } from '../../runtime/format/format-simple.js';
import { repositoryRoot } from '../helpers/compile.js';

interface Vector {
  template: string;
  args: unknown;
  text?: string;
  error?: string;
}

const { python, vectors } = JSON.parse(readFileSync(join(repositoryRoot, 'test/format/vectors.json'), 'utf8')) as {
  python: string;
  vectors: Vector[];
};

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (typeof value === 'object' && value !== null) {
    const tagged = value as Record<string, unknown>;
    if ('$float' in tagged) return Number(String(tagged['$float']).replace('inf', 'Infinity').replace('nan', 'NaN'));
    if ('$bigint' in tagged) return BigInt(String(tagged['$bigint']));
    if ('$mapping' in tagged) {
      return Object.fromEntries(Object.entries(tagged['$mapping'] as Record<string, unknown>).map(([key, item]) => [key, decode(item)]));
    }
  }
  return value;
}

describe(`formatPercent against CPython ${python}`, () => {
  it('has thousands of vectors, malformed ones included', () => {
    expect(vectors.length).toBeGreaterThan(10_000);
    expect(vectors.filter((vector) => vector.error !== undefined).length).toBeGreaterThan(100);
  });

  it('renders exactly what Python renders', () => {
    const failures: string[] = [];
    for (const vector of vectors.filter((candidate) => candidate.text !== undefined)) {
      const args = decode(vector.args);
      const result = formatPercentDetailed(vector.template, args);
      if (result.text !== vector.text || result.error !== undefined) {
        failures.push(`${JSON.stringify(vector.template)} % ${JSON.stringify(vector.args)}: python ${JSON.stringify(vector.text)}, logmill ${JSON.stringify(result.text)} ${result.error ?? ''}`);
      }
    }
    expect(failures.slice(0, 25).join('\n')).toBe('');
    expect(failures.length).toBe(0);
  });

  it('flags every template or argument list that Python rejects, without throwing', () => {
    const failures: string[] = [];
    let sameMessage = 0;
    const rejected = vectors.filter((candidate) => candidate.error !== undefined);
    for (const vector of rejected) {
      const args = decode(vector.args);
      const result = formatPercentDetailed(vector.template, args);
      if (result.error !== undefined && vector.error!.endsWith(result.error)) sameMessage++;
      if (result.error === undefined) failures.push(`${JSON.stringify(vector.template)} % ${JSON.stringify(vector.args)}: python raised ${vector.error}, logmill gave ${JSON.stringify(result.text)}`);
    }
    expect(failures.slice(0, 25).join('\n')).toBe('');
    // Python's own words, except where they name Python-only types (KeyError's repr, bytes, ...).
    expect(sameMessage / rejected.length).toBeGreaterThan(0.9);
  });

  it('renders compiled templates exactly as the interpreter does, and compiles every well-formed one', () => {
    const failures: string[] = [];
    let compiled = 0;
    for (const vector of vectors) {
      const args = decode(vector.args);
      const pieces = compileTemplate(vector.template);
      if (pieces === undefined) {
        // Only templates with a syntax error stay uncompiled; Python rejects each of them.
        expect(vector.error, vector.template).toBeDefined();
        continue;
      }
      compiled++;
      expect(JSON.parse(JSON.stringify(pieces))).toEqual(pieces);
      const expected = formatPercentDetailed(vector.template, args);
      const actual = renderTemplate(pieces, vector.template, args);
      if (actual.text !== expected.text || actual.error !== expected.error) {
        failures.push(`${JSON.stringify(vector.template)} % ${JSON.stringify(vector.args)}: interpreter ${JSON.stringify(expected)}, compiled ${JSON.stringify(actual)}`);
      }
    }
    expect(failures.slice(0, 25).join('\n')).toBe('');
    expect(compiled).toBeGreaterThan(vectors.length * 0.9);
    expect(compileTemplate('%(user)-8s paid %.*f%%')).toEqual([['s', 1, 8, -1, 'user'], ' paid ', ['f', 0, -1, -2], '%']);
  });

  it('takes the fast path only where it agrees with Python', () => {
    let answered = 0;
    for (const vector of vectors) {
      const args = decode(vector.args);
      if (!Array.isArray(args)) continue;
      const simple = formatSimple(vector.template, args);
      if (simple === undefined) continue;
      answered++;
      expect(vector.error, vector.template).toBeUndefined();
      expect(simple, `${vector.template} % ${JSON.stringify(vector.args)}`).toBe(vector.text);
    }
    expect(answered).toBeGreaterThan(20);
    expect(formatSimple('user %s paid %d', ['ann', 12])).toBe('user ann paid 12');
    // Errors render as the full renderer renders them, so browsers report `uncaught %s` readably.
    const error = new TypeError('boom');
    expect(formatSimple('uncaught %s', [error])).toBe('uncaught TypeError: boom');
    expect(formatSimple('uncaught %s', [error])).toBe(formatPercent('uncaught %s', [error]));
    expect(formatSimple('code %d', [error])).toBeUndefined();
    expect(formatSimple('%s', [1.5])).toBeUndefined();
    expect(formatSimple('%5s', ['x'])).toBeUndefined();
    expect(formatSimple('%s %s', ['x'])).toBeUndefined();
  });

  it('keeps what it could render when the template is bad', () => {
    expect(formatPercentDetailed('user %s paid %d and %z', ['ann', 12, 'x'])).toEqual({
      text: 'user ann paid 12 and %z',
      error: "unsupported format character 'z' (0x7a) at index 21",
    });
    expect(formatPercentDetailed('%s and %s', ['only one'])).toEqual({
      text: 'only one and %s',
      error: 'not enough arguments for format string',
    });
    expect(formatPercent('%d items', ['many'])).toBe('%d items');
  });

  it('never throws, whatever it is given', () => {
    const hostile = fc.oneof(
      fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true }),
      fc.constant(Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('getter'); } })),
      fc.constant((() => { const cyclic: Record<string, unknown> = {}; cyclic['self'] = cyclic; return cyclic; })()),
      fc.constant(Symbol('s')),
      fc.constant('x'.repeat(100_000)),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }).map((text) => text.replace(/[^%]/g, (c) => c)), fc.array(hostile, { maxLength: 5 }), (template, args) => {
        const result = formatPercentDetailed(`${template} %s %r %d %5.2f %c %(k)s`, args);
        expect(typeof result.text).toBe('string');
        expect(typeof formatPercent(template, { k: args[0] })).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});
