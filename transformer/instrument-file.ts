/**
 * Walks one source file and applies the rewrites: each async function becomes an activation
 * (instrument-async-function.ts), its suspension points hand the slot back
 * (rewrite-suspension-points.ts, rewrite-for-await.ts, rewrite-handlers.ts, rewrite-returns.ts), calls it provably makes
 * to other activations pass the context (pass-context.ts), and callbacks created inside it keep it
 * (capture-callback.ts); what the engine runs for it after a suspension (iterators' `return`,
 * disposers) runs in its context (rewrite-for-of-iterators.ts, rewrite-destructuring-iterators.ts,
 * lower-await-using.ts); calls to Logmill loggers get call sites (stamp-log-calls.ts). A file with
 * nothing to instrument comes back untouched.
 */
import type * as TS from 'typescript';
import {
  type FunctionWithBody,
  containsWithStatement,
  functionName,
  generatedLookingName,
  isAsyncFunction,
  isFunctionWithBody,
  isIgnoredFile,
  isIgnoredFunction,
  labelledStatement,
  names,
} from './analysis.js';
import { captureCallback, isCallbackArgument } from './capture-callback.js';
import { createEmit } from './emit.js';
import { instrumentAsyncFunction, parametersReadingScope } from './instrument-async-function.js';
import {
  holdsUsingToLower,
  initializesUsingToLower,
  iteratesUsingToLower,
  lowerAwaitUsingBlock,
  lowerAwaitUsingForStatement,
  lowerAwaitUsingLoop,
} from './lower-await-using.js';
import { moduleNameOf, relativeFile, type ResolvedOptions } from './options.js';
import type { CallResolver } from './call-resolver.js';
import { passContext, skipOuterExpressions } from './pass-context.js';
import { destructuringSourceAcrossSuspension, rewriteDestructuringSource } from './rewrite-destructuring-iterators.js';
import { closeLoop, labelledForAwait, rewriteForAwaitLoop } from './rewrite-for-await.js';
import { rewriteForOfIterator, suspendsInsideLoop } from './rewrite-for-of-iterators.js';
import { jumpsOutOfForAwait, rewriteLabelledJumps } from './rewrite-labelled-jumps.js';
import { rewriteTryStatement } from './rewrite-handlers.js';
import { type ChangedHolder, holdsSourceText, keepSourceTexts, sourceTableKey } from './keep-source-text.js';
import { commonJsImportNames, plainSourceText } from './plain-source-text.js';
import { letStatement, mayMisparseLet, misparsedLetWithin, statementAfterLet } from './repair-misparsed-let.js';
import { finalAwait, rewriteFinalAwait, rewriteReturn, runsNothingAfterReturn } from './rewrite-returns.js';
import { rewriteAsyncGeneratorReturn, rewriteAwait, rewriteYield } from './rewrite-suspension-points.js';
import { type FrameRecord, type SiteRecord, addRuntimePrologue, emitsCommonJs, hasRuntimePrologue, isCommonJsScript } from './runtime-prologue.js';
import {
  appendModuleName,
  compileTemplateLiteral,
  type AnalyticCall,
  logLevels,
  stampAnalyticCall,
  stampLogCall,
} from './stamp-log-calls.js';

/** An instrumented function being visited. */
interface Activation {
  readonly depth: number;
  readonly isGenerator: boolean;
  /** Set when a nested function captured this activation's context through its scope alias. */
  captured: boolean;
  /** Set when a rewrite (a suspension point, a return) holds an operand in `__logmillAwaited`. */
  usesTemporary: boolean;
  /** Whether returns give the slot back themselves (rewrite-returns.ts) instead of a `finally`. */
  readonly exitsAtReturns: boolean;
  /** The function's body, to recognise its last statement. */
  readonly body: TS.ConciseBody;
  /** Set when the body's last statement is a final `await x;` that already gave the slot back. */
  endsSuspended: boolean;
  /** Set when the body calls `identify()`, which switches the scope alias too (then a `let`). */
  identifies: boolean;
}

export interface FileInstrumenter {
  /** Returns the instrumented file, or the same object when nothing needed instrumenting. */
  instrument(sourceFile: TS.SourceFile): TS.SourceFile;
}

