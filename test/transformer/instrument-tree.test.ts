/**
 * `logmill instrument <src> --out <dir>` through the real CLI: a small project rewritten into
 * readable JavaScript that runs with its context, maps back to the TypeScript lines, and declares
 * exactly what plain tsc declares.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';

// The command as users run it: the logmill package's committed bin shim.
const cli = join(repositoryRoot, 'bin/logmill.js');

function project(): string {
  const directory = mkdtempSync(join(tmpdir(), 'logmill-instrument-'));
  mkdirSync(join(directory, 'src'));
  mkdirSync(join(directory, 'node_modules'));
  symlinkSync(repositoryRoot, join(directory, 'node_modules/logmill'), 'dir');
  writeFileSync(join(directory, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, declaration: true, skipLibCheck: true, outDir: 'dist' },
    include: ['src'],
  }));
  writeFileSync(join(directory, 'src/orders.ts'), [
    "import { log } from 'logmill';",
    '',
    '/** Loads an order. */',
    'export async function loadOrder(id: string, options: { fresh?: boolean } = {}): Promise<{ id: string; fresh: boolean }> {',
    '  await new Promise((resolve) => setTimeout(resolve, 1));',
    "  log.info('loaded %s', id);",
    '  return { id, fresh: options.fresh ?? false };',
    '}',
    '',
    'export async function failOrder(id: string): Promise<never> {',
    '  await loadOrder(id);',
    '  throw new Error(`order ${id} failed`);',
    '}',
    '',
  ].join('\n'));
  writeFileSync(join(directory, 'src/main.ts'), [
    "import { addSink, configureContext, withContext } from 'logmill';",
    "import { failOrder, loadOrder } from './orders.js';",
    '',
    "configureContext({ asyncLocalStorage: 'never' });",
    'addSink((event) => console.log(JSON.stringify({ message: event.message, vars: event.context.vars, stack: event.context.stack.map((frame) => frame.function) })));',
    '',
    'async function main(): Promise<void> {',
    "  await Promise.all([withContext({ request: 'a' }, () => loadOrder('1')), withContext({ request: 'b' }, () => loadOrder('2'))]);",
    "  await failOrder('3');",
    '}',
    '',
    'await main();',
    '',
  ].join('\n'));
  return directory;
}

