/**
 * `node --import logmill/register app.ts`: Node's own TypeScript route. Apps in a temporary folder
 * (logmill linked into their node_modules, as npm would install it) run on the Node under test,
 * and the events they log carry the logical stack, the context variables and the call site.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repository = resolve(import.meta.dirname, '../..');
const apps: string[] = [];

afterAll(() => {
  for (const app of apps) rmSync(app, { recursive: true, force: true });
});

/** A fresh app: its package.json, logmill linked in, and its sources under src/. */
function createApp(manifest: object, files: Record<string, string>): string {
  const app = mkdtempSync(join(tmpdir(), 'logmill-register-'));
  apps.push(app);
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(repository, join(app, 'node_modules', 'logmill'), 'dir');
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(app, 'src', name, '..'), { recursive: true });
    writeFileSync(join(app, 'src', name), text);
  }
  return app;
}

interface Reported {
  message: string;
  vars: Record<string, unknown>;
  stack: string[];
  code?: { module: string; file: string; line: number; function: string };
}

function run(app: string, entry: string, extraArguments: string[] = []): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'logmill/register', ...extraArguments, join('src', entry)], { cwd: app, encoding: 'utf8', timeout: 60_000 });
}

function reported(app: string, entry: string): Reported {
  const result = run(app, entry);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout.trim()) as Reported;
}

const report = `
  const event = events[0];
  console.log(JSON.stringify({ message: event.message, vars: event.context.vars, stack: event.context.stack.map((frame: { function: string }) => frame.function), code: event.code }));
`;

const payment = `import { log } from 'logmill';
export async function charge(cents: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  log.info('charged %d cents', cents);
  return cents;
}
`;

