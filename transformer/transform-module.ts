/**
 * One module through the transformer without a program or type checker, the way bundlers and test
 * runners see code: a file at a time. TypeScript's `transpileModule` strips the types, the Logmill
 * rewrite runs in its `before` phase with the syntactic call resolver, and the output is ESNext
 * JavaScript (JSX preserved) with a source map back to the original file.
 *
 *   src/cart.ts (TypeScript)  →  { code: JavaScript with the rewrite, map: source map to src/cart.ts }
 *
 * Imports are followed with TypeScript's module resolution under the project's tsconfig, so a call
 * into another module of the build passes the context explicitly when that module exports the
 * async function directly (see `syntactic-call-resolver.ts` for what is lost without a checker).
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { createLogmillTransformer } from './index.js';
import type { TransformerOptions } from './options.js';
import type { SyntacticResolverHost } from './syntactic-call-resolver.js';

export interface ModuleTransformOptions extends TransformerOptions {
  /** The tsconfig.json whose compiler options apply (default: the nearest one above each file). */
  tsconfig?: string | undefined;
  /** Whether a file belongs to the build's instrumented modules (default: not under node_modules, not .d.ts). */
  isModuleOfBuild?: ((fileName: string) => boolean) | undefined;
  /** The output's module format (default `'esnext'`, what bundlers take); `'commonjs'` for a loader serving `require`. */
  moduleFormat?: 'esnext' | 'commonjs' | undefined;
  /**
   * The output's language level (default `'esnext'`, left to the bundler); `'es2022'` where the
   * output runs as it is, so decorators, `accessor` fields and `using` are lowered for Node.
   */
  outputTarget?: 'esnext' | 'es2022' | undefined;
  /**
   * JSX in the output: `'preserve'` (default) for a bundler that compiles it next, `'project'` to
   * compile it as the tsconfig says (`jsx`, `jsxFactory`, `jsxImportSource`; `react-jsx` without
   * one) where nothing comes after this step.
   */
  jsx?: 'preserve' | 'project' | undefined;
}

export interface TransformedModule {
  code: string;
  /** The source map (JSON), its `sources` naming the original file. */
  map: string;
  /** With `verbose`: each fallback to the safe path, as `file:line:column message`. */
  warnings: string[];
}

const scriptFile = /\.(?:[cm]?[jt]sx?)$/;

/** The default filter: scripts of the project, never dependencies or declaration files. */
export function isProjectScript(fileName: string): boolean {
  return scriptFile.test(fileName) && !/\.d\.[cm]?ts$/.test(fileName) && !/[\\/]node_modules[\\/]/.test(fileName);
}

