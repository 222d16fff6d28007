/**
 * `node --import logmill/register src/main.ts`: Node runs TypeScript itself (type stripping), so
 * the transform goes where Node loads each module. A synchronous module hook (`module.registerHooks`,
 * which also serves `require`) hands every TypeScript file of the app to the module transform the
 * bundler plugins use, before Node would strip its types:
 *
 *   src/cart.ts (TypeScript)  →  JavaScript with the rewrite and an inline source map, format
 *                                 'module' or 'commonjs' as Node decided for the file
 *
 * Files under node_modules and Logmill's own build are loaded as Node loads them.
 */
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as TS from 'typescript';
import { createModuleTransformer, isProjectScript, type ModuleTransformer } from './transform-module.js';

const typeScriptFile = /\.(?:[cm]?ts|tsx)$/;
const ownBuild = path.resolve(__dirname, '..', '..');

/** Whether the hook rewrites this file: the app's own TypeScript, never a dependency's or Logmill's. */
export function isRegisteredModule(fileName: string): boolean {
  return typeScriptFile.test(fileName) && isProjectScript(fileName) && !fileName.startsWith(ownBuild + path.sep);
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView;
  shortCircuit?: boolean;
}

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}

interface ResolveContext {
  parentURL?: string;
  conditions?: readonly string[];
}

interface RegisterHooks {
  (hooks: {
    resolve(specifier: string, context: ResolveContext, nextResolve: (specifier: string, context?: ResolveContext) => ResolveResult): ResolveResult;
    load(url: string, context: { format?: string | null }, nextLoad: (url: string, context?: object) => LoadResult): LoadResult;
  }): unknown;
}

// What tsc's module resolution finds for a relative `.js` specifier written in TypeScript source.
const typeScriptTwins: Record<string, readonly string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
// What it finds for an extensionless one in CommonJS (`require('./cart')`, `import … from './cart'`
// compiled to require): the file with a TypeScript extension, else the folder's index.
const extensionlessCandidates = ['.ts', '.tsx', '.cts', '/index.ts', '/index.tsx', '/index.cts'];

/**
 * The TypeScript file a relative specifier in a TypeScript file means when Node finds no file by
 * its name (tsc's lookup): `./cart.js` is `./cart.ts`, and in CommonJS `./cart` is `./cart.ts` or
 * `./cart/index.ts`. Undefined when no such file exists, or the specifier or importer is not one of these.
 */
function typeScriptFileFor(specifier: string, parentURL: string, required: boolean): string | undefined {
  if (!specifier.startsWith('.') || !parentURL.startsWith('file:') || !typeScriptFile.test(parentURL)) return undefined;
  const extension = /\.[cm]?jsx?$/.exec(specifier)?.[0];
  if (extension === undefined && !required) return undefined;
  const base = extension === undefined ? specifier.replace(/\/$/, '') : specifier.slice(0, -extension.length);
  for (const twin of extension === undefined ? extensionlessCandidates : typeScriptTwins[extension] ?? []) {
    const candidate = new URL(base + twin, parentURL);
    if (existsSync(fileURLToPath(candidate))) return candidate.href;
  }
  return undefined;
}

/**
 * `require` resolves with `Module._resolveFilename` and the requiring module, whatever parent the
 * resolve hook passes on (and Node 22 runs a CommonJS file that the load hook returned through its
 * ES module loader, whose `require` never calls the resolve hook at all): the TypeScript lookup,
 * and the hooks import of a CommonJS workspace package that does not depend on logmill, are added
 * there, after Node's own has found nothing.
 */
function resolveTypeScriptInRequire(): void {
  type ResolveFilename = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;
  const loader = module as unknown as { _resolveFilename: ResolveFilename };
  const resolveFilename = loader._resolveFilename;
  const ownRequire = module.createRequire(__filename);
  loader._resolveFilename = function (this: unknown, request, parent, ...rest) {
    try {
      return resolveFilename.call(this, request, parent, ...rest);
    } catch (error) {
      const importer = parent?.filename;
      if (!isNotFound(error) || typeof importer !== 'string') throw error;
      if (request === 'logmill/hooks' && importer !== __filename) return ownRequire.resolve(request);
      const found = typeScriptFileFor(request, pathToFileURL(importer).href, true);
      if (found === undefined) throw error;
      return fileURLToPath(found);
    }
  };
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function loadTypeScript(): typeof TS {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('typescript') as typeof TS;
  } catch (error) {
    throw new Error(`logmill/register needs the "typescript" package, which logmill depends on: ${(error as Error).message}`);
  }
}

// Each folder's answer, so a project's files read their package.json once.
const packageTypes = new Map<string, string | undefined>();

/** The `type` of the package.json nearest to a file, as Node reads it. */
function packageTypeOf(fileName: string): string | undefined {
  const directory = path.dirname(fileName);
  if (packageTypes.has(directory)) return packageTypes.get(directory);
  let type: string | undefined;
  try {
    const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { type?: unknown };
    type = typeof manifest.type === 'string' ? manifest.type : undefined;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    type = missing && path.dirname(directory) !== directory ? packageTypeOf(directory) : undefined;
  }
  packageTypes.set(directory, type);
  return type;
}

/** Whether an `await` (or `for await`) runs at the top level, which Node's detection also reads as a module. */
function hasTopLevelAwait(ts: typeof TS, sourceFile: TS.SourceFile): boolean {
  const visit = (node: TS.Node): boolean => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return sourceFile.statements.some(visit);
}

/** `import x = require('…')` or `export =`: TypeScript's CommonJS forms, which no ES module can hold. */
function hasCommonJsForms(ts: typeof TS, sourceFile: TS.SourceFile): boolean {
  return sourceFile.statements.some((statement) =>
    (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) ||
    (ts.isExportAssignment(statement) && statement.isExportEquals === true));
}

