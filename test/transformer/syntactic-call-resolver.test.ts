/**
 * The checker-less rewrite (bundler plugins) only passes the context where the source proves the
 * callee; everything else is left as written for the ambient context to cover.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { createModuleTransformer } from '../../transformer/transform-module.js';

/** Writes the files to a fresh project and transforms `main.ts`. */
function transformProject(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'logmill-syntactic-'));
  writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  const modules = createModuleTransformer(ts, { root: directory });
  return modules.transform(files['main.ts']!, join(directory, 'main.ts')).code;
}

const passes = (code: string, call: string): boolean => code.includes(`${call}, __logmillContext)`) || code.includes(`${call}__logmillContext)`);

describe('the checker-less call resolver', () => {
  it('passes the context to same-module declarations and consts, not to shadowed or reassignable bindings', () => {
    const code = transformProject({
      'main.ts': `
        async function load(id: string) { return id; }
        const save = async (id: string) => id;
        let swap = async (id: string) => id;
        export async function run(load2: (id: string) => Promise<string>) {
          await load('a');
          await save('b');
          await swap('c');
          await load2('d');
          {
            const load = async (id: string) => id + '!';
            await load('e');
          }
        }
        export async function shadowed(save: (id: string) => Promise<string>) { await save('f'); }`,
    });
    expect(passes(code, "load('a'")).toBe(true);
    expect(passes(code, "save('b'")).toBe(true);
    expect(passes(code, "swap('c'")).toBe(false);
    expect(passes(code, "load2('d'")).toBe(false);
    // The inner const shadows the declaration and is itself provable.
    expect(passes(code, "load('e'")).toBe(true);
    expect(passes(code, "save('f'")).toBe(false);
  });

  it('follows imports to modules of the build that export the async function themselves', () => {
    const code = transformProject({
      'cart.ts': `
        export async function add(item: string) { return item; }
        export const remove = async (item: string) => item;
        async function clear() {}
        export { clear as empty };
        export { total } from './totals';
        export function sync(item: string) { return item; }`,
      'totals.ts': 'export async function total() { return 1; }',
      'main.ts': `
        import { add, remove as drop, empty, total, sync } from './cart';
        import * as cart from './cart';
        export async function run() {
          await add('a');
          await drop('b');
          await empty();
          await total();
          await cart.add('c');
          sync('d');
        }`,
    });
    expect(passes(code, "add('a'")).toBe(true);
    expect(passes(code, "drop('b'")).toBe(true);
    expect(passes(code, 'empty(')).toBe(true);
    // Re-exports and namespace imports are not followed: the ambient context covers them.
    expect(passes(code, 'total(')).toBe(false);
    expect(passes(code, "cart.add('c'")).toBe(false);
    expect(passes(code, "sync('d'")).toBe(false);
  });

  it('stamps calls on Logmill loggers it can trace to the import, and leaves look-alikes alone', () => {
    const code = transformProject({
      'main.ts': `
        import { log as logmillLog, Logger } from 'logmill';
        const log = { info: (...args: unknown[]) => args };
        const audit = logmillLog.with({ area: 'audit' });
        const custom = new Logger();
        export async function run() {
          logmillLog.info('a %s', 1);
          audit.warn('b');
          custom.error('c');
          logmillLog.with({ step: 1 }).debug('d');
          log.info('not logmill');
        }`,
    });
    expect(code.match(/__logmillAt\(/g)).toHaveLength(4);
    expect(code).toContain("log.info('not logmill')");
  });

  it('stamps loggers and analytic calls reached through a namespace import of Logmill, not through other namespaces', () => {
    const code = transformProject({
      'main.ts': `
        import * as logmill from 'logmill';
        import * as other from './other';
        import type * as types from 'logmill';
        const audit = logmill.log.with({ area: 'audit' });
        const custom = new logmill.Logger();
        logmill.moduleFields({ team: 'payments' });
        export async function run(user: string) {
          logmill.log.info('a %s', 1);
          audit.warn('b');
          custom.error('c');
          logmill.identify(user);
          logmill.event('opened');
          other.log.info('not logmill');
          await Promise.resolve();
        }
        export type Unused = types.Logger;`,
      'other.ts': `export const log = { info: (...args: unknown[]) => args };`,
    });
    expect(code.match(/__logmillAt\(/g)).toHaveLength(3);
    expect(code).toContain('logmill.moduleFields({ team: \'payments\' }, "main")');
    expect(code).toMatch(/__logmillContext = __logmill\.identifyAt\(__logmillSite\d, __logmillContext, user\)/);
    expect(code).toMatch(/__logmill\.eventAt\(__logmillSite\d, __logmillContext, 'opened'\)/);
    expect(code).toContain("other.log.info('not logmill')");
  });

  it("stamps loggers reached through CommonJS forms: import x = require(), const x = require() and destructuring, not another module's or a local require's", () => {
    const code = transformProject({
      'main.ts': `
        import logmill = require('logmill');
        import other = require('./other');
        const required = require('logmill');
        const { log, event: track } = logmill;
        const { log: direct } = require('logmill');
        const { log: notLogmill } = other;
        export async function run(user: string) {
          logmill.log.info('a %s', 1);
          required.log.warn('b');
          log.error('c');
          direct.debug('d');
          track('opened');
          notLogmill.info('not logmill');
          await Promise.resolve(user);
        }
        export function shadowed(require: (name: string) => { log: { info(message: string): void } }) {
          const { log } = require('logmill');
          log.info('a parameter named require');
        }`,
      'other.ts': `export const log = { info: (...args: unknown[]) => args };`,
    });
    expect(code.match(/__logmillAt\(/g)).toHaveLength(4);
    expect(code).toMatch(/__logmill\.eventAt\(__logmillSite\d, __logmillContext, 'opened'\)/);
    expect(code).toContain("notLogmill.info('not logmill')");
    expect(code).toContain("log.info('a parameter named require')");
  });

  it('recognises moduleFields, identify, event and experiment through the import, renamed too', () => {
    const code = transformProject({
      'main.ts': `
        import { moduleFields as fields, identify, event as track, experiment } from 'logmill';
        export function opened() {
          track('opened');
          return experiment('button', 'green', () => 1);
        }
        fields({ team: 'payments' });
        export async function signIn(user: string) {
          identify(user, { plan: 'pro' });
          await Promise.resolve();
        }`,
    });
    expect(code).toContain('fields({ team: \'payments\' }, "main")');
    expect(code).toMatch(/__logmillContext = __logmill\.identifyAt\(__logmillSite\d, __logmillContext, user, \{ plan: 'pro' \}\)/);
    expect(code).toMatch(/__logmill\.eventAt\(__logmillSite\d, void 0, 'opened'\)/);
    expect(code).toMatch(/__logmill\.experimentAt\(__logmillSite\d, 'button', 'green', \(\) => 1\)/);
  });

  it('returns each fallback to the safe path as a warning with verbose, and none without', () => {
    const directory = mkdtempSync(join(tmpdir(), 'logmill-syntactic-'));
    writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }));
    writeFileSync(join(directory, 'lib.ts'), 'export async function load(id: string) { return id; }\n');
    const main = "import { load } from './lib.js';\nexport async function run() {\n  return await load('a');\n}\n";
    // Reading the imported module fails, so resolving the call to it does.
    const options = {
      root: directory,
      isModuleOfBuild: (fileName: string) => {
        if (fileName.endsWith('lib.ts')) throw new Error('cannot read lib');
        return true;
      },
    };
    const verbose = createModuleTransformer(ts, { ...options, verbose: true }).transform(main, join(directory, 'main.ts'));
    expect(verbose.warnings).toEqual([expect.stringMatching(/main\.ts:3:16 logmill: resolving this call failed; context stays ambient: Error: cannot read lib$/)]);
    expect(verbose.code).toContain("load('a')");
    const quiet = createModuleTransformer(ts, options).transform(main, join(directory, 'main.ts'));
    expect(quiet.warnings).toEqual([]);
    expect(quiet.code).toBe(verbose.code);
  });
});
