// Property: whatever the mix of awaits, timers, callbacks, generators, throws and nesting across
// hundreds of concurrent tasks, no check ever sees another task's context.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, formatDiagnostics, repositoryRoot, runNode } from '../helpers/compile.js';
import type { Step } from './interpreter.js';

const step: fc.Memo<Step> = fc.memo((depth) => {
  const leaves: fc.Arbitrary<Step>[] = [
    fc.constant({ kind: 'await-null' as const }),
    fc.integer({ min: 0, max: 4 }).map((ms) => ({ kind: 'timer' as const, ms })),
    fc.constant({ kind: 'immediate' as const }),
    fc.constant({ kind: 'tick' as const }),
    fc.integer({ min: 0, max: 3 }).map((ms) => ({ kind: 'callback' as const, ms })),
    fc.integer({ min: 0, max: 3 }).map((count) => ({ kind: 'generator' as const, count })),
    fc.constant({ kind: 'throw' as const }),
  ];
  if (depth <= 1) return fc.oneof(...leaves);
  const steps = fc.array(step(depth - 1), { maxLength: 3 });
  return fc.oneof(
    ...leaves,
    steps.map((inner) => ({ kind: 'nested' as const, steps: inner })),
    steps.map((inner) => ({ kind: 'shadow' as const, steps: inner })),
    fc.array(steps, { minLength: 1, maxLength: 3 }).map((branches) => ({ kind: 'all' as const, branches })),
  );
});

const plan = fc.array(fc.array(step(3), { minLength: 1, maxLength: 4 }), { minLength: 100, maxLength: 300 });

describe.each(['commonjs', 'esm'] as const)('concurrent tasks never see each other (%s)', (format) => {
  // Compiled before the tests run, not while vitest collects the file.
  let result!: ReturnType<typeof compile>;
  beforeAll(() => {
    result = compile([join(repositoryRoot, 'test/property/interpreter.ts')], { format, rootDir: join(repositoryRoot, 'test/property') });
  });

  it('compiles', () => {
    expect(formatDiagnostics(result.diagnostics)).toBe('');
  });

  it('holds for random plans', () => {
    fc.assert(
      fc.property(plan, (tasks) => {
        const planFile = join(result.outDir, 'plan.json');
        writeFileSync(planFile, JSON.stringify(tasks));
        const run = runNode(join(result.outDir, 'interpreter.js'), [JSON.stringify(tasks)]);
        expect(run.stderr).toBe('');
        const summary = run.records[0] as { tasks: number; checks: number; mismatchCount: number; mismatches: string[] };
        expect(summary.tasks).toBe(tasks.length);
        expect(summary.checks).toBeGreaterThanOrEqual(tasks.length * 2);
        expect(summary.mismatches).toEqual([]);
        expect(summary.mismatchCount).toBe(0);
      }),
      { numRuns: 25 },
    );
  });
});