/**
 * The module format Node gives the file: .mts and .cts by extension, .ts and .tsx by the package's
 * `type`, and without one by syntax (an import, export, import.meta or top-level await makes it a module), as
 * Node's syntax detection does; TypeScript's own CommonJS forms (`import x = require()`, `export =`,
 * what `verbatimModuleSyntax` asks of CommonJS files) make it CommonJS.
 */
function formatOf(ts: typeof TS, fileName: string, source: string): 'esm' | 'commonjs' {
  if (fileName.endsWith('.mts')) return 'esm';
  if (fileName.endsWith('.cts')) return 'commonjs';
  const type = packageTypeOf(fileName);
  if (type === 'module') return 'esm';
  if (type === 'commonjs') return 'commonjs';
  const sourceFile = ts.createSourceFile(fileName, source, ts.ScriptTarget.ESNext, false, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  if (hasCommonJsForms(ts, sourceFile)) return 'commonjs';
  return ts.isExternalModule(sourceFile) || hasTopLevelAwait(ts, sourceFile) ? 'esm' : 'commonjs';
}

/** The source text Node should run for a file, with its source map inline for stack traces. */
function rewrite(transformers: Record<'esm' | 'commonjs', ModuleTransformer>, fileName: string, source: string, format: 'esm' | 'commonjs'): string {
  const { code, map } = transformers[format].transform(source, fileName);
  return `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`;
}

/**
 * `node main.ts` alone reports the lines of the file as written (type stripping keeps positions);
 * the rewritten text has other lines, so stack traces read through its source map, as Node does
 * itself for `--experimental-transform-types`. `--no-enable-source-maps` keeps them off.
 */
function enableSourceMaps(): void {
  const flags = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  if (flags.includes('--no-enable-source-maps')) return;
  const support = module as unknown as { getSourceMapsSupport?: () => { enabled: boolean }; setSourceMapsSupport?: (enabled: boolean) => void };
  if (support.getSourceMapsSupport?.().enabled === true) return;
  if (support.setSourceMapsSupport !== undefined) support.setSourceMapsSupport(true);
  else process.setSourceMapsEnabled(true);
}

/** Installs the hook; `logmill/register` calls it on import. Returns false when it was already installed. */
export function register(): boolean {
  const state = globalThis as { __logmillRegistered?: boolean };
  if (state.__logmillRegistered === true) return false;
  const registerHooks = (module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof registerHooks !== 'function') {
    throw new Error(`logmill/register needs module.registerHooks (Node 22.15 or newer); this is Node ${process.versions.node}. Use \`logmill instrument\` or a bundler plugin instead.`);
  }
  // TypeScript loads with the first TypeScript file, so a process that runs none (npm, a script
  // under NODE_OPTIONS=--import logmill/register) does not pay for it.
  // Under `node --test`, whose mock.module() stand-ins would see the context as an extra argument,
  // calls into other modules take it from the slot instead.
  const passThroughImports = process.env['NODE_TEST_CONTEXT'] === undefined && process.env['JEST_WORKER_ID'] === undefined;
  let loaded: { ts: typeof TS; transformers: Record<'esm' | 'commonjs', ModuleTransformer> } | undefined;
  const compiler = () => {
    if (loaded !== undefined) return loaded;
    enableSourceMaps();
    const ts = loadTypeScript();
    loaded = {
      ts,
      transformers: {
        esm: createModuleTransformer(ts, { isModuleOfBuild: isRegisteredModule, outputTarget: 'es2022', jsx: 'project', passThroughImports }),
        commonjs: createModuleTransformer(ts, { isModuleOfBuild: isRegisteredModule, moduleFormat: 'commonjs', outputTarget: 'es2022', jsx: 'project', passThroughImports }),
      },
    };
    return loaded;
  };
  resolveTypeScriptInRequire();
  registerHooks({
    // A TypeScript file importing `./service.js` means `./service.ts`, as tsc and `logmill
    // instrument` read it, and in CommonJS `./service` too; Node alone would look for the
    // JavaScript file only.
    resolve(specifier, context, nextResolve) {
      // The hooks import is the rewrite's, not the file's: a workspace package outside
      // node_modules (pnpm's strict layout, Yarn) that does not depend on logmill itself still
      // gets the runtime this hook belongs to.
      if (specifier === 'logmill/hooks') {
        try {
          return nextResolve(specifier, context);
        } catch (error) {
          if (!isNotFound(error)) throw error;
          return nextResolve(specifier, { ...context, parentURL: pathToFileURL(__filename).href });
        }
      }
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        const parent = context.parentURL;
        const found = isNotFound(error) && parent !== undefined ? typeScriptFileFor(specifier, parent, context.conditions?.includes('require') === true) : undefined;
        if (found === undefined) throw error;
        return { url: found, shortCircuit: true };
      }
    },
    load(url, context, nextLoad) {
      // A URL with a query is someone else's module (node:test's mock.module on Node 22 serves its
      // stand-ins that way): only the plain file is ours to rewrite.
      if (!url.startsWith('file:') || url.includes('?') || url.includes('#')) return nextLoad(url, context);
      const fileName = fileURLToPath(url);
      if (!isRegisteredModule(fileName)) return nextLoad(url, context);
      const { ts, transformers } = compiler();
      const source = readFileSync(fileName, 'utf8');
      const format = formatOf(ts, fileName, source);
      return { format: format === 'commonjs' ? 'commonjs' : 'module', source: rewrite(transformers, fileName, source, format), shortCircuit: true };
    },
  });
  state.__logmillRegistered = true;
  return true;
}

register();
