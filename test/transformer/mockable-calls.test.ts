/**
 * Stand-ins see the arguments the code passes. A test runner's module mock (`vi.mock` under the
 * Vite plugin, `mock.module` under `node --test --import logmill/register`) replaces an imported
 * async function, so calls into other modules take the context from the slot there instead of
 * passing it; and a JavaScript function declaration its module reassigns is not a proven callee.
 * Apps in a temporary folder run on the built package (dist/).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';

const require = createRequire(import.meta.url);
const plugins = require(join(repositoryRoot, 'dist/cjs/transformer/bundler-plugin.js')) as typeof import('../../transformer/bundler-plugin.js');

const apps: string[] = [];
afterAll(() => {
  for (const app of apps) rmSync(app, { recursive: true, force: true });
});

function createApp(files: Record<string, string>): string {
  const app = mkdtempSync(join(tmpdir(), 'logmill-mockable-'));
  apps.push(app);
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(repositoryRoot, join(app, 'node_modules', 'logmill'), 'dir');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'mockable', private: true, type: 'module' }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(app, name), text);
  return app;
}

const mailer = 'export async function send(to: string, subject: string): Promise<string> { await null; return `sent ${subject} to ${to}`; }\n';
const notify = "import { send } from './mailer.ts';\nexport async function notify(user: string): Promise<string> { await null; return send(user, 'welcome'); }\n";

interface VitePluginHooks {
  configResolved(config: { mode: string }): void;
  transform(this: { warn(message: string): void }, code: string, id: string): { code: string };
}

function viteTransform(mode: string, app: string): string {
  const plugin = plugins.vite() as unknown as VitePluginHooks;
  plugin.configResolved({ mode });
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'es2022', module: 'esnext', moduleResolution: 'bundler', allowImportingTsExtensions: true, noEmit: true } }));
  return plugin.transform.call({ warn: () => undefined }, notify, join(app, 'notify.ts')).code;
}

describe('calls a module mock can stand in for', () => {
  it("under Vitest (Vite's mode test) the Vite plugin leaves calls into other modules as written; a build passes the context", () => {
    const app = createApp({ 'mailer.ts': mailer, 'notify.ts': notify });
    expect(viteTransform('test', app)).toMatch(/send\(user, 'welcome'\)/);
    expect(viteTransform('production', app)).toMatch(/send\(user, 'welcome', __logmillContext\)/);
  });

  it('under node --test, a mock.module stand-in is called with exactly the arguments the code passes', () => {
    const app = createApp({
      'mailer.ts': mailer,
      'notify.ts': notify,
      'notify.test.ts': `import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
const send = mock.fn(async (...args: unknown[]) => \`mocked \${args.length}\`);
mock.module('./mailer.ts', { namedExports: { send } });
const { notify } = await import('./notify.ts');
test('notify sends the welcome mail', async () => {
  assert.equal(await notify('ann'), 'mocked 2');
  assert.deepEqual(send.mock.calls[0]!.arguments, ['ann', 'welcome']);
});
`,
    });
    const ran = spawnSync(process.execPath, ['--test', '--experimental-test-module-mocks', '--import', 'logmill/register', 'notify.test.ts'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(ran.stdout + ran.stderr).toMatch(/pass 1\b/);
    expect(ran.stdout + ran.stderr).toMatch(/fail 0\b/);
    expect(ran.status).toBe(0);
  });

  it('a function declaration its module reassigns gets no hidden argument (JavaScript allows it)', () => {
    const app = createApp({
      'mailer.ts': `export async function send(to: string, subject: string): Promise<string> { await null; return \`sent \${subject} to \${to}\`; }
function dryRun(...args: unknown[]): Promise<string> { return Promise.resolve(\`dry run: \${args.length} args\`); }
// @ts-ignore: a function declaration is a mutable binding in JavaScript
if (process.env.DRY_RUN) send = dryRun;
export async function notify(user: string): Promise<string> { await null; return send(user, 'welcome'); }
`,
      'main.ts': "import { notify } from './mailer.ts';\nconsole.log(await notify('ann'));\n",
    });
    const ran = spawnSync(process.execPath, ['--import', 'logmill/register', 'main.ts'], { cwd: app, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DRY_RUN: '1' } });
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim()).toBe('dry run: 2 args');
  });

  it('a decorated #private async method is called with the arguments the code passes: the decorator may replace it', () => {
    const app = createApp({
      'main.ts': `function logged(method: (...args: unknown[]) => unknown, context: ClassMethodDecoratorContext) {
  return function (this: unknown, ...args: unknown[]) { console.log(String(context.name), 'called with', args.length, 'arguments'); return method.apply(this, args); };
}
class Service {
  @logged async #work(value: number): Promise<number> { await null; return value * 2; }
  async run(value: number): Promise<number> { return this.#work(value); }
}
console.log(await new Service().run(21));
`,
    });
    const ran = spawnSync(process.execPath, ['--import', 'logmill/register', 'main.ts'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim().split('\n')).toEqual(['#work called with 1 arguments', '42']);
  });
});
