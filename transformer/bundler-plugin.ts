/**
 * `logmill/bundler`: the transformer as a plugin for bundlers and test runners that never run
 * `tsc` (through unplugin, the ecosystem's one plugin for all of them).
 *
 *   vite.config.ts     plugins: [logmill.vite()]          (Vitest too: it runs Vite's plugins)
 *   rollup.config.js   plugins: [logmill.rollup()]
 *   esbuild            plugins: [logmill.esbuild()]
 *   webpack.config.js  plugins: [logmill.webpack()]
 *
 * Each project module (not node_modules, not .d.ts) goes through `transform-module.ts`: types
 * stripped, async functions instrumented, log calls stamped, a source map kept. It runs before the
 * bundler's own TypeScript handling, so it also serves as the TypeScript loader for Rollup and
 * webpack. `unplugin` is an optional peer dependency: install it with the bundler.
 */
import * as path from 'node:path';
import type * as TS from 'typescript';
import type { UnpluginInstance } from 'unplugin';
import { type ModuleTransformOptions, type ModuleTransformer, createModuleTransformer, isProjectScript } from './transform-module.js';

export type { ModuleTransformOptions } from './transform-module.js';

/** Options of every bundler plugin: the transformer's, plus which files go through it. */
export interface BundlerPluginOptions extends ModuleTransformOptions {
  /** The TypeScript module to use (default: `require('typescript')`). */
  typescript?: typeof TS | undefined;
}

function load<T>(name: string, why: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    throw new Error(`logmill: ${why} needs the "${name}" package (npm install --save-dev ${name}): ${(error as Error).message}`);
  }
}

/** Vite and webpack add queries (`?v=…`, `?raw`) to module ids. */
// Logmill's own runtime is never instrumented, even when a workspace links it outside node_modules.
const ownBuild = path.resolve(__dirname, '..', '..');

function isOwnBuild(fileName: string): boolean {
  return fileName.startsWith(ownBuild + path.sep);
}

// The node_modules folder this package was installed into (pnpm's store included), when it was.
// A workspace package outside node_modules that does not depend on logmill (pnpm's strict layout,
// Yarn) cannot resolve the hooks import the rewrite adds to it; the bundler resolves it from here.
const ownPackage = path.resolve(__dirname, '..', '..', '..');
const ownModulesFolder = path.basename(path.dirname(ownPackage)) === 'node_modules' ? path.dirname(ownPackage) : undefined;

/** Rollup's, Rolldown's and Vite's own resolution, which their plugin contexts carry. */
interface ResolveContext {
  resolve?: (id: string, importer: string, options: object) => Promise<{ id: string; external?: boolean } | null>;
}