describe('node --import logmill/register', () => {
  it('instruments an ES module app with .ts imports, enums and top-level await', () => {
    const app = createApp({ name: 'esm-app', type: 'module' }, {
      'api/payment.ts': payment,
      'main.ts': `import { addSink, withContext } from 'logmill';
import { charge } from './api/payment.ts';
const events: any[] = [];
addSink((event) => events.push(event));
enum Plan { Free, Pro }
async function submitOrder(plan: Plan): Promise<void> {
  await Promise.resolve();
  await charge(plan === Plan.Pro ? 1500 : 0);
}
await withContext({ requestId: 'r1' }, () => submitOrder(Plan.Pro));
${report}`,
    });
    const event = reported(app, 'main.ts');
    expect(event.message).toBe('charged 1500 cents');
    expect(event.vars).toEqual({ requestId: 'r1' });
    expect(event.stack).toEqual(['charge', 'submitOrder']);
    expect(event.code).toMatchObject({ module: 'src/api/payment', file: 'src/api/payment.ts', line: 4, function: 'charge' });
  });

  it.each(['module', 'commonjs'])('instruments a workspace package outside node_modules that does not depend on logmill (pnpm, Yarn), type %s', (type) => {
    // A sibling folder, as a pnpm workspace's package is reached through its realpath: nothing on
    // its path can resolve logmill, only the hook itself can (for require too, where Node resolves
    // from the requiring module whatever the resolve hook says).
    const library = mkdtempSync(join(tmpdir(), 'logmill-workspace-library-'));
    apps.push(library);
    writeFileSync(join(library, 'package.json'), JSON.stringify({ name: 'library', type }));
    writeFileSync(join(library, 'index.ts'), `export async function greet(then: () => Promise<void>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  await then();
}
`);
    const app = createApp({ name: 'workspace-app', type: 'module' }, {
      'main.ts': `import { addSink, log, withContext } from 'logmill';
import { greet } from '../../${library.split('/').at(-1)}/index.ts';
const events: any[] = [];
addSink((event) => events.push(event));
async function handle(): Promise<void> {
  await greet(async () => log.info('greeted'));
}
await withContext({ requestId: 'w1' }, () => handle());
${report}`,
    });
    const event = reported(app, 'main.ts');
    expect(event).toMatchObject({ message: 'greeted', vars: { requestId: 'w1' } });
    expect(event.stack).toContain('greet');
  });

  it('instruments CommonJS (.cts, and .ts in a commonjs package) loaded by require', () => {
    const app = createApp({ name: 'cjs-app', type: 'commonjs' }, {
      'payment.cts': payment,
      'main.cts': `import { addSink, withContext } from 'logmill';
import { charge } from './payment.cts';
const events: any[] = [];
addSink((event) => events.push(event));
async function submitOrder(): Promise<void> { await charge(700); }
void withContext({ requestId: 'r2' }, () => submitOrder()).then(() => {${report}});
`,
      'plain.ts': `import { addSink, withContext, log } from 'logmill';
const events: any[] = [];
addSink((event) => events.push(event));
async function work(): Promise<void> { await new Promise((resolve) => setTimeout(resolve, 1)); log.warn('done %s', 'x'); }
void withContext({ requestId: 'r3' }, () => work()).then(() => {${report}});
`,
    });
    const fromModules = reported(app, 'main.cts');
    expect(fromModules).toMatchObject({ message: 'charged 700 cents', vars: { requestId: 'r2' }, stack: ['charge', 'submitOrder'] });
    expect(fromModules.code).toMatchObject({ file: 'src/payment.cts', line: 4 });
    const plain = reported(app, 'plain.ts');
    expect(plain).toMatchObject({ message: "done x", vars: { requestId: 'r3' }, stack: ['work'] });
    expect(plain.code).toMatchObject({ file: 'src/plain.ts', line: 4, function: 'work' });
  });

  it("runs TypeScript's CommonJS forms in a package without a type: import x = require(), export =, extensionless requires", () => {
    // What verbatimModuleSyntax asks of a CommonJS app; `export =` and `import x = require()` make the file CommonJS.
    const app = createApp({ name: 'verbatim-cjs-app' }, {
      'api/payment.ts': `import logmill = require('logmill');
async function charge(cents: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  logmill.log.info('charged %d cents', cents);
  return cents;
}
export = { charge };
`,
      'helper/index.ts': 'function double(value: number): number { return value * 2; }\nexport = { double };\n',
      'main.ts': `import logmill = require('logmill');
import payment = require('./api/payment');
import helper = require('./helper');
const events: any[] = [];
logmill.addSink((event) => events.push(event));
async function submitOrder(): Promise<void> { await payment.charge(helper.double(300)); }
void logmill.withContext({ requestId: 'r5' }, () => submitOrder()).then(() => {${report}});
`,
    });
    const event = reported(app, 'main.ts');
    expect(event).toMatchObject({ message: 'charged 600 cents', vars: { requestId: 'r5' }, stack: ['charge', 'submitOrder'] });
    expect(event.code).toMatchObject({ file: 'src/api/payment.ts', line: 4, function: 'charge' });
  });

  it('runs a script with top-level await and no import or export as a module, as Node detects it', () => {
    const app = createApp({ name: 'untyped-app' }, {
      'main.ts': `async function load(id: number): Promise<string> { await null; return 'loaded ' + id; }
const value = await load(1);
console.log(value, typeof require);
`,
    });
    const result = run(app, 'main.ts');
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('loaded 1 undefined');
  });

  it('formats a %-template written with backticks with its own args, as the plain build does', () => {
    const app = createApp({ name: 'backtick-app', type: 'module' }, {
      'main.ts': `import { addSink, log } from 'logmill';
const messages: string[] = [];
addSink((event) => messages.push(event.message));
const area = 'billing';
async function work(): Promise<void> {
  await null;
  log.info(\`user %s paid %d\`, 'ann', 42);
  log.info(\`[\${area}] user %s\`, 'bob');
  log.info(\`[\${area}] 100% done\`);
}
await work();
console.log(JSON.stringify(messages));
`,
    });
    const result = run(app, 'main.ts');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual(['user ann paid 42', '[billing] user bob', '[billing] 100% done']);
  });

  it('loads and runs under frozen intrinsics (SES lockdown), keeping the native toString', () => {
    const app = createApp({ name: 'frozen-app', type: 'module' }, {
      'main.ts': `import { addSink, log, withContext } from 'logmill';
const messages: string[] = [];
addSink((event) => messages.push(\`\${event.message} \${JSON.stringify(event.context.vars)}\`));
async function work(x: number): Promise<number> { await null; log.info('working on %d', x); return x * 2; }
console.log(JSON.stringify([await withContext({ requestId: 'r1' }, () => work(2)), messages]));
`,
    });
    writeFileSync(join(app, 'freeze.mjs'), 'Object.freeze(Function.prototype);\n');
    const result = spawnSync(process.execPath, ['--import', 'logmill/register', '--import', './freeze.mjs', join('src', 'main.ts')], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual([4, ['working on 2 {"requestId":"r1"}']]);
  });

  it('finds the TypeScript file behind a .js specifier, as tsc does, in ES modules and require', () => {
    const app = createApp({ name: 'nodenext-app', type: 'module' }, {
      'api/payment.ts': payment,
      'main.ts': `import { addSink, withContext } from 'logmill';
import { charge } from './api/payment.js';
import { createRequire } from 'node:module';
const events: any[] = [];
addSink((event) => events.push(event));
const helper = createRequire(import.meta.url)('./helper.cjs') as { double(value: number): number };
async function submitOrder(): Promise<void> { await charge(helper.double(250)); }
await withContext({ requestId: 'r4' }, () => submitOrder());
${report}`,
      'helper.cts': 'export function double(value: number): number { return value * 2; }\n',
    });
    const event = reported(app, 'main.ts');
    expect(event).toMatchObject({ message: 'charged 500 cents', vars: { requestId: 'r4' }, stack: ['charge', 'submitOrder'] });
  });

  it('lowers what Node cannot run yet: standard decorators (@traced()), accessor fields and using', () => {
    const app = createApp({ name: 'decorated-app', type: 'module' }, {
      'main.ts': `import { addSink, traced, configureLogging } from 'logmill';
const events: any[] = [];
addSink((event) => events.push(event));
configureLogging({ level: 'debug' });
class Cart {
  accessor items = 2;
  @traced() async checkout(): Promise<number> { await Promise.resolve(); return this.items; }
}
let disposed = false;
function scoped(): number { using resource = { [Symbol.dispose]() { disposed = true; } }; return 1; }
const total = await new Cart().checkout();
console.log(JSON.stringify({ total, scoped: scoped(), disposed, traced: events.some((event) => event.attributes?.durationMs !== undefined) }));
`,
    });
    const result = run(app, 'main.ts');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual({ total: 2, scoped: 1, disposed: true, traced: true });
  });

  it('compiles JSX as the tsconfig says, in async functions too', () => {
    const app = createApp({ name: 'jsx-app', type: 'module' }, {
      'page.tsx': `function h(tag: string, props: object | null, ...children: unknown[]) { return { tag, props, children }; }
export async function page(name: string) {
  await Promise.resolve();
  return <div id="greeting">{name}</div>;
}
`,
      'main.ts': `import { page } from './page.tsx';
console.log(JSON.stringify(await page('ann')));
`,
    });
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', jsx: 'react', jsxFactory: 'h', strict: true } }));
    const result = run(app, 'main.ts');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual({ tag: 'div', props: { id: 'greeting' }, children: ['ann'] });
  });

  it("maps an error's stack to the TypeScript source, as `node main.ts` alone reports it, unless --no-enable-source-maps", () => {
    const app = createApp({ name: 'maps-app', type: 'module' }, {
      'main.ts': `interface Order { id: string }
import { check } from './check.cts';
async function fail(order: Order): Promise<never> {
  await Promise.resolve();
  throw new Error('no ' + order.id + ' ' + check().split('\\n')[1]!.trim());
}
await fail({ id: 'o-1' });
`,
      'check.cts': `export function check(): string {
  return new Error('checked').stack!;
}
`,
    });
    for (const flags of [[], ['--enable-source-maps']]) {
      const result = run(app, 'main.ts', flags);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/no o-1 at check \(.*src[\\/]check\.cts:2:10\)/);
      expect(result.stderr).toMatch(/src[\\/]main\.ts:5:9/);
    }
    const unmapped = run(app, 'main.ts', ['--no-enable-source-maps']);
    expect(unmapped.stderr).toContain('no o-1');
    expect(unmapped.stderr).not.toMatch(/src[\\/]main\.ts:5:9/);
  });

  it("runs the README's one screen of code as written, and its events carry what the README says", () => {
    const readme = readFileSync(join(repository, 'README.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## One screen of code')))![1]!;
    // Only the collector's address changes: nothing listens on the discard port, so delivery fails
    // fast and the events wait in the spool.
    const checkout = block.replace("'http://127.0.0.1:4318'", "'http://127.0.0.1:9'");
    const app = createApp({ name: 'readme-app', type: 'module' }, {
      'api/checkout.ts': checkout,
      'main.ts': `import { addSink } from 'logmill';
import { handleRequest } from './api/checkout.ts';
const events: any[] = [];
addSink((event) => events.push(event));
await handleRequest({ id: 'r1', userId: 'user-1', variant: 'B' });
const charged = events.find((event) => event.template === 'charged %d cents');
console.log(JSON.stringify({ message: charged.message, vars: charged.context.vars, stack: charged.context.stack.map((frame: { function: string }) => frame.function), code: charged.code, names: events.map((event) => event.name ?? event.template) }));
`,
    });
    const result = spawnSync(process.execPath, ['--import', 'logmill/register', join('src', 'main.ts')], {
      cwd: app,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, LOGMILL_INGEST_KEY: 'lm_ingest_readme_readme_readme', TMPDIR: app },
    });
    expect(result.status, result.stderr).toBe(0);
    const charged = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Reported & { names: string[] };
    expect(charged.message).toBe('charged 1500 cents');
    expect(charged.vars).toMatchObject({ requestId: 'r1', userId: 'user-1', experiment: 'checkout-v2', variant: 'B' });
    expect(charged.stack).toEqual(['charge', 'checkout', '<anonymous>', 'handleRequest']);
    expect(charged.code).toMatchObject({ module: 'src/api/checkout', file: 'src/api/checkout.ts', function: 'charge' });
    expect(charged.names).toEqual(expect.arrayContaining(['$identify', '$exposure', 'checkout started']));
  });

  it('leaves dependencies alone: a TypeScript file under node_modules is what Node strips itself', () => {
    const app = createApp({ name: 'dependency-app', type: 'module' }, {
      'main.ts': `import { describe } from 'helper';
console.log(describe());
`,
    });
    mkdirSync(join(app, 'node_modules', 'helper'));
    writeFileSync(join(app, 'node_modules', 'helper', 'package.json'), JSON.stringify({ name: 'helper', type: 'module', exports: './index.js' }));
    writeFileSync(join(app, 'node_modules', 'helper', 'index.js'), 'export async function later() {}\nexport function describe() { return later.toString(); }\n');
    const result = run(app, 'main.ts');
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('async function later() {}');
  });
});
