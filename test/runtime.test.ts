// The context runtime on its own, without the transform: the API apps call and the hook protocol
// the transform emits.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as hooks from '../runtime/hooks.js';
import { registry } from '../runtime/context.js';
import {
  addSink,
  bindContext,
  configureContext,
  contextVariables,
  currentContext,
  experiment,
  isContext,
  isFallbackEnabled,
  log,
  logicalStack,
  withContext,
  type LogmillEvent,
} from '../runtime/node.js';
import { repositoryRoot } from './helpers/compile.js';

afterEach(() => {
  configureContext({ asyncLocalStorage: 'auto' });
});

describe('withContext', () => {
  it('adds variables for everything called below and nothing outside', () => {
    expect(contextVariables()).toEqual({});
    const seen = withContext({ requestId: 'r1', user: 'ann' }, () =>
      withContext({ user: 'bob' }, () => ({ ...contextVariables() })),
    );
    expect(seen).toEqual({ requestId: 'r1', user: 'bob' });
    expect(contextVariables()).toEqual({});
  });

  it('copies variables as own, frozen keys, including a `__proto__` key parsed from JSON', () => {
    const hostile = JSON.parse('{"__proto__": {"admin": true}, "user": "ann"}') as Record<string, unknown>;
    const variables = withContext({ requestId: 'r1' }, () => withContext(hostile, () => contextVariables()));
    expect(Object.getPrototypeOf(variables)).toBe(Object.prototype);
    expect(Object.keys(variables).sort()).toEqual(['__proto__', 'requestId', 'user']);
    expect((variables as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.isFrozen(variables)).toBe(true);
    const child = log.with({ a: 1 }).with({ b: 2 });
    expect(child.attributes).toEqual({ a: 1, b: 2 });
    expect(Object.isFrozen(child.attributes)).toBe(true);
  });

  it('never mutates a context: a captured one keeps its meaning', () => {
    const outer = withContext({ step: 1 }, () => currentContext());
    withContext({ step: 2 }, () => undefined);
    expect(outer.variables).toEqual({ step: 1 });
    expect(Object.isFrozen(outer.variables)).toBe(true);
  });

  it('carries variables across awaits of code the transform never saw (AsyncLocalStorage fallback)', async () => {
    const seen = await withContext({ job: 'j1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return contextVariables()['job'];
    });
    expect(seen).toBe('j1');
    expect(isFallbackEnabled()).toBe(true);
  });

  it('restores the slot when the callback throws', () => {
    expect(() => withContext({ a: 1 }, () => { throw new Error('boom'); })).toThrow('boom');
    expect(contextVariables()).toEqual({});
  });
});

describe('experiment', () => {
  it('sets the variant for code below and records an exposure event', () => {
    const events: LogmillEvent[] = [];
    const remove = addSink((event) => events.push(event));
    const variables = experiment('checkout-v2', 'B', () => experiment('pricing', 'cheap', () => ({ ...contextVariables() })));
    remove();
    expect(variables).toEqual({
      experiment: 'pricing',
      variant: 'cheap',
      experiments: { 'checkout-v2': 'B', pricing: 'cheap' },
    });
    expect(events.map((event) => [event.name, event.attributes])).toEqual([
      ['$exposure', { experiment: 'checkout-v2', variant: 'B' }],
      ['$exposure', { experiment: 'pricing', variant: 'cheap' }],
    ]);
    expect(events[1]!.context.vars['experiments']).toEqual({ 'checkout-v2': 'B', pricing: 'cheap' });
  });
});

describe('bindContext', () => {
  it('runs a callback in the context where it was bound, wherever it is called', () => {
    const bound = withContext({ tenant: 't1' }, () => bindContext((suffix: string) => `${String(contextVariables()['tenant'])}${suffix}`));
    expect(withContext({ tenant: 't2' }, () => bound('!'))).toBe('t1!');
    expect(bound.call(undefined, '?')).toBe('t1?');
  });
});

describe('configureContext', () => {
  it('can keep AsyncLocalStorage off entirely', async () => {
    configureContext({ asyncLocalStorage: 'never' });
    expect(isFallbackEnabled()).toBe(false);
    const seen = await withContext({ job: 'j2' }, async () => {
      const synchronous = contextVariables()['job'];
      await null;
      return [synchronous, contextVariables()['job']];
    });
    // Without the fallback, uninstrumented code keeps the context only for its synchronous part.
    expect(seen).toEqual(['j2', undefined]);
    expect(isFallbackEnabled()).toBe(false);
  });
});

describe('sinks', () => {
  it('hands every event to every sink and survives a sink that throws', () => {
    const events: string[] = [];
    const removeBroken = addSink(() => {
      throw new Error('broken sink');
    });
    const removeGood = addSink((event) => events.push(event.name));
    expect(() => withContext({}, () => experiment('e', 'v', () => undefined))).not.toThrow();
    removeBroken();
    removeGood();
    expect(events).toEqual(['$exposure']);
  });
});

describe('hook protocol', () => {
  const frameA = hooks.frame('a', 'm', 'm.ts', 1);
  const frameB = hooks.frame('b', 'm', 'm.ts', 2);

  it('only trusts a genuine context in the hidden position', () => {
    const fake = { parent: undefined, frame: frameB, variables: { stolen: true }, depth: 0 };
    const entered = hooks.enter(frameA, fake, undefined);
    expect(entered.parent).toBe(registry.root);
    expect(isContext(fake)).toBe(false);
    expect(isContext(entered)).toBe(true);
    const child = hooks.enter(frameB, entered, undefined);
    expect(logicalStack(child).map((frame) => frame.function)).toEqual(['b', 'a']);
  });

  it('takes the slot again in catch and finally blocks only when an await left it', () => {
    const context = hooks.enter(frameA, undefined, undefined);
    let outer = hooks.slot.current;
    hooks.slot.current = context;
    expect(currentContext()).toBe(context);
    // Synchronous catch: nothing changes.
    expect(hooks.reenter(context, outer)).toBe(outer);
    // A rejected await resumes with the slot holding whatever the resuming code had.
    hooks.slot.current = outer;
    const resumer = hooks.enter(frameB, undefined, undefined);
    hooks.slot.current = resumer;
    outer = hooks.reenter(context, outer);
    expect(outer).toBe(resumer);
    expect(currentContext()).toBe(context);
    hooks.slot.current = outer;
    hooks.slot.current = undefined;
  });

  it('runs a callback in its creation context unless the caller is nested inside it', () => {
    const creation = hooks.enter(frameA, undefined, undefined);
    const other = hooks.enter(frameB, undefined, undefined);
    hooks.slot.current = other;
    let inside = hooks.enterCallback(creation);
    expect(currentContext()).toBe(creation);
    hooks.restore(inside);
    expect(currentContext()).toBe(other);

    const nested = hooks.enter(frameB, creation, undefined);
    hooks.slot.current = nested;
    inside = hooks.enterCallback(creation);
    expect(currentContext()).toBe(nested);
    hooks.restore(inside);
    hooks.slot.current = undefined;
  });

  it('reuses the child last entered for the same function and never mixes up parents or variables', () => {
    const parent = hooks.enter(frameA, undefined, undefined);
    const first = hooks.enter(frameB, parent, undefined);
    expect(hooks.enter(frameB, parent, undefined)).toBe(first);
    // Another function entered in between replaces the cached child; the next entry is a new
    // context with the same meaning.
    const other = hooks.enter(hooks.frame('c', 'm', 'm.ts', 3), parent, undefined);
    expect(other.parent).toBe(parent);
    const again = hooks.enter(frameB, parent, undefined);
    expect(again).not.toBe(first);
    expect(again.parent).toBe(parent);
    expect(logicalStack(again).map((frame) => frame.function)).toEqual(['b', 'a']);
    // A sibling context carrying variables has its own children.
    const tagged = withContext({ request: 'r1' }, () => currentContext());
    const underTagged = hooks.enter(frameB, tagged, undefined);
    expect(underTagged).not.toBe(again);
    expect(underTagged.variables).toEqual({ request: 'r1' });
    expect(hooks.enter(frameB, parent, undefined).variables).toEqual({});
  });

  it('collapses direct recursion and bounds the depth of the logical stack', () => {
    let context = hooks.enter(frameA, undefined, undefined);
    for (let index = 0; index < 100; index++) context = hooks.enter(frameA, context, undefined);
    expect(logicalStack(context).map((frame) => frame.function)).toEqual(['a']);
    for (let index = 0; index < 2000; index++) context = hooks.enter(index % 2 === 0 ? frameA : frameB, context, undefined);
    expect(context.depth).toBeLessThanOrEqual(512);
  });
});

describe('entries', () => {
  it('keeps the browser entry free of node: imports', () => {
    const visited = new Set<string>();
    const visit = (file: string): void => {
      if (visited.has(file)) return;
      visited.add(file);
      const source = readFileSync(file, 'utf8');
      expect(source, file).not.toMatch(/from ['"]node:|require\(['"]node:/);
      for (const match of source.matchAll(/from '(\.[^']+)'/g)) visit(join(file, '..', match[1]!));
    };
    visit(join(repositoryRoot, 'dist/esm/runtime/browser.js'));
    visit(join(repositoryRoot, 'dist/esm/runtime/hooks.js'));
    expect(visited.size).toBeGreaterThan(3);
  });

  it('gives a captureErrors in the browser build that does nothing where there is no addEventListener (React Native, node --conditions=browser)', () => {
    const source = `import { captureErrors } from ${JSON.stringify(join(repositoryRoot, 'dist/esm/runtime/browser.js'))};
const stop = captureErrors();
stop();
console.log(typeof addEventListener, typeof stop);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('undefined function\n');
  });

  it('publishes no internal member in its types, and source maps that carry their sources', () => {
    let declarations = 0;
    let maps = 0;
    const scan = (directory: string): void => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const path = join(directory, entry.name);
        if (entry.isDirectory()) scan(path);
        else if (entry.name.endsWith('.d.ts')) {
          declarations++;
          // Declarations only: comments may name them.
          const code = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
          expect(code, path).not.toMatch(/^\s*(__logmill\w*|lastChild)\s*[(:]/m);
        } else if (entry.name.endsWith('.map')) {
          maps++;
          expect(entry.name.endsWith('.d.ts.map'), `${path}: declaration maps point at sources the package does not ship`).toBe(false);
          const map = JSON.parse(readFileSync(path, 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
          expect(map.sourcesContent?.length, path).toBe(map.sources.length);
          expect(map.sourcesContent!.every((content) => typeof content === 'string' && content.length > 0), path).toBe(true);
        }
      }
    };
    scan(join(repositoryRoot, 'dist'));
    expect(declarations).toBeGreaterThan(50);
    expect(maps).toBeGreaterThan(50);
  });

  it('ships no runtime dependencies: the one dependency, TypeScript, is the build-time transform\'s and no runtime file loads a package', () => {
    const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(manifest['dependencies'] as Record<string, string>)).toEqual(['typescript']);
    expect(readdirSync(join(repositoryRoot, 'dist/esm/runtime')).some((file) => file === 'node-fallback.js')).toBe(true);
    // Packages each runtime file loads (comments, which show usage, left out).
    const packages = new Set<string>();
    let relative = 0;
    const scan = (directory: string): void => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const path = join(directory, entry.name);
        if (entry.isDirectory()) scan(path);
        else if (entry.name.endsWith('.js')) {
          const code = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
          for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s*)['"]([^'"]+)['"]/gm)) {
            if (match[1]!.startsWith('.')) relative++;
            else if (!match[1]!.startsWith('node:')) packages.add(`${entry.name} ${match[1]}`);
          }
        }
      }
    };
    scan(join(repositoryRoot, 'dist/esm/runtime'));
    scan(join(repositoryRoot, 'dist/cjs/runtime'));
    expect(relative).toBeGreaterThan(20);
    // Only the OpenTelemetry bridge (logmill/opentelemetry) loads a package: its optional peer.
    expect([...packages]).toEqual(['opentelemetry.js @opentelemetry/api']);
  });
});
