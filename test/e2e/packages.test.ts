/**
 * The packages as a new user gets them: both are packed (`npm pack`), and a fresh app outside the
 * repository installs the tarballs with plain `npm install` (no flag), then runs the README's own
 * lines, read from its blocks marked `<!-- tested: … -->` (package names replaced by the tarballs'
 * paths, the collector's port by 0): TypeScript 7 through `logmill instrument`, the collector through
 * `npx logmill serve`, TypeScript 6 + ts-patch 4 and TypeScript 5.9 + ts-patch 3.3 through the
 * tsconfig `plugins` entry. Each app's events are read back from the collector with their logical
 * stacks and call sites. AsyncLocalStorage is switched off in the app, so the context it shows can
 * only have come through the rewrite. Needs the npm registry (TypeScript and ts-patch are installed
 * from it, as a user would).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';
import { writeTypeMatrix } from './helpers/type-matrix.js';

// The Node running this suite runs every command of the apps (npm's own shebang included).
const nodeDirectory = dirname(process.execPath);
const environment: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] =>
    entry[1] !== undefined && !/^npm_/i.test(entry[0]) && entry[0] !== 'INIT_CWD' && !entry[0].startsWith('LOGMILL_') && !entry[0].startsWith('VITEST')),
);
environment['PATH'] = `${nodeDirectory}:${process.env['PATH'] ?? ''}`;
environment['LOGMILL_PROGRESS'] = 'never';
environment['NO_UPDATE_NOTIFIER'] = '1';
environment['npm_config_audit'] = 'false';
environment['npm_config_fund'] = 'false';

const work = mkdtempSync(join(tmpdir(), 'logmill-packages-'));
const tarballs = { logmill: '', server: '' };

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(line: string, cwd: string): Ran {
  const result = spawnSync('sh', ['-c', line], { cwd, env: environment, encoding: 'utf8', timeout: 240_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runOk(line: string, cwd: string): Ran {
  const result = run(line, cwd);
  if (result.status !== 0) throw new Error(`${line} (in ${cwd}) exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The README and the manual under docs/, as one text: the blocks this test runs live there. */
function documentation(): string {
  const pages = readdirSync(join(repositoryRoot, 'docs')).filter((page) => page.endsWith('.md')).sort();
  return [join(repositoryRoot, 'README.md'), ...pages.map((page) => join(repositoryRoot, 'docs', page))]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

/** The lines of the documentation block marked `<!-- tested: name … -->`, comments dropped. */
function readmeLines(name: string): string[] {
  const readme = documentation();
  const marker = readme.indexOf(`<!-- tested: ${name}`);
  expect(marker, `README block ${name}`).toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker))![1]!;
  return block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line !== '');
}

/** A README line as this test runs it: the packages from their tarballs, an ephemeral port. */
function asTested(line: string): string {
  return line
    .replace(/^npm install logmill$/, `npm install ${tarballs.logmill}`)
    .replace(/^npm install @logmill\/server$/, `npm install ${tarballs.server}`)
    .replace(/--port 4318\b/, '--port 0');
}

