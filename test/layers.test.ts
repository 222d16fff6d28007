// The layers point one way (ARCHITECTURE.md, .dependency-cruiser.cjs): an import that points
// upstream or closes a cycle fails here, across transformer/, runtime/ and server/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './helpers/compile.js';

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

const layers = ['runtime', 'transformer', 'server/domain', 'server/store', 'server/analytics', 'server/collector', 'server/cli', 'server/dashboard/src', 'server/index.ts'];

/** Runs dependency-cruiser with the project's rules over `paths` in `cwd`, returning its violations. */
function cruise(cwd: string, paths: string[]): Violation[] {
  const run = spawnSync(
    process.execPath,
    [join(repositoryRoot, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'), '--config', join(repositoryRoot, '.dependency-cruiser.cjs'), '--output-type', 'json', ...paths],
    { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.stdout === '') throw new Error(`dependency-cruiser failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations;
}

describe('layers', () => {
  it('have no import pointing upstream and no cycle', () => {
    const violations = cruise(repositoryRoot, layers);
    expect(violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`)).toEqual([]);
  });

  it('catch a planted upstream import and a planted cycle', () => {
    const tree = mkdtempSync(join(tmpdir(), 'logmill-layers-'));
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
      'server/store/store.ts': "import type { Answer } from '../analytics/guard.js';\nexport type Row = Answer;\n",
      'server/analytics/guard.ts': "export type Answer = number;\nimport { refuse } from '../collector/http.js';\nexport const guard = refuse;\n",
      'server/collector/http.ts': "export function refuse(): void {}\n",
      'server/domain/model.ts': "import type { Row } from '../store/store.js';\nexport type Model = Row;\n",
      'server/dashboard/src/page.ts': "import type { Model } from '../../domain/model.js';\nimport { parse } from '../../domain/parse.js';\nexport const page = (model: Model) => parse(model);\n",
      'server/domain/parse.ts': "export function parse(value: unknown): unknown { return value; }\n",
      'runtime/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'runtime/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(tree, file)), { recursive: true });
      writeFileSync(join(tree, file), text);
    }
    const rules = cruise(tree, ['runtime', 'server']).map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`);
    expect(rules).toContain('store-below-analytics: server/store/store.ts → server/analytics/guard.ts');
    expect(rules).toContain('analytics-below-collector: server/analytics/guard.ts → server/collector/http.ts');
    expect(rules.some((rule) => rule.startsWith('no-cycles: runtime/'))).toBe(true);
    expect(rules).toContain('domain-is-a-leaf: server/domain/model.ts → server/store/store.ts');
    // The dashboard may name the domain's types, but bundling its code is refused.
    expect(rules).toContain('dashboard-bundles-no-server-code: server/dashboard/src/page.ts → server/domain/parse.ts');
    expect(rules.filter((rule) => rule.includes('server/dashboard/src/page.ts → server/domain/model.ts'))).toEqual([]);
  });
});
