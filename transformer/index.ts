/**
 * `logmill/transformer`: the ts-patch / ttypescript "program" transformer.
 *
 *   { "compilerOptions": { "plugins": [{ "transform": "logmill/transformer" }] } }
 *
 * It never breaks a build: a file it cannot handle is emitted exactly as plain `tsc` would emit it,
 * and a function it cannot handle is left uninstrumented (it still gets the ambient context).
 */
import * as path from 'node:path';
import type * as TS from 'typescript';
import { type FunctionWithBody, canTakeHiddenParameter, generatedLookingName, isIgnoredFile } from './analysis.js';
import { hasRuntimePrologue } from './runtime-prologue.js';
import { type CallResolver, checkerCallResolver } from './call-resolver.js';
import { type InstrumentEnvironment, instrumentFile } from './instrument-file.js';
import { type TransformerOptions, checkPluginEntry, resolveOptions } from './options.js';
import { type SyntacticResolverHost, syntacticCallResolver } from './syntactic-call-resolver.js';

export type { TransformerOptions } from './options.js';

/** What ts-patch (and ttypescript) pass as the third argument. */
export interface TransformerExtras {
  ts?: typeof TS | undefined;
  addDiagnostic?: ((diagnostic: TS.Diagnostic) => number | void) | undefined;
  /**
   * Without a program (bundler plugins): how to follow imports to other modules of the build, so
   * calls to their async functions can pass the context too. Without it only same-module callees
   * are proven.
   */
  modules?: SyntacticResolverHost | undefined;
}

const noModules: SyntacticResolverHost = { resolveImport: () => undefined, readModule: () => undefined };

const DIAGNOSTIC_CODE = 94001;

function defaultRoot(program: TS.Program): string {
  const compilerOptions = program.getCompilerOptions();
  if (compilerOptions.rootDir !== undefined) return compilerOptions.rootDir;
  const configFile = compilerOptions['configFilePath'];
  if (typeof configFile === 'string') return path.dirname(configFile);
  return program.getCurrentDirectory();
}

// Names a module assigns to somewhere (`send = dryRun`): a function declaration is a mutable
// binding in JavaScript, so a call through such a name may reach another function. In JavaScript
// files (which TypeScript does not stop from reassigning a function) that also takes a `var` of the
// same name (`var send = dryRun`), a destructuring assignment (`[send] = [dryRun]`,
// `({ send } = stubs)`) and a `for…in`/`for…of` head assigning it.
const assignedNames = new WeakMap<TS.SourceFile, Set<string>>();

/** The identifiers an assignment target writes: a name, or every name in a destructuring pattern. */
function addAssignmentTargets(ts: typeof TS, target: TS.Expression, found: Set<string>): void {
  if (ts.isIdentifier(target)) found.add(target.text);
  else if (ts.isParenthesizedExpression(target) || ts.isSpreadElement(target)) addAssignmentTargets(ts, target.expression, found);
  else if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) addAssignmentTargets(ts, target.left, found);
  else if (ts.isArrayLiteralExpression(target)) for (const element of target.elements) addAssignmentTargets(ts, element, found);
  else if (ts.isObjectLiteralExpression(target)) {
    for (const property of target.properties) {
      if (ts.isShorthandPropertyAssignment(property)) found.add(property.name.text);
      else if (ts.isPropertyAssignment(property)) addAssignmentTargets(ts, property.initializer, found);
      else if (ts.isSpreadAssignment(property)) addAssignmentTargets(ts, property.expression, found);
    }
  }
}

function addBoundNames(ts: typeof TS, name: TS.BindingName, found: Set<string>): void {
  if (ts.isIdentifier(name)) found.add(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBoundNames(ts, element.name, found);
}

function namesAssignedIn(ts: typeof TS, sourceFile: TS.SourceFile): Set<string> {
  let names = assignedNames.get(sourceFile);
  if (names !== undefined) return names;
  const found = new Set<string>();
  const visit = (node: TS.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) addAssignmentTargets(ts, node.left, found);
    if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && ts.isIdentifier(node.operand)) found.add(node.operand.text);
    if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) addAssignmentTargets(ts, node.initializer, found);
    if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.BlockScoped) === 0) for (const declaration of node.declarations) addBoundNames(ts, declaration.name, found);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  assignedNames.set(sourceFile, found);
  return found;
}

/**
 * A proven callee, unless it can be replaced after all: a function declaration its module assigns
 * to, a decorated method, or (with `passThroughImports` off) a function of another module, which a test runner's module
 * mock may stand in for. Such calls take the context from the ambient slot instead.
 */