function scriptKindOf(ts: typeof TS, fileName: string): TS.ScriptKind {
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/**
 * tsc's rule for `useDefineForClassFields`: the option when set, else whether the target (the
 * compiler's default when unset, which depends on `module` and on the TypeScript version) is
 * ES2022 or later. TypeScript computes it with a function its declarations leave out.
 */
export function usesDefineForClassFields(ts: typeof TS, options: TS.CompilerOptions): boolean {
  if (options.useDefineForClassFields !== undefined) return options.useDefineForClassFields;
  const computed = (ts as unknown as { getUseDefineForClassFields?: (options: TS.CompilerOptions) => boolean }).getUseDefineForClassFields;
  if (typeof computed === 'function') return computed(options);
  return (options.target ?? ts.ScriptTarget.ES2022) >= ts.ScriptTarget.ES2022;
}

/** One build's transform, and the TypeScript way of resolving its relative imports. */
export interface ModuleTransformer {
  transform(code: string, fileName: string): TransformedModule;
  /**
   * A relative import from a project module, resolved as TypeScript does (`./cart.js` → `cart.ts`,
   * extensionless, `index.ts`), so bundlers without TypeScript resolution find the sources.
   */
  resolveRelative(specifier: string, importer: string): string | undefined;
}

/** Creates the per-build transform; it caches tsconfigs, resolutions and parsed neighbours. */
export function createModuleTransformer(ts: typeof TS, options: ModuleTransformOptions = {}): ModuleTransformer {
  const isModuleOfBuild = options.isModuleOfBuild ?? isProjectScript;
  const configs = new Map<string, TS.CompilerOptions>();
  const perConfig = new Map<TS.CompilerOptions, { modules: SyntacticResolverHost; transformer: TS.TransformerFactory<TS.SourceFile> }>();
  const parsed = new Map<string, { mtime: number; sourceFile: TS.SourceFile }>();
  // What the module being transformed reported (only with `verbose`); a bundler shows them as warnings.
  let warnings: string[] = [];
  const located = (diagnostic: TS.Diagnostic): string => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (diagnostic.file === undefined || diagnostic.start === undefined) return message;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${diagnostic.file.fileName}:${line + 1}:${character + 1} ${message}`;
  };

  const compilerOptionsFor = (fileName: string): TS.CompilerOptions => {
    const configPath = options.tsconfig ?? ts.findConfigFile(path.dirname(fileName), ts.sys.fileExists) ?? '';
    let compilerOptions = configs.get(configPath);
    if (compilerOptions === undefined) {
      let fromConfig: TS.CompilerOptions = {};
      if (configPath !== '') {
        const read = ts.readConfigFile(configPath, ts.sys.readFile);
        if (read.error !== undefined) throw new Error(`logmill: cannot read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
        fromConfig = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath).options;
      }
      compilerOptions = {
        ...fromConfig,
        // Later tools (the bundler, its minifier) choose the output; this step only rewrites.
        target: options.outputTarget === 'es2022' ? ts.ScriptTarget.ES2022 : ts.ScriptTarget.ESNext,
        // What class fields mean is the project's, not the output target's: tsc derives it from the
        // tsconfig's target (false below ES2022: fields assigned in the constructor, after parameter
        // properties, and declared-only fields left out), and so do esbuild and Vite.
        useDefineForClassFields: usesDefineForClassFields(ts, fromConfig),
        module: options.moduleFormat === 'commonjs' ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext,
        jsx: options.jsx === 'project' ? (fromConfig.jsx ?? ts.JsxEmit.ReactJSX) : ts.JsxEmit.Preserve,
        allowJs: true,
        isolatedModules: true,
        sourceMap: true,
        inlineSourceMap: false,
        inlineSources: true,
        declaration: false,
        noEmit: false,
        importHelpers: false,
        plugins: [],
      };
      configs.set(configPath, compilerOptions);
    }
    return compilerOptions;
  };

  /** One resolver and one transformer per tsconfig, made on first use and kept for the build. */
  const forConfig = (compilerOptions: TS.CompilerOptions) => {
    const known = perConfig.get(compilerOptions);
    if (known !== undefined) return known;
    const resolutionCache = ts.createModuleResolutionCache(process.cwd(), (name) => ts.sys.useCaseSensitiveFileNames ? name : name.toLowerCase(), compilerOptions);
    const modules: SyntacticResolverHost = {
      resolveImport(specifier, importer) {
        const resolved = ts.resolveModuleName(specifier, importer, compilerOptions, ts.sys, resolutionCache).resolvedModule;
        return resolved?.resolvedFileName;
      },
      readModule(fileName) {
        if (!isModuleOfBuild(fileName)) return undefined;
        let mtime: number;
        try {
          mtime = statSync(fileName).mtimeMs;
        } catch {
          return undefined;
        }
        const known = parsed.get(fileName);
        if (known !== undefined && known.mtime === mtime) return known.sourceFile;
        const sourceFile = ts.createSourceFile(fileName, readFileSync(fileName, 'utf8'), ts.ScriptTarget.ESNext, true, scriptKindOf(ts, fileName));
        parsed.set(fileName, { mtime, sourceFile });
        return sourceFile;
      },
    };
    // Module names as under tsc: relative to the tsconfig's rootDir, else to its folder (not to
    // wherever the bundler was started), unless the options name a root.
    const configFile = compilerOptions['configFilePath'];
    const root = options.root ?? compilerOptions.rootDir ?? (typeof configFile === 'string' ? path.dirname(configFile) : undefined);
    const made = { modules, transformer: createLogmillTransformer(undefined, { ...options, root }, { ts, modules, addDiagnostic: (diagnostic) => warnings.push(located(diagnostic)) }) };
    perConfig.set(compilerOptions, made);
    return made;
  };

  return {
    transform(code, fileName) {
      const compilerOptions = compilerOptionsFor(fileName);
      const { transformer } = forConfig(compilerOptions);
      warnings = [];
      const output = ts.transpileModule(code, { compilerOptions, fileName, transformers: { before: [transformer] } });
      const map = JSON.parse(output.sourceMapText ?? '{}') as { sources?: string[]; file?: string };
      map.sources = [fileName];
      delete map.file;
      return { code: output.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'), map: JSON.stringify(map), warnings };
    },
    resolveRelative(specifier, importer) {
      if (!specifier.startsWith('.') || !isModuleOfBuild(importer)) return undefined;
      const resolved = forConfig(compilerOptionsFor(importer)).modules.resolveImport(specifier, importer);
      return resolved !== undefined && isModuleOfBuild(resolved) ? resolved : undefined;
    },
  };
}
