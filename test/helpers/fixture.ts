/** Runs a behavioural fixture: compiles `fixtures/<case>/input.ts` with the transformer and runs it. */
import { readFileSync } from 'node:fs';
import { beforeAll } from 'vitest';
import { join } from 'node:path';
import type { TransformerOptions } from '../../transformer/options.js';
import { type ModuleFormat, compile, fixturesRoot, formatDiagnostics, runNode } from './compile.js';
import type { Observation } from '../../fixtures/_support/report.js';

export const formats: readonly ModuleFormat[] = ['commonjs', 'esm'];

export interface FixtureRun {
  observations: Observation[];
  /** The compiled program, as the transform emitted it. */
  output: string;
  stdout: string;
  stderr: string;
}

/**
 * Compiles and runs the fixture in a `beforeAll` of the enclosing `describe`, not while vitest
 * collects the file: the returned run is filled in before the first test reads it, and a fixture
 * that fails to compile or run fails its tests instead of the collection.
 */
export function runFixture(name: string, format: ModuleFormat, transform: TransformerOptions | false = {}): FixtureRun {
  const run: FixtureRun = { observations: [], output: '', stdout: '', stderr: '' };
  beforeAll(() => {
    const { observations, ...rest } = compileAndRunFixture(name, format, transform);
    // In place: test files may hold on to the array (`const events = run.observations`).
    run.observations.push(...observations);
    Object.assign(run, rest);
  });
  return run;
}

/** Compiles `fixtures/<name>/input.ts` and runs it now. */
export function compileAndRunFixture(name: string, format: ModuleFormat, transform: TransformerOptions | false = {}): FixtureRun {
  // Verbose, so that a function the transform gave up on (and left as written) fails the fixture.
  const result = compile([join(fixturesRoot, name, 'input.ts')], { format, transform: transform === false ? false : { verbose: true, ...transform } });
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.category === 1 || String(diagnostic.messageText).startsWith('logmill:'));
  if (errors.length > 0) throw new Error(`fixture ${name} does not compile cleanly:\n${formatDiagnostics(errors)}`);
  const entry = join(result.outDir, name, 'input.js');
  const run = runNode(entry);
  if (run.status !== 0) throw new Error(`fixture ${name} (${format}) exited ${run.status}:\n${run.stderr}`);
  return { observations: run.records as unknown as Observation[], output: readFileSync(entry, 'utf8'), stdout: run.stdout, stderr: run.stderr };
}

/** The observation with this label; fails loudly when the program never reported it. */
export function seen(run: FixtureRun, label: string): Observation {
  const found = run.observations.find((observation) => observation.label === label);
  if (found === undefined) throw new Error(`no observation "${label}" in:\n${run.stdout}`);
  return found;
}