function replaceableCalleeLeftOut(ts: typeof TS, call: TS.CallExpression, callee: FunctionWithBody | undefined, passThroughImports: boolean): FunctionWithBody | undefined {
  if (callee === undefined) return undefined;
  const declaringFile = callee.getSourceFile();
  if (!passThroughImports && declaringFile !== call.getSourceFile()) return undefined;
  if (ts.isFunctionDeclaration(callee) && callee.name !== undefined && namesAssignedIn(ts, declaringFile).has(callee.name.text)) return undefined;
  // A decorator may replace the method (`@logged async #work()`): what runs is the decorator's.
  if (ts.isMethodDeclaration(callee) && (ts.getDecorators(callee)?.length ?? 0) > 0) return undefined;
  return callee;
}

/** Builds the transformer factory for one program. */
export function createLogmillTransformer(
  program: TS.Program | undefined,
  rawOptions: TransformerOptions = {},
  extras: TransformerExtras = {},
): TS.TransformerFactory<TS.SourceFile> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts: typeof TS = extras.ts ?? require('typescript');
  const options = resolveOptions(rawOptions, program === undefined ? process.cwd() : defaultRoot(program));
  let checker: TS.TypeChecker | undefined;
  try {
    checker = program?.getTypeChecker();
  } catch {
    checker = undefined;
  }
  // `ts.transpileModule` (ts-jest with `isolatedModules`, ts-loader with `transpileOnly`) runs the
  // transformer on a one-file program that resolves no import: its checker never sees Logmill's
  // types, so calls are recognised from the source alone, as on the bundler route.
  const resolvesNoImports = program?.getCompilerOptions().noResolve === true;
  const resolver: CallResolver = checker === undefined || resolvesNoImports
    ? syntacticCallResolver(ts, extras.modules ?? noModules)
    : checkerCallResolver(ts, checker);
  const calls: CallResolver = { ...resolver, provenCallee: (call) => replaceableCalleeLeftOut(ts, call, resolver.provenCallee(call), options.passThroughImports) };
  const instrumentedFiles = new Map<TS.SourceFile, boolean>();
  const isInstrumentedFile = (sourceFile: TS.SourceFile): boolean => {
    let known = instrumentedFiles.get(sourceFile);
    if (known === undefined) {
      known =
        !sourceFile.isDeclarationFile &&
        options.isIncluded(sourceFile.fileName) &&
        !(program?.isSourceFileFromExternalLibrary(sourceFile) ?? false) &&
        !isIgnoredFile(ts, sourceFile) &&
        // A file using `__logmill…` names is left as written (instrument-file.ts): no context is passed to its functions.
        (generatedLookingName(ts, sourceFile) === undefined || hasRuntimePrologue(ts, sourceFile));
      instrumentedFiles.set(sourceFile, known);
    }
    return known;
  };
  const report = (node: TS.Node, message: string): void => {
    if (!options.verbose || extras.addDiagnostic === undefined) return;
    const sourceFile = ts.getParseTreeNode(node)?.getSourceFile();
    extras.addDiagnostic({
      category: ts.DiagnosticCategory.Warning,
      code: DIAGNOSTIC_CODE,
      file: sourceFile,
      start: sourceFile === undefined ? undefined : node.getStart(sourceFile),
      length: sourceFile === undefined ? undefined : node.getWidth(sourceFile),
      messageText: message,
    });
  };

  const hiddenParameters = new WeakMap<FunctionWithBody, boolean>();
  const compilerOptions = program?.getCompilerOptions() ?? {};
  const takesHiddenParameter = (fn: FunctionWithBody): boolean => {
    let known = hiddenParameters.get(fn);
    if (known === undefined) {
      known = canTakeHiddenParameter(ts, fn, compilerOptions);
      hiddenParameters.set(fn, known);
    }
    return known;
  };

  return (context) => (sourceFile) => {
    const environment: InstrumentEnvironment = {
      ts,
      context,
      options,
      calls,
      isInstrumentedFile,
      report,
      takesHiddenParameter: program === undefined
        ? (fn) => canTakeHiddenParameter(ts, fn, context.getCompilerOptions())
        : takesHiddenParameter,
    };
    try {
      return instrumentFile(environment, sourceFile);
    } catch (error) {
      report(sourceFile, `logmill: left ${sourceFile.fileName} uninstrumented: ${String(error)}`);
      return sourceFile;
    }
  };
}

/** The ts-patch entry point: `(program, config, { ts }) => TransformerFactory<SourceFile>`. */
export default function logmillTransformer(
  program: TS.Program,
  config: TransformerOptions = {},
  extras: TransformerExtras = {},
): TS.TransformerFactory<TS.SourceFile> {
  checkPluginEntry(config);
  return createLogmillTransformer(program, config, extras);
}
