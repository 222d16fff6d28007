/**
 * A Node app bundled by a bundler that honours `"sideEffects"` (esbuild here, as webpack and Rollup do)
 * still renders messages Python-exactly: the entry's import of the full renderer is a side effect the
 * package declares, so the bundle keeps it. Loads dist/ (run `node scripts/build.mjs` first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';

const work = mkdtempSync(join(tmpdir(), 'logmill-bundled-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function bundleAndRun(source: string, format: 'esm' | 'cjs'): Promise<string[]> {
  const outfile = join(work, `app-${format}-${Math.random().toString(36).slice(2)}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  await build({
    stdin: { contents: source, resolveDir: repositoryRoot, loader: 'ts', sourcefile: 'main.ts' },
    bundle: true,
    platform: 'node',
    format,
    outfile,
    logLevel: 'silent',
  });
  const ran = spawnSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 30_000 });
  expect(ran.stderr).toBe('');
  expect(ran.status).toBe(0);
  return ran.stdout.trim().split('\n');
}

describe('a bundled Node app', () => {
  it.each(['esm', 'cjs'] as const)('%s: ndjson and pretty output carry the Python-exact message', async (format) => {
    const lines = await bundleAndRun([
      "import { log, ndjsonSink, prettySink } from 'logmill';",
      'ndjsonSink({ destination: 1 });',
      'prettySink({ colors: false });',
      "log.info('paid %.2f for %r', 3.14159, 'x');",
    ].join('\n'), format);
    const event = JSON.parse(lines.find((line) => line.startsWith('{'))!) as { template: string; message?: string };
    expect(event.template).toBe('paid %.2f for %r');
    expect(event.message).toBe("paid 3.14 for 'x'");
    expect(lines.find((line) => line.startsWith('+'))).toMatch(/INFO +paid 3\.14 for 'x'$/);
  });
});

describe('the package\'s "sideEffects" list', () => {
  const declared = (JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { sideEffects: string[] }).sideEffects;

  function filesUnder(directory: string): string[] {
    return readdirSync(directory).flatMap((name) => {
      const path = join(directory, name);
      return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.js') ? [path] : [];
    });
  }

  it('names every built runtime module that imports another only for its effect', () => {
    const importing = filesUnder(join(repositoryRoot, 'dist')).filter((file) => {
      const text = readFileSync(file, 'utf8');
      // `import './x.js';` (ESM) or a bare `require("./x.js");` statement (CommonJS).
      return /^import ['"]\.[^'"]+['"];$/m.test(text) || /^require\(["']\.[^"']+["']\);$/m.test(text);
    }).map((file) => `./${relative(repositoryRoot, file)}`);
    expect(importing.length).toBeGreaterThan(0);
    for (const file of importing) expect(declared, file).toContain(file);
  });
});
