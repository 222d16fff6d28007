// BENCHMARKS.md is rendered from the benchmarks' result files (bench/results/*.json) by
// scripts/benchmarks-md.mjs: a result written without re-rendering, or a hand edit to the
// document, fails here.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './helpers/compile.js';

describe('BENCHMARKS.md', () => {
  it('is what bench/results/ renders', () => {
    const check = spawnSync(process.execPath, [join(repositoryRoot, 'scripts/benchmarks-md.mjs'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('gives every benchmark its machine, date and command', () => {
    const document = readFileSync(join(repositoryRoot, 'BENCHMARKS.md'), 'utf8');
    const results = readdirSync(join(repositoryRoot, 'bench/results')).filter((file) => file.endsWith('.json'));
    expect(results.length).toBeGreaterThanOrEqual(10);
    for (const file of results) {
      const result = JSON.parse(readFileSync(join(repositoryRoot, 'bench/results', file), 'utf8')) as Record<string, string>;
      expect(document).toContain(`## ${result['title']}\n`);
      expect(document).toContain(`\`${result['command']}\` — ${result['date']!.slice(0, 10)}`);
      expect(document).toContain(result['machine']);
    }
  });
});
