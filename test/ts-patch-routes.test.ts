// The transformer through each real route a project takes: the `tspc` CLI, `tsc` after
// `ts-patch install`, and `ts-patch/compiler` used programmatically (ts-node, ts-jest, webpack loaders).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type TS from 'typescript';
import { describe, expect, it } from 'vitest';
import { repositoryRoot, runNode } from './helpers/compile.js';

const program = `
import { withContext, logicalStack, contextVariables } from 'logmill';

async function leaf(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  console.log(JSON.stringify({ stack: logicalStack().map((frame) => frame.function), vars: contextVariables() }));
}

async function handler(): Promise<void> {
  await leaf();
}

void withContext({ route: 'checkout' }, () => handler());
`;

/** A project that names the transformer the documented way, with its own node_modules. */
function createProject(typescript: 'link' | 'copy'): string {
  const root = mkdtempSync(join(tmpdir(), 'logmill-route-'));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'node_modules/@types'), { recursive: true });
  writeFileSync(join(root, 'src/main.ts'), program);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'commonjs' }));
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'CommonJS',
        moduleResolution: 'Node10',
        strict: true,
        rootDir: 'src',
        outDir: 'dist',
        types: ['node'],
        plugins: [{ transform: 'logmill/transformer' }],
      },
      include: ['src'],
    }),
  );
  symlinkSync(repositoryRoot, join(root, 'node_modules/logmill'), 'dir');
  symlinkSync(join(repositoryRoot, 'node_modules/@types/node'), join(root, 'node_modules/@types/node'), 'dir');
  symlinkSync(join(repositoryRoot, 'node_modules/ts-patch'), join(root, 'node_modules/ts-patch'), 'dir');
  if (typescript === 'link') {
    symlinkSync(join(repositoryRoot, 'node_modules/typescript'), join(root, 'node_modules/typescript'), 'dir');
  } else {
    cpSync(join(repositoryRoot, 'node_modules/typescript'), join(root, 'node_modules/typescript'), { recursive: true });
  }
  return root;
}

function expectInstrumented(root: string): void {
  const run = runNode(join(root, 'dist/main.js'));
  expect(run.stderr).toBe('');
  expect(run.records).toEqual([{ stack: ['leaf', 'handler'], vars: { route: 'checkout' } }]);
}

describe('ts-patch routes', () => {
  it('works through the tspc command', () => {
    const root = createProject('link');
    execFileSync(process.execPath, [join(repositoryRoot, 'node_modules/ts-patch/bin/tspc.js'), '-p', 'tsconfig.json'], {
      cwd: root,
      encoding: 'utf8',
    });
    expectInstrumented(root);
  });

  it('works through plain tsc after ts-patch install', () => {
    const root = createProject('copy');
    execFileSync(
      process.execPath,
      [join(repositoryRoot, 'node_modules/ts-patch/bin/ts-patch.js'), 'install', '-s', '--dir', join(root, 'node_modules/typescript')],
      { cwd: root, encoding: 'utf8' },
    );
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: root,
      encoding: 'utf8',
    });
    expectInstrumented(root);
  });

  it('works through ts-patch/compiler used programmatically', () => {
    const root = createProject('link');
    const require = createRequire(join(root, 'package.json'));
    const patched = require('ts-patch/compiler') as typeof TS;
    const config = patched.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
      ...patched.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(String(diagnostic.messageText));
      },
    })!;
    const compiled = patched.createProgram(config.fileNames, config.options);
    const result = compiled.emit();
    expect(result.emitSkipped).toBe(false);
    expectInstrumented(root);
  });

  it('stamps log calls through ts-patch/compiler transpileModule (ts-jest with isolatedModules, ts-loader with transpileOnly)', () => {
    const root = createProject('link');
    const require = createRequire(join(root, 'package.json'));
    const patched = require('ts-patch/compiler') as typeof TS;
    // One file at a time, as both tools compile in that mode; the logger reached three ways.
    const source = `
      import { log, memorySink, withContext } from 'logmill';
      import * as logmill from 'logmill';
      const sink = memorySink();
      const audit = log.with({ audit: true });
      async function handler(id: string): Promise<void> {
        await null;
        log.info('paid %s', id);
        audit.warn('audited %s', id);
        logmill.log.error('through the namespace %s', id);
      }
      void withContext({ route: 'checkout' }, () => handler('o-1')).then(() => {
        for (const event of sink.events) console.log(JSON.stringify({ template: event.template, code: event.code && { function: event.code.function, module: event.code.module, file: event.code.file, line: event.code.line }, stack: event.context.stack.map((frame) => frame.function) }));
      });
    `;
    const output = patched.transpileModule(source, {
      fileName: join(root, 'src/main.ts'),
      compilerOptions: { target: patched.ScriptTarget.ES2022, module: patched.ModuleKind.CommonJS, esModuleInterop: true, rootDir: join(root, 'src'), plugins: [{ transform: 'logmill/transformer' }] as never },
    });
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist/main.js'), output.outputText);
    const run = runNode(join(root, 'dist/main.js'));
    expect(run.stderr).toBe('');
    const site = (line: number) => ({ function: 'handler', module: 'main', file: 'main.ts', line });
    expect(run.records).toEqual([
      { template: 'paid %s', code: site(8), stack: ['handler'] },
      { template: 'audited %s', code: site(9), stack: ['handler'] },
      { template: 'through the namespace %s', code: site(10), stack: ['handler'] },
    ]);
  });

  it('emits the same program through plain, unpatched tsc when no plugin route is used', () => {
    const root = createProject('link');
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: root,
      encoding: 'utf8',
    });
    const run = runNode(join(root, 'dist/main.js'));
    // Without the transform only withContext's variables (through AsyncLocalStorage) survive.
    expect(run.records).toEqual([{ stack: [], vars: { route: 'checkout' } }]);
  });
});