function npmProblems(result: Ran): string[] {
  return `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => /ERESOLVE|EBADENGINE|peer dep|npm (error|ERR)/i.test(line));
}

function versionOf(app: string, packagePath: string): string {
  return (JSON.parse(readFileSync(join(app, 'node_modules', packagePath, 'package.json'), 'utf8')) as { version: string }).version;
}

function createApp(name: string, tsconfig: Record<string, unknown>): string {
  const app = join(work, name);
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: [], rootDir: 'src', outDir: 'build', ...tsconfig },
    include: ['src'],
  }, null, 2));
  writeFileSync(join(app, 'src/payment.ts'), [
    "import { log } from 'logmill';",
    '',
    'export async function chargeCard(cents: number): Promise<number> {',
    '  await new Promise<void>((resolve) => setTimeout(resolve, 2));',
    "  log.info('charged %d cents', cents);",
    '  return cents;',
    '}',
    '',
  ].join('\n'));
  writeFileSync(join(app, 'src/main.ts'), [
    "import { configureContext, httpSink, withContext } from 'logmill';",
    "import { collector } from './collector.js';",
    "import { chargeCard } from './payment.js';",
    '',
    "configureContext({ asyncLocalStorage: 'never' });",
    'const sink = httpSink({ url: collector.url, key: collector.ingestKey, spool: false });',
    '',
    'async function handleRequest(requestId: string, userId: string): Promise<void> {',
    '  await withContext({ requestId, userId }, async () => {',
    '    await chargeCard(requestId.length * 100);',
    '  });',
    '}',
    '',
    `await Promise.all([handleRequest('r1', '${name}-a'), handleRequest('r22', '${name}-b')]);`,
    "if (!(await sink.close(20_000))) throw new Error('the collector did not acknowledge the events');",
    "console.log('delivered', sink.statistics.delivered);",
    '',
  ].join('\n'));
  return app;
}

/** The documented imports type-check in `app` under every module resolution its TypeScript has. */
function expectTypesUnderEveryResolution(app: string): void {
  const major = Number(versionOf(app, 'typescript').split('.')[0]);
  for (const { name, command } of writeTypeMatrix(app, major)) {
    const checked = run(command, app);
    expect(`${checked.stdout}${checked.stderr}`, `TypeScript ${major}, ${name}`).toBe('');
    expect(checked.status, `TypeScript ${major}, ${name}`).toBe(0);
  }
}

let collector: { child: ChildProcess; url: string; admin: string; ingest: string } | undefined;

function writeCollectorModule(app: string): void {
  writeFileSync(join(app, 'src/collector.ts'), `export const collector = ${JSON.stringify({ url: collector!.url, ingestKey: collector!.ingest })};\n`);
}

interface ExportedEvent {
  template: string | null;
  message: string | null;
  module: string | null;
  file: string | null;
  line: number | null;
  function_name: string | null;
  stack: unknown;
  context_vars: unknown;
  user_id: string | null;
}

/** `npx logmill export --user …` from the app: what the collector stored for that user. */
function exported(app: string, user: string): ExportedEvent[] {
  const result = runOk(`npx logmill export --user ${user} --url ${collector!.url} --key ${collector!.admin}`, app);
  return (JSON.parse(result.stdout) as { events: ExportedEvent[] }).events;
}

function expectDeliveredWithStacks(app: string, name: string): void {
  for (const [user, cents] of [[`${name}-a`, 200], [`${name}-b`, 300]] as const) {
    const events = exported(app, user).filter((event) => event.template === 'charged %d cents');
    expect(events, `${name}: ${user}`).toHaveLength(1);
    const event = events[0]!;
    expect(event.message).toBe(`charged ${cents} cents`);
    // The call site stamped at build time, and the logical stack through the app's own functions.
    expect({ module: event.module, file: event.file, line: event.line, function: event.function_name }).toEqual({ module: 'payment', file: 'payment.ts', line: 5, function: 'chargeCard' });
    const stack = (typeof event.stack === 'string' ? JSON.parse(event.stack) : event.stack) as Array<{ function: string; file: string; line: number }>;
    expect(stack.map((frame) => frame.function).slice(0, 1)).toEqual(['chargeCard']);
    expect(stack.map((frame) => frame.function)).toContain('handleRequest');
    expect(stack.find((frame) => frame.function === 'handleRequest')).toMatchObject({ file: 'main.ts', line: 8 });
    const variables = (typeof event.context_vars === 'string' ? JSON.parse(event.context_vars) : event.context_vars) as Record<string, unknown>;
    expect(variables).toEqual({ requestId: cents === 200 ? 'r1' : 'r22', userId: user });
    expect(event.user_id).toBe(user);
  }
}

beforeAll(() => {
  const packs = join(work, 'packs');
  mkdirSync(packs);
  for (const [name, directory] of [['logmill', repositoryRoot], ['server', join(repositoryRoot, 'server')]] as const) {
    const packed = runOk(`npm pack --pack-destination ${packs}`, directory).stdout.trim().split('\n').at(-1)!;
    tarballs[name] = join(packs, packed);
  }
  expect(readdirSync(packs).sort()).toEqual(['logmill-0.1.0.tgz', 'logmill-server-0.1.0.tgz']);
});

afterAll(async () => {
  if (collector !== undefined) {
    // The whole group: a SIGTERM to sh alone left npm exec's collector running after the suite.
    if (collector.child.exitCode === null && collector.child.signalCode === null) {
      const exited = new Promise((resolve) => collector!.child.once('exit', resolve));
      process.kill(-collector.child.pid!, 'SIGTERM');
      await exited;
    }
  }
  rmSync(work, { recursive: true, force: true });
});

describe('the published types', () => {
  // @arethetypeswrong/cli on the very tarballs the apps install, as `attw --pack` would pack them.
  // The collector is ESM only: require() of it works from Node 22.12 (require(esm)), which the
  // checker's cjs-resolves-to-esm rule predates, so that one rule is left out for it.
  it.each([
    ['logmill', [] as string[]],
    ['server', ['--ignore-rules', 'cjs-resolves-to-esm']],
  ] as const)('%s: no problem for any resolution mode', (name, flags) => {
    const result = run(`npx --yes @arethetypeswrong/cli@0.18.5 ${tarballs[name]} --format ascii --no-color ${flags.join(' ')}`, work);
    expect(result.stdout).toContain('No problems found');
    expect(result.status).toBe(0);
  });
});

describe('a fresh app on TypeScript 7, from the packed packages', () => {
  let app: string;
  beforeAll(() => {
    app = createApp('shop-ts7', {});
  });

  it('installs logmill, then typescript@7 next to it, with plain npm install: no peer conflict, no engine warning', () => {
    const [installLogmill, installTypeScript] = readmeLines('typescript-7');
    expect([installLogmill, installTypeScript]).toEqual(['npm install logmill', 'npm install --save-dev typescript@7']);
    for (const line of [installLogmill!, installTypeScript!]) expect(npmProblems(runOk(asTested(line), app))).toEqual([]);
    expect(versionOf(app, 'typescript')).toMatch(/^7\./);
    // The transform's own TypeScript, with the transformer API, beside the app's.
    expect(versionOf(app, 'logmill/node_modules/typescript')).toMatch(/^6\./);
  });

  it('npx logmill without the collector package: instrument is there, serve says what to install', () => {
    expect(runOk('npx logmill instrument --help', app).stdout).toContain('Usage: logmill instrument <src> --out <dir>');
    writeFileSync(join(app, 'src/collector.ts'), "export const collector = { url: 'http://127.0.0.1:9', ingestKey: 'not-yet' };\n");
    expect(runOk('npx logmill instrument src --out build-alone', app).stdout).toMatch(/instrumented 3 files .* 3 async functions, 1 log call stamped/);
    expect(readFileSync(join(app, 'build-alone/payment.js'), 'utf8')).toContain('__logmillAt(');
    const serve = run('npx logmill serve --port 0', app);
    expect(serve.status).toBe(1);
    expect(serve.stderr).toContain('logmill serve comes with the collector package: npm install @logmill/server');
  });

  it('installs the collector package and runs npx logmill serve from it, as the README says', async () => {
    const [install, serve] = readmeLines('collector');
    expect(install).toBe('npm install @logmill/server');
    expect(npmProblems(runOk(asTested(install!), app))).toEqual([]);
    expect(serve).toMatch(/^npx logmill serve --data \.\/logmill-data --port 4318$/);
    // Its own process group: sh, npm exec and the collector all stop with the group at the end.
    const child = spawn('sh', ['-c', asTested(serve!)], { cwd: app, env: environment, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`logmill serve did not start:\n${output}`)), 60_000);
      child.once('exit', (code) => reject(new Error(`logmill serve exited with ${code}:\n${output}`)));
      const check = (): void => {
        if (/admin key:\s+\S+/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
    });
    collector = {
      child,
      url: /listening on (http:\/\/\S+)/.exec(output)![1]!,
      ingest: /ingest key:\s+(\S+)/.exec(output)![1]!,
      admin: /admin key:\s+(\S+)/.exec(output)![1]!,
    };
    expect(readdirSync(join(app, 'logmill-data'))).toContain('keys.json');
  });

  it('type-checks with TypeScript 7, instruments with npx logmill instrument, runs, and the collector has the events with stacks and call sites', () => {
    writeCollectorModule(app);
    const [, , typeCheck, instrument, start] = readmeLines('typescript-7');
    expect(typeCheck).toBe('npx tsc --noEmit');
    const checked = run(typeCheck!, app);
    expect(`${checked.stdout}${checked.stderr}`).toBe('');
    expect(checked.status).toBe(0);
    expect(runOk('npx tsc --version', app).stdout).toMatch(/Version 7\./);
    expectTypesUnderEveryResolution(app);
    expect(instrument).toBe('npx logmill instrument src --out build');
    expect(runOk(instrument!, app).stdout).toMatch(/instrumented 3 files into build .* with TypeScript 6\.\d+\.\d+: 3 async functions, 1 log call stamped/);
    expect(start).toBe('node --enable-source-maps build/main.js');
    expect(runOk(start!, app).stdout).toContain('delivered 2');
    expectDeliveredWithStacks(app, 'shop-ts7');
  });

  it('bundles with the esbuild plugin, which runs on the TypeScript logmill depends on, and the events arrive with stacks and call sites', () => {
    expect(npmProblems(runOk('npm install --save-dev esbuild unplugin', app))).toEqual([]);
    writeFileSync(join(app, 'src/main.ts'), readFileSync(join(app, 'src/main.ts'), 'utf8').replaceAll("'shop-ts7-", "'shop-ts7-bundled-"));
    writeFileSync(join(app, 'bundle.mjs'), [
      "import { build } from 'esbuild';",
      "import * as logmill from 'logmill/bundler';",
      "await build({ entryPoints: ['src/main.ts'], bundle: true, platform: 'node', format: 'esm', outfile: 'bundle/main.js', logLevel: 'warning', plugins: [logmill.esbuild({ verbose: true })] });",
      '',
    ].join('\n'));
    const bundled = runOk('node bundle.mjs', app);
    expect(`${bundled.stdout}${bundled.stderr}`).toBe('');
    expect(runOk('node bundle/main.js', app).stdout).toContain('delivered 2');
    expectDeliveredWithStacks(app, 'shop-ts7-bundled');
  });
});

describe('node --import logmill/register from the packed package, in the TypeScript 7 app', () => {
  it('runs the sources as the docs say, and the collector has the events with stacks and call sites', () => {
    const app = join(work, 'shop-ts7');
    const [install, start] = readmeLines('register');
    expect([install, start]).toEqual(['npm install logmill', 'node --import logmill/register src/main.ts']);
    writeFileSync(join(app, 'src/main.ts'), readFileSync(join(app, 'src/main.ts'), 'utf8').replaceAll(/'shop-ts7-(bundled-)?/g, "'shop-ts7-registered-"));
    const ran = runOk(start!, app);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toContain('delivered 2');
    expectDeliveredWithStacks(app, 'shop-ts7-registered');
  });

  it('runs a CommonJS folder written for verbatimModuleSyntax: import x = require(), export =, extensionless requires', () => {
    const folder = join(work, 'shop-ts7', 'commonjs');
    mkdirSync(join(folder, 'lib'), { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'commonjs-part', private: true }));
    writeFileSync(join(folder, 'lib/payment.ts'), "import logmill = require('logmill');\nasync function charge(cents: number): Promise<number> {\n  logmill.log.info('charged %d cents', cents);\n  return cents;\n}\nexport = { charge };\n");
    writeFileSync(join(folder, 'main.ts'), [
      "import logmill = require('logmill');",
      "import payment = require('./lib/payment');",
      "logmill.addSink((event) => console.log(JSON.stringify([event.message, event.context.vars, event.context.stack.map((frame) => frame.function), event.code?.line])));",
      "async function handle(): Promise<void> { await payment.charge(700); }",
      "void logmill.withContext({ requestId: 'c1' }, () => handle());",
      '',
    ].join('\n'));
    const ran = runOk('node --import logmill/register commonjs/main.ts', join(work, 'shop-ts7'));
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual(['charged 700 cents', { requestId: 'c1' }, ['charge', 'handle'], 3]);
  });
});

describe('decorators and TypeScript 7 options on the TypeScript 7 route, from the packed packages', () => {
  // The app of the previous describe has logmill and typescript@7 installed; each project here is a
  // folder of it with its own tsconfig, checked by TypeScript 7 and instrumented by the package.
  const service = (legacy: boolean) => [
    "import { addSink, configureLogging, traced } from 'logmill';",
    "configureLogging({ level: 'debug' });",
    "addSink((event) => console.log(`${event.name} ${String(event.attributes['outcome'])}`));",
    'export class Service {',
    '  @traced()',
    '  async checkout(cart: string): Promise<string> { await null; return cart; }',
    ...(legacy ? [] : ['  accessor size = 3;']),
    '}',
    'function disposed(): string {',
    '  const steps: string[] = [];',
    "  { using resource = { [Symbol.dispose]() { steps.push('disposed'); } }; steps.push('used'); void resource; }",
    "  return steps.join(',');",
    '}',
    "console.log(await new Service().checkout('c1'), disposed());",
    '',
  ].join('\n');

  it.each([
    { name: 'standard', legacy: false },
    { name: 'legacy', legacy: true },
  ])('$name decorators: TypeScript 7 checks, logmill instrument lowers them for the target, Node runs the output', ({ name, legacy }) => {
    const app = join(work, 'shop-ts7');
    expect(readdirSync(join(app, 'node_modules')), 'the TypeScript 7 app installed its packages').toContain('typescript');
    const project = join(app, `decorators-${name}`);
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'es2022', lib: ['es2022', 'esnext.disposable', 'dom'], module: 'nodenext', strict: true, types: [],
        rootDir: 'src', outDir: 'dist', experimentalDecorators: legacy, checkers: 2, deduplicatePackages: true,
      },
      include: ['src'],
    }));
    writeFileSync(join(project, 'src/main.ts'), service(legacy));
    const checked = run(`npx tsc -p ${project}/tsconfig.json --noEmit`, app);
    expect(`${checked.stdout}${checked.stderr}`).toBe('');
    const instrumented = runOk(`npx logmill instrument ${project}/src --out ${project}/build`, app);
    expect(instrumented.stderr).toMatch(/compiler option 'checkers' ignored/);
    expect(instrumented.stderr).not.toMatch(/error/);
    const ran = runOk(`node ${project}/build/main.js`, app);
    expect(ran.stdout).toBe('checkout ok\nc1 used,disposed\n');
  });
});

describe.each([
  { name: 'shop-ts6', block: 'typescript-6', install: 'npm install --save-dev typescript@6 ts-patch@4', compiler: /^6\./, tsPatch: /^4\./ },
  { name: 'shop-ts59', block: 'typescript-6', install: 'npm install --save-dev typescript@5.9 ts-patch@3.3', compiler: /^5\.9\./, tsPatch: /^3\.3\./ },
])('a fresh app through ts-patch: $install', ({ name, block, install, compiler, tsPatch }) => {
  it('installs with plain npm install, builds through the tsconfig plugins entry with tspc, and the collector has the events with stacks and call sites', () => {
    expect(collector, 'the TypeScript 7 app started the collector').toBeDefined();
    const app = createApp(name, { plugins: [{ transform: 'logmill/transformer' }] });
    writeCollectorModule(app);
    const lines = readmeLines(block);
    expect(lines[0]).toBe('npm install logmill');
    const readme = documentation();
    expect(lines[1] === install || readme.includes(`\`${install}\``)).toBe(true);
    for (const line of [lines[0]!, install]) expect(npmProblems(runOk(asTested(line), app))).toEqual([]);
    expect(versionOf(app, 'typescript')).toMatch(compiler);
    expect(versionOf(app, 'ts-patch')).toMatch(tsPatch);
    // npm shares the app's compiler with logmill: one TypeScript in the app.
    expect(readdirSync(join(app, 'node_modules/logmill'))).not.toContain('node_modules');
    const build = run(lines[2]!, app);
    expect(`${build.stdout}${build.stderr}`).toBe('');
    expect(build.status).toBe(0);
    expect(readFileSync(join(app, 'build/payment.js'), 'utf8')).toContain('__logmillAt(');
    expect(runOk('node build/main.js', app).stdout).toContain('delivered 2');
    expectTypesUnderEveryResolution(app);
    // The collector package is not installed in this app: the collector's command runs from the first one.
    expect(run('npx logmill serve', app).stderr).toContain('npm install @logmill/server');
    const first = join(work, 'shop-ts7');
    for (const [user, cents] of [[`${name}-a`, 200], [`${name}-b`, 300]] as const) {
      const events = exported(first, user).filter((event) => event.template === 'charged %d cents');
      expect(events.map((event) => [event.message, event.file, event.line, event.function_name])).toEqual([[`charged ${cents} cents`, 'payment.ts', 5, 'chargeCard']]);
      const stack = (typeof events[0]!.stack === 'string' ? JSON.parse(events[0]!.stack) : events[0]!.stack) as Array<{ function: string }>;
      expect(stack.map((frame) => frame.function)).toEqual(expect.arrayContaining(['chargeCard', 'handleRequest']));
    }
  });

  it('the two other ts-patch routes on the same app: ts-patch install then plain tsc, and ts-patch/compiler used programmatically', () => {
    const app = join(work, name);
    runOk('npx ts-patch install', app);
    const patched = run('npx tsc -p tsconfig.json --outDir build-tsc', app);
    expect(`${patched.stdout}${patched.stderr}`).toBe('');
    expect(readFileSync(join(app, 'build-tsc/payment.js'), 'utf8')).toContain('__logmillAt(');
    writeFileSync(join(app, 'compile.cjs'), [
      "const ts = require('ts-patch/compiler');",
      "const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', { outDir: 'build-api' }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });",
      'const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });',
      'const result = program.emit();',
      "console.log(ts.version, result.diagnostics.length + ts.getPreEmitDiagnostics(program).length);",
      '',
    ].join('\n'));
    expect(runOk('node compile.cjs', app).stdout.trim()).toMatch(new RegExp(`^${versionOf(app, 'typescript').replaceAll('.', '\\.')} 0$`));
    expect(readFileSync(join(app, 'build-api/payment.js'), 'utf8')).toContain('__logmillAt(');
    // And the patched output runs with its context: events of two more users.
    writeFileSync(join(app, 'build-api/main.js'), readFileSync(join(app, 'build-api/main.js'), 'utf8').replaceAll(`'${name}-`, `'${name}-api-`));
    expect(runOk('node build-api/main.js', app).stdout).toContain('delivered 2');
    const events = exported(join(work, 'shop-ts7'), `${name}-api-a`).filter((event) => event.template === 'charged %d cents');
    expect(events.map((event) => [event.file, event.line, event.function_name])).toEqual([['payment.ts', 5, 'chargeCard']]);
  });
});