export interface InstrumentEnvironment {
  ts: typeof TS;
  context: TS.TransformationContext;
  options: ResolvedOptions;
  /** Who proves callees and recognises Logmill calls: the type checker, or the source alone. */
  calls: CallResolver;
  /** Whether a function elsewhere in the program is instrumented (include/exclude and ignore comments). */
  isInstrumentedFile: (sourceFile: TS.SourceFile) => boolean;
  report: (node: TS.Node, message: string) => void;
  /** `canTakeHiddenParameter` for the program's target, remembered per function. */
  takesHiddenParameter: (fn: FunctionWithBody) => boolean;
}

export function isInstrumentable(environment: InstrumentEnvironment, fn: FunctionWithBody): boolean {
  const { ts } = environment;
  const sourceFile = fn.getSourceFile();
  return (
    isAsyncFunction(ts, fn) &&
    environment.isInstrumentedFile(sourceFile) &&
    !isIgnoredFunction(ts, fn, sourceFile.text) &&
    !containsWithStatement(ts, fn)
  );
}

const MAY_LOG = /\.(trace|debug|info|warn|error|fatal)\s*\(/;

/** Whether `node` is the last statement of the block `body`. */
function isLastStatement(node: TS.Node, body: TS.ConciseBody): boolean {
  if (node.parent !== body || !('statements' in body)) return false;
  return body.statements[body.statements.length - 1] === node;
}

export function instrumentFile(environment: InstrumentEnvironment, sourceFile: TS.SourceFile): TS.SourceFile {
  const { ts, context, options } = environment;
  if (sourceFile.isDeclarationFile || !options.isIncluded(sourceFile.fileName)) return sourceFile;
  // Most files of a large program have no async function and no log call; skip them without a walk.
  if (!sourceFile.text.includes('async') && !MAY_LOG.test(sourceFile.text)) return sourceFile;
  if (isIgnoredFile(ts, sourceFile) || hasRuntimePrologue(ts, sourceFile)) return sourceFile;
  const reserved = generatedLookingName(ts, sourceFile);
  if (reserved !== undefined) {
    environment.report(reserved, `logmill: left ${sourceFile.fileName} uninstrumented: its code uses the name ${reserved.text}, of the form the generated code declares (__logmill…)`);
    return sourceFile;
  }

  const emit = createEmit(ts, context.factory);
  const frames: FrameRecord[] = [];
  const sites: SiteRecord[] = [];
  /** Rewrites that hoist no record (moduleFields) but still change the file. */
  let rewritesWithoutRecords = 0;
  const moduleName = moduleNameOf(sourceFile.fileName, options.root);
  const file = relativeFile(sourceFile.fileName, options.root);
  let activation: Activation | undefined;
  let lexical: Activation | undefined;
  let instrumented = 0;

  const lineOf = (node: TS.Node): number => {
    const original = ts.getParseTreeNode(node);
    if (original === undefined || original.pos < 0) return 0;
    return sourceFile.getLineAndCharacterOfPosition(original.getStart(sourceFile)).line + 1;
  };

  const withState = <T>(nextActivation: Activation | undefined, nextLexical: Activation | undefined, run: () => T): T => {
    const saved = [activation, lexical] as const;
    activation = nextActivation;
    lexical = nextLexical;
    try {
      return run();
    } finally {
      [activation, lexical] = saved;
    }
  };

  /** Visits a function's parameters in the enclosing state and its body in `inner`. */
  const visitFunction = (fn: TS.Node, inner: Activation | undefined, innerLexical: Activation | undefined): TS.Node => {
    const body = isFunctionWithBody(ts, fn) ? fn.body : undefined;
    return ts.visitEachChild(
      fn,
      (child) => (child === body ? withState(inner, innerLexical, () => visit(child)) : visit(child)),
      context,
    );
  };

  const instrumentActivation = (fn: FunctionWithBody): TS.Node => {
    const own: Activation = {
      depth: lexical === undefined ? 0 : lexical.depth + 1,
      isGenerator: fn.asteriskToken !== undefined,
      captured: false,
      usesTemporary: false,
      exitsAtReturns: fn.asteriskToken === undefined && runsNothingAfterReturn(ts, fn.body!),
      body: fn.body!,
      endsSuspended: false,
      identifies: false,
    };
    const enclosing = lexical;
    let frameName: string | undefined;
    if (options.stack) {
      frameName = names.frame(frames.length);
      frames.push({ name: functionName(ts, fn, sourceFile), module: moduleName, file, line: lineOf(fn) });
    }
    let visited = visitFunction(fn, own, own) as FunctionWithBody;
    if (enclosing !== undefined) enclosing.captured = true;
    const hiddenParameter = environment.takesHiddenParameter(fn);
    if (hiddenParameter && enclosing !== undefined) visited = parametersReadingScope(emit, visited, names.scope(enclosing.depth));
    instrumented++;
    return instrumentAsyncFunction(emit, visited, {
      frameName,
      hiddenParameter,
      lexicalScope: enclosing === undefined ? undefined : names.scope(enclosing.depth),
      ownScope: own.captured ? names.scope(own.depth) : undefined,
      identifies: own.identifies,
      usesTemporary: own.usesTemporary,
      exitsAtReturns: own.exitsAtReturns,
      endsSuspended: own.endsSuspended,
    });
  };

  const visitFunctionLike = (node: TS.Node): TS.Node => {
    if (isFunctionWithBody(ts, node) && isAsyncFunction(ts, node)) {
      if (!isInstrumentable(environment, node)) return visitFunction(node, undefined, undefined);
      try {
        return instrumentActivation(node);
      } catch (error) {
        environment.report(node, `logmill: left this function uninstrumented: ${String(error)}`);
        return visitFunction(node, undefined, undefined);
      }
    }
    // A callback marked `// logmill-ignore` keeps its source text (code can read it back) and no capture.
    if (lexical !== undefined && isCallbackArgument(ts, node) && !isIgnoredFunction(ts, node, sourceFile.text)) {
      const creation = lexical;
      const visited = visitFunction(node, undefined, creation) as TS.FunctionExpression | TS.ArrowFunction;
      creation.captured = true;
      return captureCallback(emit, visited, names.scope(creation.depth));
    }
    return visitFunction(node, undefined, lexical);
  };

  // A loop's or a `yield*`'s call is asked about twice (whether it needs the iterator wrapper, and
  // whether it gets the context): resolved, and reported, once.
  const resolvedCallees = new Map<TS.CallExpression, FunctionWithBody | undefined>();
  /** The activation a call of the parse tree provably enters, one this transform instruments. */
  const instrumentedCallee = (original: TS.CallExpression): FunctionWithBody | undefined => {
    if (resolvedCallees.has(original)) return resolvedCallees.get(original);
    let callee: FunctionWithBody | undefined;
    try {
      callee = environment.calls.provenCallee(original);
    } catch (error) {
      environment.report(original, `logmill: resolving this call failed; context stays ambient: ${String(error)}`);
    }
    if (callee !== undefined && (!isInstrumentable(environment, callee) || !environment.takesHiddenParameter(callee))) callee = undefined;
    resolvedCallees.set(original, callee);
    return callee;
  };

  const passContextIfProven = (call: TS.CallExpression, original: TS.CallExpression): TS.CallExpression => {
    if (ts.getParseTreeNode(original) !== original) return call;
    const callee = instrumentedCallee(original);
    return callee === undefined ? call : passContext(emit, call, callee);
  };

  /**
   * Whether iterating `expression` runs no code that needs this activation's context: an array's
   * or a string's built-in iterator, or an async generator this transform instruments (called
   * right there), whose every step takes the slot itself.
   */
  const stepsOnItsOwn = (expression: TS.Expression): boolean => {
    // A lowered loop has no parse tree: asked of its original, which iterates the same expression.
    const original = ts.getParseTreeNode(expression);
    if (original === undefined || !ts.isExpression(original)) return false;
    const called = skipOuterExpressions(ts, original);
    if (ts.isCallExpression(called)) {
      const callee = instrumentedCallee(called);
      if (callee !== undefined && callee.asteriskToken !== undefined) return true;
    }
    try {
      return environment.calls.iteratesBuiltIn(original);
    } catch (error) {
      environment.report(original, `logmill: typing this iterable failed; its iterator runs in the activation's context: ${String(error)}`);
      return false;
    }
  };

  /** Whether a labelled `continue` inside a `for await` in this loop goes on with it. */
  const continuedFromForAwait = (loop: TS.ForOfStatement): boolean => {
    let chain: TS.Node = ts.getOriginalNode(loop);
    while (chain.parent !== undefined && ts.isLabeledStatement(chain.parent)) chain = chain.parent;
    return ts.isLabeledStatement(chain) && jumpsOutOfForAwait(ts, chain).continues;
  };

  // Lowered nodes are new and have no parent: their original's tells where they stand.
  const isLabelled = (node: TS.Node): boolean => {
    const parent = ts.getOriginalNode(node).parent;
    return parent !== undefined && ts.isLabeledStatement(parent);
  };

  const visitInActivation = (node: TS.Node, current: Activation): TS.Node | undefined => {
    // Lowered first; the lowered form's await, try and calls are then rewritten like any other.
    if (ts.isBlock(node) && holdsUsingToLower(ts, node)) return visitNode(lowerAwaitUsingBlock(emit, node));
    if (ts.isForOfStatement(node) && iteratesUsingToLower(ts, node)) return visitNode(lowerAwaitUsingLoop(emit, node));
    if (ts.isForStatement(node) && initializesUsingToLower(ts, node) && !isLabelled(node)) return visitNode(lowerAwaitUsingForStatement(emit, node, node));
    if (ts.isAwaitExpression(node)) {
      current.usesTemporary = true;
      return rewriteAwait(emit, ts.visitEachChild(node, visit, context));
    }
    if (ts.isYieldExpression(node) && current.isGenerator) {
      current.usesTemporary = true;
      return rewriteYield(emit, ts.visitEachChild(node, visit, context), node.asteriskToken !== undefined && node.expression !== undefined && stepsOnItsOwn(node.expression));
    }
    if (ts.isReturnStatement(node) && current.isGenerator && node.expression !== undefined) {
      current.usesTemporary = true;
      return rewriteAsyncGeneratorReturn(emit, ts.visitEachChild(node, visit, context));
    }
    if (current.exitsAtReturns && (ts.isReturnStatement(node) || isLastStatement(node, current.body))) {
      const suspension = finalAwait(ts, node as TS.Statement);
      if (suspension !== undefined) {
        current.usesTemporary = true;
        if (ts.isExpressionStatement(node)) current.endsSuspended = true;
        return rewriteFinalAwait(emit, node as TS.ReturnStatement | TS.ExpressionStatement, ts.visitNode(suspension.expression, visit, ts.isExpression), suspension);
      }
    }
    if (ts.isReturnStatement(node) && current.exitsAtReturns) {
      if (node.expression !== undefined) current.usesTemporary = true;
      return rewriteReturn(emit, ts.visitEachChild(node, visit, context));
    }
    if (ts.isTryStatement(node)) return rewriteTryStatement(emit, ts.visitEachChild(node, visit, context));
    if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) {
      current.usesTemporary = true;
      const loop = rewriteForAwaitLoop(emit, ts.visitEachChild(node, visit, context), stepsOnItsOwn(node.expression));
      return isLabelled(node) ? loop : closeLoop(emit, loop);
    }
    const destructured = destructuringSourceAcrossSuspension(ts, node);
    if (destructured !== undefined && !stepsOnItsOwn(destructured)) {
      return rewriteDestructuringSource(emit, ts.visitEachChild(node as TS.VariableDeclaration | TS.BinaryExpression, visit, context));
    }
    if (ts.isForOfStatement(node) && node.awaitModifier === undefined && suspendsInsideLoop(ts, node) && !stepsOnItsOwn(node.expression)) {
      return rewriteForOfIterator(emit, ts.visitEachChild(node, visit, context), continuedFromForAwait(node));
    }
    if (ts.isLabeledStatement(node) && !isLabelled(node)) {
      const labelled = labelledStatement(ts, node);
      if (ts.isForStatement(labelled) && initializesUsingToLower(ts, labelled)) return visitNode(lowerAwaitUsingForStatement(emit, node, labelled));
      if (labelledForAwait(ts, node)) return closeLoop(emit, ts.visitEachChild(node, visit, context));
      const jumps = jumpsOutOfForAwait(ts, node);
      if (jumps.breaks || jumps.continues) return rewriteLabelledJumps(emit, ts.visitEachChild(node, visit, context), jumps);
    }
    if (ts.isCallExpression(node)) return passContextIfProven(ts.visitEachChild(node, visit, context), node);
    return undefined;
  };

  const enclosingFunctionName = (node: TS.Node): string => {
    for (let current = node.parent; current !== undefined; current = current.parent) {
      if (isFunctionWithBody(ts, current)) return functionName(ts, current, sourceFile);
      if (ts.isFunctionLike(current) || ts.isClassStaticBlockDeclaration(current)) return '<anonymous>';
    }
    return '<module>';
  };

  /** Hoists a call-site record for `node`; returns its name. */
  const addSite = (node: TS.CallExpression, severityNumber: number, template: string | undefined, templateLiteral = false): string => {
    const start = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    const name = names.site(sites.length);
    sites.push({ severityNumber, module: moduleName, file, line: start.line + 1, column: start.character + 1, name: enclosingFunctionName(node), template, templateLiteral });
    return name;
  };

  const rewriteRuntimeCall = (node: TS.CallExpression): TS.Node | undefined => {
    if (ts.getParseTreeNode(node) !== node) return undefined;
    // `super.info(…)` in a subclass's override of a level: the plain build calls the base method
    // itself, never the override, so it stays as written (a stamped call goes to the override:
    // runtime/logging/test-doubles.ts).
    if (ts.isPropertyAccessExpression(node.expression) && node.expression.expression.kind === ts.SyntaxKind.SuperKeyword) return undefined;
    const calls = environment.calls;
    let severity: number | undefined;
    let fieldsCall: boolean;
    let analytic: AnalyticCall | undefined;
    try {
      severity = calls.loggerCallSeverity(node);
      fieldsCall = severity === undefined && calls.isModuleFieldsCall(node);
      analytic = severity === undefined && !fieldsCall ? calls.analyticCall(node) : undefined;
    } catch (error) {
      environment.report(node, `logmill: resolving this call failed; no call site: ${String(error)}`);
      return undefined;
    }
    if (analytic !== undefined) {
      const name = addSite(node, logLevels['info']!, undefined);
      const visited = ts.visitEachChild(node, visit, context);
      if (analytic === 'identify' && activation !== undefined) {
        // Callbacks and async functions created in the activation read its scope alias when they
        // run: switched along with the activation, those created after identify() see the user.
        activation.captured = true;
        activation.identifies = true;
      }
      return stampAnalyticCall(emit, analytic, visited, name, activation === undefined ? undefined : emit.context(), activation === undefined ? undefined : names.scope(activation.depth));
    }
    if (severity === undefined) {
      if (!fieldsCall) return undefined;
      rewritesWithoutRecords++;
      return appendModuleName(emit, ts.visitEachChild(node, visit, context), moduleName);
    }
    const visited = ts.visitEachChild(node, visit, context);
    const first = visited.arguments[0]!;
    // A literal template is a build-time fact: the site record holds it, parsed (and its JSON is
    // serialized once per site by the envelope); the call keeps it too, where a reader looks.
    // A template literal followed by args of its own is a `%` template written with backticks
    // (`user %s`, or `[${area}] user %s`): its `%`s are the caller's, so it is not compiled.
    const ownArgs = visited.arguments.length > 1;
    const compiled: [string, TS.Expression[]] | undefined = ts.isStringLiteral(first) || (ownArgs && ts.isNoSubstitutionTemplateLiteral(first))
      ? [first.text, []]
      : !ownArgs && (ts.isTemplateExpression(first) || ts.isNoSubstitutionTemplateLiteral(first))
        ? compileTemplateLiteral(ts, first)
        : undefined;
    // A template literal's holes render as the literal would have (`String(value)`), not as `%s`.
    const name = addSite(node, severity, compiled?.[0], !ownArgs && ts.isTemplateExpression(first));
    const callerContext = activation === undefined ? emit.undefinedValue() : emit.context();
    return stampLogCall(emit, visited, name, callerContext, compiled?.[1], compiled?.[0], severity);
  };

  // `let` ⏎ … in a single-statement position, which TypeScript reads as a declaration: the `let`s
  // being given their JavaScript reading (repair-misparsed-let.ts).
  const letsToRepair = new Set<TS.Node>();
  /** Functions and classes whose text changed, inner ones first (keep-source-text.ts). */
  const changedHolders: ChangedHolder[] = [];
  const repairsLet = mayMisparseLet(sourceFile.text);

  const visit = (node: TS.Node): TS.VisitResult<TS.Node> => {
    if (repairsLet && letsToRepair.has(node)) return letStatement(ts, context.factory, node as TS.VariableStatement);
    if (repairsLet && ts.isStatement(node)) {
      const misparsed = misparsedLetWithin(ts, node);
      const after = misparsed === undefined ? undefined : statementAfterLet(ts, context.factory, misparsed);
      if (after !== undefined) {
        letsToRepair.add(misparsed!);
        return [visitNode(node) as TS.Statement, visitNode(after) as TS.Statement];
      }
    }
    return visitNode(node);
  };

  /** A function or class whose text changed keeps its plain text reachable (keep-source-text.ts). */
  const visitNode = (node: TS.Node): TS.Node => {
    const result = rewriteNode(node);
    if (result !== node && options.keepSourceText && holdsSourceText(ts, node) && ts.getParseTreeNode(node) === node) changedHolders.push({ node, result });
    return result;
  };

  const rewriteNode = (node: TS.Node): TS.Node => {
    // Names inside `with` resolve through its object first: nothing generated may appear there.
    if (ts.isWithStatement(node)) return context.factory.updateWithStatement(node, ts.visitNode(node.expression, visit, ts.isExpression), node.statement);
    if (ts.isCallExpression(node)) {
      const stamped = rewriteRuntimeCall(node);
      if (stamped !== undefined) return stamped;
    }
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) {
      return ts.isFunctionLike(node) ? visitFunctionLike(node) : visitFunction(node, undefined, lexical);
    }
    if (activation !== undefined) {
      const rewritten = visitInActivation(node, activation);
      if (rewritten !== undefined) return rewritten;
    }
    return ts.visitEachChild(node, visit, context);
  };

  /** The module's table of plain texts; printed now, with the comments placed in the emitted code. */
  const keepTexts = (changed: readonly ChangedHolder[]) => {
    const compilerOptions = context.getCompilerOptions();
    const printer = ts.createPrinter({ newLine: compilerOptions.newLine, removeComments: compilerOptions.removeComments });
    const newLine = compilerOptions.newLine === ts.NewLineKind.CarriageReturnLineFeed ? '\r\n' : '\n';
    const imports = emitsCommonJs(ts, sourceFile, compilerOptions) ? commonJsImportNames(ts, sourceFile) : undefined;
    const key = sourceTableKey(sourceFile.text);
    // Below ES2022 TypeScript's own transforms rewrite syntax inside what the rewrite left unchanged.
    const copies = (compilerOptions.target ?? ts.ScriptTarget.ES5) >= ts.ScriptTarget.ES2022;
    const texts = keepSourceTexts(ts, sourceFile, key, changed, copies, (node, holes) => plainSourceText(ts, node, sourceFile, printer, newLine, imports, holes));
    return { key, texts };
  };

  const statements = ts.visitNodes(sourceFile.statements, visit, ts.isStatement);
  if (instrumented === 0 && sites.length === 0) return rewritesWithoutRecords === 0 ? sourceFile : context.factory.updateSourceFile(sourceFile, statements);
  const commonJsScript = isCommonJsScript(ts, sourceFile, context.getCompilerOptions());
  const table = changedHolders.length === 0 ? undefined : keepTexts(changedHolders);
  return addRuntimePrologue(emit, sourceFile, statements, options.runtime, frames, sites, commonJsScript, table);
}