function withoutQuery(id: string): string {
  return id.replace(/[?#].*$/, '');
}

let instance: UnpluginInstance<BundlerPluginOptions | undefined> | undefined;

interface WebpackLikeCompiler {
  options: { resolve: { modules?: string[] }; module: { rules: unknown[] } };
}

/**
 * webpack and Rspack: the hooks import is looked for in the folder this package sits in after the
 * importer's own; and a module the plugin rewrites is parsed as `javascript/auto`, since its output
 * is an ES module with `import`s while webpack's own rules make a `.cts` file, or a `.ts` file of a
 * `"type": "commonjs"` package (what `npm init` writes), CommonJS, where `import` does not parse.
 */
function configureWebpackLike(compiler: WebpackLikeCompiler, isModuleOfBuild: (fileName: string) => boolean): void {
  if (ownModulesFolder !== undefined) compiler.options.resolve.modules = [...(compiler.options.resolve.modules ?? ['node_modules']), ownModulesFolder];
  const include = (fileName: string): boolean => isModuleOfBuild(withoutQuery(fileName));
  compiler.options.module.rules.push(
    { test: /\.cts$/i, include, type: 'javascript/auto' },
    { test: /\.tsx?$/i, descriptionData: { type: 'commonjs' }, include, type: 'javascript/auto' },
  );
}

/** The unplugin instance behind `vite`, `rollup`, `esbuild`, `webpack`, `rolldown` and `rspack`. */
export function logmillUnplugin(): UnpluginInstance<BundlerPluginOptions | undefined> {
  if (instance !== undefined) return instance;
  instance = load<typeof import('unplugin')>('unplugin', 'the bundler plugin').createUnplugin((options: BundlerPluginOptions | undefined = {}) => {
    const ts = options.typescript ?? load<typeof TS>('typescript', 'the bundler plugin');
    const isWanted = options.isModuleOfBuild ?? isProjectScript;
    const isModuleOfBuild = (fileName: string): boolean => isWanted(fileName) && !isOwnBuild(fileName);
    // Made on first use: under Vitest (Vite's mode `test`), calls into other modules take the
    // context from the slot, so `vi.mock` stand-ins see exactly the arguments the code passes.
    let underTest = false;
    let transformer: ModuleTransformer | undefined;
    const modulesOf = (): ModuleTransformer =>
      (transformer ??= createModuleTransformer(ts, { passThroughImports: !underTest, ...options, isModuleOfBuild }));
    const runtime = options.runtime ?? 'logmill/hooks';
    return {
      name: 'logmill',
      enforce: 'pre',
      async resolveId(id: string, importer: string | undefined, resolveOptions: object) {
        if (importer === undefined) return null;
        // Rollup, Rolldown and Vite: as the importer would resolve it, else as this package does.
        const { resolve } = this as unknown as ResolveContext;
        if (id === runtime && ownModulesFolder !== undefined && typeof resolve === 'function') {
          const found = await resolve.call(this, id, importer, { ...resolveOptions, skipSelf: true });
          return found ?? resolve.call(this, id, path.join(ownPackage, 'package.json'), { ...resolveOptions, skipSelf: true });
        }
        return modulesOf().resolveRelative(id, withoutQuery(importer)) ?? null;
      },
      transformInclude: (id: string) => isModuleOfBuild(withoutQuery(id)),
      transform(code: string, id: string) {
        const { code: rewritten, map, warnings } = modulesOf().transform(code, withoutQuery(id));
        // `verbose`: each fallback to the safe path, shown by the bundler.
        for (const warning of warnings) this.warn(warning);
        return { code: rewritten, map };
      },
      // esbuild and webpack look in the folder this package sits in after the importer's own.
      esbuild: {
        config(initialOptions: { nodePaths?: string[] }) {
          if (ownModulesFolder !== undefined) initialOptions.nodePaths = [...(initialOptions.nodePaths ?? []), ownModulesFolder];
        },
      },
      webpack(compiler: WebpackLikeCompiler) {
        configureWebpackLike(compiler, isModuleOfBuild);
      },
      rspack(compiler: WebpackLikeCompiler) {
        configureWebpackLike(compiler, isModuleOfBuild);
      },
      vite: {
        // Instrumented modules import the hooks, which Vite's dev server would only discover on the
        // first page load, optimize, and then reload the page for: it is optimized up front instead.
        config: () => ({ optimizeDeps: { include: [options.runtime ?? 'logmill/hooks'] } }),
        configResolved(config: { mode: string }) {
          underTest = config.mode === 'test';
        },
      },
    };
  });
  return instance;
}

/*
 * Typed through unplugin's own instance type, so the declarations name no bundler type that
 * TypeScript would have to infer (and print) itself: each resolves in the app, from the bundler
 * the app has installed.
 */
type Plugins = UnpluginInstance<BundlerPluginOptions | undefined>;

/** Vite (and Vitest) plugin. */
export const vite: Plugins['vite'] = (options) => logmillUnplugin().vite(options);
/** Rollup plugin. */
export const rollup: Plugins['rollup'] = (options) => logmillUnplugin().rollup(options);
/** Rolldown plugin. */
export const rolldown: Plugins['rolldown'] = (options) => logmillUnplugin().rolldown(options);
/** esbuild plugin. */
export const esbuild: Plugins['esbuild'] = (options) => logmillUnplugin().esbuild(options);
/** webpack plugin. */
export const webpack: Plugins['webpack'] = (options) => logmillUnplugin().webpack(options);
/** Rspack plugin. */
export const rspack: Plugins['rspack'] = (options) => logmillUnplugin().rspack(options);
