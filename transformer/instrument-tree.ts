/**
 * `logmill instrument <src> --out <dir>`: a source tree rewritten with the TypeScript 5.9 API that
 * Logmill brings, for teams whose own compiler has no transformer hook (TypeScript 7). The project
 * is loaded as a whole program, so calls are proven by the type checker as under ts-patch.
 *
 *   src/api/checkout.ts  →  out/api/checkout.js + out/api/checkout.js.map (+ .d.ts when the project
 *                           declares them; identical to plain tsc's, the rewrite never reaches types)
 *
 * The output keeps the project's module format and is otherwise ESNext, so what a reader sees is
 * the source without types plus the rewrite, not a downlevelled program.
 */
import * as path from 'node:path';
import type * as TS from 'typescript';
import { createLogmillTransformer } from './index.js';
import type { TransformerOptions } from './options.js';

export interface InstrumentTreeOptions {
  /** The directory to rewrite; every project file under it is emitted. */
  source: string;
  /** Where the output goes, mirroring the tree under `source`. */
  out: string;
  /** The tsconfig.json to load (default: the nearest one at or above `source`, else defaults). */
  project?: string;
  /** Transformer options (the tsconfig plugin entry's, when it has one, otherwise these). */
  transform?: TransformerOptions;
  /** Called per emitted file, for progress. */
  onFile?: (fileName: string, index: number, total: number) => void;
}

export interface InstrumentTreeResult {
  /** Source files rewritten (and emitted). */
  files: number;
  /** Async functions instrumented and log calls stamped, counted in the output. */
  activations: number;
  logCalls: number;
  /** Type errors, as `tsc` would print them; the output is written anyway, as `tsc` does. */
  errors: string[];
  written: string[];
}

function readProject(ts: typeof TS, options: InstrumentTreeOptions): { fileNames: string[]; compilerOptions: TS.CompilerOptions; plugin: TransformerOptions | undefined } {
  const source = path.resolve(options.source);
  const configPath = options.project === undefined ? ts.findConfigFile(source, ts.sys.fileExists) : path.resolve(options.project);
  if (configPath === undefined) {
    const fileNames = ts.sys.readDirectory(source, ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'], ['**/node_modules', '**/*.d.ts']);
    return { fileNames, compilerOptions: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true, strict: true, skipLibCheck: true }, plugin: undefined };
  }
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error !== undefined) throw new Error(`logmill instrument: cannot read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath);
  const problems = parsed.errors.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error && diagnostic.code !== 18003);
  if (problems.length > 0) throw new Error(`logmill instrument: ${configPath}: ${problems.map((problem) => ts.flattenDiagnosticMessageText(problem.messageText, '\n')).join('; ')}`);
  const plugins = (parsed.options.plugins ?? []) as Array<{ transform?: string } & TransformerOptions>;
  const plugin = plugins.find((entry) => entry.transform === 'logmill/transformer');
  return { fileNames: parsed.fileNames, compilerOptions: parsed.options, plugin };
}

/** Rewrites the tree; throws only when the source is missing, the output is inside it, or the project cannot be read. */
export function instrumentTree(ts: typeof TS, options: InstrumentTreeOptions): InstrumentTreeResult {
  const source = path.resolve(options.source);
  const out = path.resolve(options.out);
  if (!ts.sys.directoryExists(source)) throw new Error(`logmill instrument: ${source} is not a directory`);
  // Output inside the source would be read back as source (with allowJs) by the next run.
  if (!path.relative(source, out).startsWith('..') && !path.isAbsolute(path.relative(source, out))) {
    throw new Error(`logmill instrument: the output ${out} is inside the source ${source}; choose a directory outside it`);
  }
  const project = readProject(ts, options);
  const isUnderSource = (fileName: string): boolean => !path.relative(source, fileName).startsWith('..');
  const compilerOptions: TS.CompilerOptions = {
    ...project.compilerOptions,
    target: ts.ScriptTarget.ESNext,
    rootDir: source,
    outDir: out,
    noEmit: false,
    emitDeclarationOnly: false,
    sourceMap: true,
    inlineSourceMap: false,
    inlineSources: true,
    removeComments: false,
    incremental: false,
    composite: false,
    tsBuildInfoFile: undefined,
    declarationDir: undefined,
    outFile: undefined,
  };
  const program = ts.createProgram({ rootNames: project.fileNames.filter(isUnderSource), options: compilerOptions });
  const transformer = createLogmillTransformer(program, { ...project.plugin, ...options.transform, root: options.transform?.root ?? project.plugin?.root ?? source }, { ts });
  const targets = program.getSourceFiles().filter((file) => !file.isDeclarationFile && isUnderSource(file.fileName) && !program.isSourceFileFromExternalLibrary(file));
  const errors = ts.getPreEmitDiagnostics(program).filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  const host = { getCanonicalFileName: (name: string) => name, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
  const result: InstrumentTreeResult = { files: 0, activations: 0, logCalls: 0, errors: errors.map((diagnostic) => ts.formatDiagnostic(diagnostic, host).trimEnd()), written: [] };
  targets.forEach((sourceFile, index) => {
    program.emit(sourceFile, (fileName, text, writeByteOrderMark) => {
      ts.sys.writeFile(fileName, text, writeByteOrderMark);
      result.written.push(fileName);
      if (/\.[cm]?js$/.test(fileName)) {
        result.activations += text.split('__logmill.enter(').length - 1;
        result.logCalls += text.split('.__logmillAt(').length - 1;
      }
    }, undefined, false, { before: [transformer] });
    result.files++;
    options.onFile?.(sourceFile.fileName, index + 1, targets.length);
  });
  return result;
}
