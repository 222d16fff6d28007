/**
 * `logmill instrument <src> --out <dir>`: a source tree rewritten with the TypeScript API that
 * Logmill brings, for teams whose own compiler has no transformer hook (TypeScript 7). The project
 * is loaded as a whole program, so calls are proven by the type checker as under ts-patch.
 *
 *   src/api/checkout.ts  →  out/api/checkout.js + out/api/checkout.js.map (+ .d.ts when the project
 *                           declares them; identical to plain tsc's, the rewrite never reaches types)
 *
 * The output is what `tsc -p` emits for the project (its target, module format, class-field and
 * decorator semantics) plus the rewrite: standard decorators, `accessor` fields and `using` are
 * lowered as far as the target asks, so the program runs where the project's own build would.
 */
import * as path from 'node:path';
import type * as TS from 'typescript';
import { createLogmillTransformer } from './index.js';
import { readInstrumentProjects } from './instrument-project.js';
import type { TransformerOptions } from './options.js';

export interface InstrumentTreeOptions {
  /** The directory to rewrite; every project file under it is emitted. */
  source: string;
  /** Where the output goes, mirroring the tree under `source`. */
  out: string;
  /** The tsconfig.json to load (default: the nearest one at or above `source`; there must be one). */
  project?: string | undefined;
  /** Transformer options (the tsconfig plugin entry's, when it has one, otherwise these). */
  transform?: TransformerOptions | undefined;
  /** Called per emitted file, for progress. */
  onFile?: ((fileName: string, index: number, total: number) => void) | undefined;
}

export interface InstrumentTreeResult {
  /** Source files rewritten (and emitted). */
  files: number;
  /** Async functions instrumented and log calls stamped, counted in the output. */
  activations: number;
  logCalls: number;
  /** Type errors, as `tsc` would print them; the output is written anyway, as `tsc` does. */
  errors: string[];
  /** Compiler options the TypeScript doing the rewrite does not know (TypeScript 7's), ignored; syntax the target leaves that Node cannot run. */
  warnings: string[];
  written: string[];
}

