/**
 * The structural check walks by recursion under ordinary depth limits and iteratively under huge
 * ones: both must report the same first problem (reason and JSON pointer) for any value, hostile
 * ones included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStructure, checkStructureIteratively, defaultLimits, type IngestLimits } from '../collector/limits.js';
import { parseBatch } from '../collector/parse-batch.js';

const tight: IngestLimits = { ...defaultLimits, depth: 4, stringLength: 12, keys: 5, eventBytes: 200 };

const hostileString = fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('\uD800', 'a\uDC00b', '~/x', 'é'.repeat(13)));
const hostileKey = fc.oneof(fc.string({ maxLength: 14 }), fc.constantFrom('__proto__', 'constructor', 'a/b~c', '\uDBFF'));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileString, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 7 }),
  object: fc
    .array(fc.tuple(hostileKey, tie('node')), { maxLength: 7 })
    .map((entries) => {
      const record: Record<string, unknown> = {};
      for (const [key, child] of entries) Object.defineProperty(record, key, { value: key === 'constructor' ? { prototype: child } : child, enumerable: true, writable: true, configurable: true });
      return record;
    }),
})).node;

describe('checkStructure', () => {
  it('finds the same first problem by recursion as the iterative walk', () => {
    let problems = 0;
    fc.assert(
      fc.property(value, (event) => {
        const recursive = checkStructure(event, tight);
        if (recursive !== undefined) problems++;
        expect(recursive).toEqual(checkStructureIteratively(event, tight));
        expect(checkStructure(event, defaultLimits)).toEqual(checkStructureIteratively(event, defaultLimits));
      }),
      { numRuns: 3000 },
    );
    // The values are hostile enough to exercise the problems, not only the clean path.
    expect(problems).toBeGreaterThan(300);
  });

  it('walks a configured depth beyond the recursive bound without overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 200_000; level++) deep = [deep];
    const problem = checkStructure(deep, { ...defaultLimits, depth: 1_000_000, keys: 1_000_000, eventBytes: 10_000_000 });
    expect(problem).toBeUndefined();
    expect(checkStructure(deep, defaultLimits)?.reason).toBe('too_deep');
  });
});

describe('the surrogate test skipped for bodies that cannot hold a lone surrogate', () => {
  it('is skipped only when the body has no \\u escape, and a lone surrogate written as one is still refused', () => {
    expect(parseBatch({ text: '{"a":"\\ud800"}\n', ndjson: true }, 10).wellFormed).toBe(false);
    expect(parseBatch({ text: '[{"a":"\\\\u"}]', ndjson: false }, 10).wellFormed).toBe(false);
    expect(parseBatch({ text: '{"a":"é 日本"}\n{"b":1}', ndjson: true }, 10).wellFormed).toBe(true);
    for (const text of ['{"a":"x\\udc00"}', '[{"k\\ud800":1}]', '{"ok":1}\n{"a":["\\ud83d"]}']) {
      const batch = parseBatch({ text, ndjson: text.includes('\n') }, 10);
      const problems = batch.items.map((item) => checkStructure(item, defaultLimits, batch.wellFormed));
      expect(problems.some((problem) => problem?.reason === 'invalid_string')).toBe(true);
    }
  });
});