describe('logmill instrument', () => {
  const directory = project();
  const out = join(directory, 'out');
  const command = spawnSync(process.execPath, [cli, 'instrument', join(directory, 'src'), '--out', out], { encoding: 'utf8', env: { ...process.env, LOGMILL_PROGRESS: 'never' } });

  it('rewrites the tree and reports what it did', () => {
    expect(command.stderr).toBe('');
    expect(command.status).toBe(0);
    expect(command.stdout).toMatch(/instrumented 2 files into .* 3 async functions, 1 log call stamped/);
    const orders = readFileSync(join(out, 'orders.js'), 'utf8');
    // Readable: the source's comments and names stay; explicit passing to the proven callee.
    expect(orders).toContain('/** Loads an order. */');
    expect(orders).toContain('loadOrder(id, void 0, __logmillContext)');
  });

  it('runs with each request in its own context, and maps errors back to the TypeScript lines', () => {
    const run = spawnSync(process.execPath, ['--enable-source-maps', join(out, 'main.js')], { encoding: 'utf8', cwd: directory });
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { message: string; vars: Record<string, string>; stack: string[] });
    expect(events.find((event) => event.message === 'loaded 1')).toMatchObject({ vars: { request: 'a' }, stack: ['loadOrder', 'main'] });
    expect(events.find((event) => event.message === 'loaded 2')).toMatchObject({ vars: { request: 'b' }, stack: ['loadOrder', 'main'] });
    expect(events.find((event) => event.message === 'loaded 3')).toMatchObject({ stack: ['loadOrder', 'failOrder', 'main'] });
    expect(run.stderr).toContain('order 3 failed');
    expect(run.stderr).toMatch(/src[\\/]orders\.ts:12:9/);
  });

  it('emits declarations identical to plain tsc', () => {
    const config = ts.getParsedCommandLineOfConfigFile(join(directory, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const declarations = new Map<string, string>();
    ts.createProgram(config.fileNames, { ...config.options, emitDeclarationOnly: true }).emit(undefined, (fileName, text) => declarations.set(fileName.replace(/^.*[\\/]/, ''), text));
    expect([...declarations.keys()].sort()).toEqual(['main.d.ts', 'orders.d.ts']);
    for (const [name, text] of declarations) expect(readFileSync(join(out, name), 'utf8')).toBe(text);
  });
});

describe('logmill instrument, refusing', () => {
  const run = (source: string, out: string) => spawnSync(process.execPath, [cli, 'instrument', source, '--out', out], { encoding: 'utf8', env: { ...process.env, LOGMILL_PROGRESS: 'never' } });

  it('a source that is not a directory', () => {
    const missing = join(tmpdir(), 'logmill-no-such-source');
    const command = run(missing, join(tmpdir(), 'logmill-instrument-out'));
    expect(command.status).toBe(1);
    expect(command.stderr).toContain(`${missing} is not a directory`);
  });

  it('an output that is the source itself', () => {
    const directory = project();
    const command = run(join(directory, 'src'), join(directory, 'src'));
    expect(command.status).toBe(1);
    expect(command.stderr).toMatch(/the output .*src is the source; choose another directory/);
    expect(command.stdout).toBe('');
  });
});

describe('logmill instrument names modules as the other routes do', () => {
  // TypeScript 7's `tsc --init` sets no rootDir; an app run with `node --import logmill/register`
  // in development and built with `logmill instrument` for production must keep its module names,
  // or per-module levels and the dashboard's module tree change between the two.
  function app(rootDir: string | undefined): string {
    const directory = mkdtempSync(join(tmpdir(), 'logmill-instrument-names-'));
    mkdirSync(join(directory, 'src/api'), { recursive: true });
    mkdirSync(join(directory, 'node_modules'));
    symlinkSync(repositoryRoot, join(directory, 'node_modules/logmill'), 'dir');
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'es2024', module: 'nodenext', strict: true, skipLibCheck: true, ...(rootDir === undefined ? {} : { rootDir }) },
      include: ['src'],
    }));
    writeFileSync(join(directory, 'src/api/checkout.ts'), "import { log } from 'logmill';\nexport async function charge(cents: number): Promise<void> {\n  await null;\n  log.info('charged %d', cents);\n}\n");
    writeFileSync(join(directory, 'src/main.ts'), [
      "import { addSink } from 'logmill';",
      "import { charge } from './api/checkout.js';",
      'addSink((event) => console.log(JSON.stringify({ code: event.code, frames: event.context.stack.map((frame) => [frame.module, frame.file]) })));',
      'async function main(): Promise<void> {',
      '  await charge(5);',
      '}',
      'await main();',
      '',
    ].join('\n'));
    return directory;
  }
  const run = (args: string[], cwd: string) => {
    const ran = spawnSync(process.execPath, args, { encoding: 'utf8', cwd, env: { ...process.env, LOGMILL_PROGRESS: 'never' } });
    expect(ran.stderr).toBe('');
    return JSON.parse(ran.stdout.trim()) as { code: { module: string; file: string }; frames: string[][] };
  };

  it.each([
    { rootDir: undefined, module: 'src/api/checkout', file: 'src/api/checkout.ts' },
    { rootDir: '.', module: 'src/api/checkout', file: 'src/api/checkout.ts' },
    { rootDir: 'src', module: 'api/checkout', file: 'api/checkout.ts' },
  ])('with rootDir $rootDir: $module, as under node --import logmill/register', ({ rootDir, module, file }) => {
    const directory = app(rootDir);
    const built = spawnSync(process.execPath, [cli, 'instrument', 'src', '--out', 'build'], { encoding: 'utf8', cwd: directory, env: { ...process.env, LOGMILL_PROGRESS: 'never' } });
    expect(built.status, built.stderr).toBe(0);
    const instrumented = run([join(directory, 'build/main.js')], directory);
    const registered = run(['--import', 'logmill/register', join(directory, 'src/main.ts')], directory);
    expect(instrumented.code).toMatchObject({ module, file });
    expect(instrumented).toEqual(registered);
  });
});