/** `inside` is `directory` or below it. */
function isWithin(directory: string, inside: string): boolean {
  const relative = path.relative(directory, inside);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * The project's compiler options with the output redirected to `out`. Everything that decides what
 * the JavaScript computes (target, module, useDefineForClassFields and the other class-field and
 * decorator settings) stays the project's, so the output behaves as `tsc -p`'s would.
 */
function emitOptions(options: TS.CompilerOptions, source: string, out: string): TS.CompilerOptions {
  const inlineSourceMap = options.inlineSourceMap === true;
  return {
    ...options,
    rootDir: source,
    outDir: out,
    noEmit: false,
    emitDeclarationOnly: false,
    // `composite` implies declarations, which `tsc -b` writes.
    declaration: options.declaration === true || options.composite === true ? true : options.declaration,
    // A project run by Node's type stripping imports `./dep.ts`; its JavaScript must import
    // `./dep.js` (without this, TypeScript refuses `allowImportingTsExtensions` once emit is on).
    rewriteRelativeImportExtensions: options.rewriteRelativeImportExtensions === true || options.allowImportingTsExtensions === true ? true : options.rewriteRelativeImportExtensions,
    sourceMap: !inlineSourceMap,
    inlineSourceMap,
    // Maps carry the TypeScript unless the project says otherwise: the output is often deployed alone.
    inlineSources: options.inlineSources ?? true,
    // The rewrite's kept source text is found through comments (runtime/source-text.ts).
    removeComments: false,
    incremental: false,
    composite: false,
    tsBuildInfoFile: undefined,
    declarationDir: undefined,
    outFile: undefined,
  };
}

/**
 * Where a file uses syntax that the ESNext target leaves as written and Node does not run yet:
 * standard decorators and `accessor` fields. tsc writes them as they are too (TypeScript 7's
 * `tsc --init` picks ESNext), so this is a warning about the project, not a change to the output.
 */
function unrunnableSyntax(ts: typeof TS, sourceFile: TS.SourceFile, options: TS.CompilerOptions): string | undefined {
  if (options.target !== ts.ScriptTarget.ESNext || options.experimentalDecorators === true) return undefined;
  let found: TS.Node | undefined;
  const visit = (node: TS.Node): void => {
    if (found !== undefined) return;
    if (ts.isDecorator(node) || node.kind === ts.SyntaxKind.AccessorKeyword) found = node;
    else ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  if (found === undefined) return undefined;
  const { line } = sourceFile.getLineAndCharacterOfPosition(found.getStart(sourceFile));
  const what = ts.isDecorator(found) ? 'a decorator' : 'an accessor field';
  return `${sourceFile.fileName}:${line + 1}: ${what} is written as it is for target ESNext (as tsc writes it), and Node does not run it yet: set "target" to "es2025" or lower to have it lowered`;
}

/** Rewrites the tree; throws when the source is missing, the output is the source, or the project cannot be read or has no file under the source. */
export function instrumentTree(ts: typeof TS, options: InstrumentTreeOptions): InstrumentTreeResult {
  const source = path.resolve(options.source);
  const out = path.resolve(options.out);
  if (!ts.sys.directoryExists(source)) throw new Error(`logmill instrument: ${source} is not a directory`);
  if (out === source) throw new Error(`logmill instrument: the output ${out} is the source; choose another directory`);
  const { configPath, projects, warnings } = readInstrumentProjects(ts, source, options.project);
  // As tsc leaves its outDir out of the sources, files under an output inside the source (a flat
  // project's `dist`) are never read back as source.
  const outInsideSource = isWithin(source, out);
  const isUnderSource = (fileName: string): boolean => isWithin(source, fileName) && !(outInsideSource && isWithin(out, fileName));
  const result: InstrumentTreeResult = { files: 0, activations: 0, logCalls: 0, errors: [], warnings, written: [] };
  const host = { getCanonicalFileName: (name: string) => name, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
  const emitted = new Set<string>();
  const plans = projects.map((project) => {
    const program = ts.createProgram({ rootNames: project.fileNames.filter(isUnderSource), options: emitOptions(project.compilerOptions, source, out) });
    const targets = program.getSourceFiles().filter((file) => !file.isDeclarationFile && isUnderSource(file.fileName) && !program.isSourceFileFromExternalLibrary(file) && !emitted.has(file.fileName));
    for (const file of targets) emitted.add(file.fileName);
    return { project, program, targets };
  });
  const total = plans.reduce((sum, plan) => sum + plan.targets.length, 0);
  if (total === 0) {
    const looked = projects.length === 0 ? `${configPath} has no files and no references with files` : `none of the files of ${projects.map((project) => project.configPath).join(', ')} is under it`;
    throw new Error(`logmill instrument: nothing to instrument in ${source}: ${looked}. Name the project that compiles it with --project <tsconfig>`);
  }
  for (const { project, program, targets } of plans) {
    // Module names as on every other route: relative to the project's own rootDir, else its
    // tsconfig's folder; the rootDir given to the emit only decides where the output goes.
    const root = options.transform?.root ?? project.plugin?.root ?? project.compilerOptions.rootDir ?? path.dirname(project.configPath);
    const transformer = createLogmillTransformer(program, { ...project.plugin, ...options.transform, root }, { ts });
    const errors = ts.getPreEmitDiagnostics(program).filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
    result.errors.push(...errors.map((diagnostic) => ts.formatDiagnostic(diagnostic, host).trimEnd()));
    if (errors.length > 0 && program.getCompilerOptions().noEmitOnError === true) {
      result.warnings.push(`${project.configPath}: nothing written for this project: it has type errors and sets noEmitOnError (as tsc)`);
      continue;
    }
    for (const sourceFile of targets) {
      const unrunnable = unrunnableSyntax(ts, sourceFile, program.getCompilerOptions());
      if (unrunnable !== undefined) result.warnings.push(unrunnable);
      program.emit(sourceFile, (fileName, text, writeByteOrderMark) => {
        ts.sys.writeFile(fileName, text, writeByteOrderMark);
        result.written.push(fileName);
        if (/\.[cm]?js$/.test(fileName)) {
          result.activations += text.split('__logmill.enter(').length - 1 + text.split('__logmill.inherit(').length - 1;
          result.logCalls += text.split('.__logmillAt(').length - 1;
        }
      }, undefined, false, { before: [transformer] });
      result.files++;
      options.onFile?.(sourceFile.fileName, result.files, total);
    }
  }
  return result;
}
