/**
 * Facts about functions that decide how they may be rewritten. Everything here only reads the AST.
 */
import type * as TS from 'typescript';

/** Generated identifiers; every one starts with `__logmill`. */
export const names = {
  runtime: '__logmill',
  context: '__logmillContext',
  outer: '__logmillOuter',
  slot: '__logmillSlot',
  awaited: '__logmillAwaited',
  error: '__logmillError',
  frame: (index: number) => `__logmillFrame${index}`,
  site: (index: number) => `__logmillSite${index}`,
  scope: (depth: number) => `__logmillScope${depth}`,
} as const;

export type FunctionWithBody =
  | TS.FunctionDeclaration
  | TS.FunctionExpression
  | TS.ArrowFunction
  | TS.MethodDeclaration;

export function isAsyncFunction(ts: typeof TS, node: TS.Node): node is FunctionWithBody {
  if (!isFunctionWithBody(ts, node)) return false;
  return node.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword) ?? false;
}

/** Source text of a node, or a placeholder for nodes another transformer synthesized. */
export function textOf(node: TS.Node, sourceFile: TS.SourceFile): string {
  return node.pos >= 0 && node.end >= node.pos ? node.getText(sourceFile) : '<synthesized>';
}

export function isFunctionWithBody(ts: typeof TS, node: TS.Node): node is FunctionWithBody {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node)) &&
    node.body !== undefined
  );
}

/** Parameters that exist at run time (a TypeScript `this` parameter is erased). */
export function runtimeParameters(ts: typeof TS, fn: TS.SignatureDeclaration): TS.ParameterDeclaration[] {
  return fn.parameters.filter(
    (parameter) => !(ts.isIdentifier(parameter.name) && parameter.name.escapedText === 'this'),
  );
}

function hasUseStrictDirective(ts: typeof TS, body: TS.ConciseBody): boolean {
  if (!ts.isBlock(body)) return false;
  for (const statement of body.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) return false;
    if (statement.expression.text === 'use strict') return true;
  }
  return false;
}

/**
 * True when the function reads its own `arguments` or calls `eval` directly (which could). Arrows
 * see their enclosing function's `arguments`, so only non-arrow functions stop the search.
 */
export function readsArguments(ts: typeof TS, fn: FunctionWithBody): boolean {
  // A function of the parse tree whose text spells neither name (nor a unicode escape) reads neither.
  if (ts.getParseTreeNode(fn) === fn && fn.pos >= 0) {
    const text = fn.getSourceFile()?.text.slice(fn.pos, fn.end);
    if (text !== undefined && !/arguments|eval|\\u/.test(text)) return false;
  }
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && (node.escapedText === 'arguments' || node.escapedText === 'eval')) {
      found = node.escapedText === 'arguments' || (ts.isCallExpression(node.parent) && node.parent.expression === node);
      if (found) return;
    }
    if (node !== fn && ts.isFunctionLike(node) && !ts.isArrowFunction(node)) return;
    ts.forEachChild(node, visit);
  };
  if (fn.body !== undefined) visit(fn.body);
  for (const parameter of fn.parameters) visit(parameter);
  return found;
}

/**
 * True when the function's own body holds a `with` statement (sloppy scripts only). Every name
 * written inside one is first looked up on its object, so generated names there could be read,
 * written or observed by it (a sandbox's proxy claims them all): such functions stay as written.
 */
export function containsWithStatement(ts: typeof TS, fn: FunctionWithBody): boolean {
  // Asked for every call to a proven callee: the walk runs once per function, and only in files
  // that have a `with (` at all.
  const known = withStatementFound.get(fn);
  if (known !== undefined) return known;
  const sourceFile = fn.getSourceFile();
  let fileMayHaveOne = fileHasWith.get(sourceFile);
  if (fileMayHaveOne === undefined) fileHasWith.set(sourceFile, (fileMayHaveOne = /\bwith\s*\(/.test(sourceFile.text)));
  const found = fileMayHaveOne && walkForWithStatement(ts, fn);
  withStatementFound.set(fn, found);
  return found;
}

const withStatementFound = new WeakMap<FunctionWithBody, boolean>();
const fileHasWith = new WeakMap<TS.SourceFile, boolean>();

function walkForWithStatement(ts: typeof TS, fn: FunctionWithBody): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isWithStatement(node)) {
      found = true;
      return;
    }
    if (ts.isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  if (fn.body !== undefined) ts.forEachChild(fn.body, visit);
  return found;
}

/**
 * Whether `node` (not the functions inside it) holds an `await`, a `for await`, a `yield` or an
 * `await using`: a point the activation may resume from by a throw or a jump, which run the code
 * on their way out before the protocol takes the slot again.
 */
export function suspendsWithin(ts: typeof TS, node: TS.Node): boolean {
  if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return false;
  if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) return true;
  if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) return true;
  if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.AwaitUsing) return true;
  return ts.forEachChild(node, (child) => suspendsWithin(ts, child) || undefined) === true;
}

/** The statement a chain of labels (`a: b: statement`) labels. */
export function labelledStatement(ts: typeof TS, node: TS.LabeledStatement): TS.Statement {
  let statement: TS.Statement = node.statement;
  while (ts.isLabeledStatement(statement)) statement = statement.statement;
  return statement;
}

function hasObjectRest(ts: typeof TS, name: TS.BindingName): boolean {
  if (ts.isIdentifier(name)) return false;
  return name.elements.some(
    (element) =>
      !ts.isOmittedExpression(element) &&
      ((ts.isObjectBindingPattern(name) && element.dotDotDotToken !== undefined) || hasObjectRest(ts, element.name)),
  );
}

function hasDuplicateParameterNames(ts: typeof TS, fn: FunctionWithBody): boolean {
  const seen = new Set<string>();
  for (const parameter of fn.parameters) {
    if (!ts.isIdentifier(parameter.name)) continue;
    const name = parameter.name.text;
    if (seen.has(name)) return true;
    seen.add(name);
  }
  return false;
}

/** A method TypeScript writes decorator metadata for: decorated itself, or one of its parameters. */
function hasLegacyDecorators(ts: typeof TS, fn: FunctionWithBody): boolean {
  if (!ts.isMethodDeclaration(fn)) return false;
  return (ts.getDecorators(fn)?.length ?? 0) > 0 || fn.parameters.some((parameter) => (ts.getDecorators(parameter)?.length ?? 0) > 0);
}

/**
 * Whether a trailing `__logmillContext = void 0` parameter is invisible to the program. A default
 * value keeps `fn.length`; it also makes the parameter list non-simple, which is a SyntaxError with a
 * `'use strict'` body, forbids duplicate names, and unmaps sloppy `arguments` — so functions that
 * read `arguments` (or might, through `eval`) keep their parameters as written. A rest parameter
 * would swallow the extra argument. With `emitDecoratorMetadata`, a decorated method's
 * `design:paramtypes` lists every parameter (NestJS pipes and OpenAPI generators iterate it), so it
 * keeps its own; nothing passes it the context explicitly anyway, as a decorator may replace it.
 */
export function canTakeHiddenParameter(ts: typeof TS, fn: FunctionWithBody, options: TS.CompilerOptions): boolean {
  const parameters = runtimeParameters(ts, fn);
  if (options.experimentalDecorators === true && options.emitDecoratorMetadata === true && hasLegacyDecorators(ts, fn)) return false;
  // Where TypeScript lowers parameters into the body, the hidden default would become a plain
  // parameter and change `fn.length`: below ES2015 always, below ES2018 with an object rest pattern.
  const effectiveTarget = options.target ?? ts.ScriptTarget.ESNext;
  if (effectiveTarget < ts.ScriptTarget.ES2015) return false;
  if (effectiveTarget < ts.ScriptTarget.ES2018 && parameters.some((parameter) => hasObjectRest(ts, parameter.name))) {
    return false;
  }
  if (parameters.some((parameter) => parameter.dotDotDotToken !== undefined)) return false;
  if (parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === names.context)) {
    return false;
  }
  if (fn.body === undefined || hasUseStrictDirective(ts, fn.body)) return false;
  if (hasDuplicateParameterNames(ts, fn)) return false;
  return ts.isArrowFunction(fn) || !readsArguments(ts, fn);
}

/**
 * The first identifier of the generated form (`__logmill…`) that the file's own code binds or reads,
 * if any. Generated declarations would shadow such a name or collide with it (a parameter named
 * `__logmillContext` makes the generated `let __logmillContext` a SyntaxError), so such a file is
 * left as written. Member names (`obj.__logmillX`, `{ __logmillX: 1 }`) bind nothing and do not count.
 */
export function generatedLookingName(ts: typeof TS, sourceFile: TS.SourceFile): TS.Identifier | undefined {
  if (!sourceFile.text.includes(names.runtime)) return undefined;
  let found: TS.Identifier | undefined;
  const visit = (node: TS.Node): void => {
    if (found !== undefined) return;
    if (ts.isIdentifier(node) && node.text.startsWith(names.runtime) && !isMemberName(ts, node)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

function isMemberName(ts: typeof TS, node: TS.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.name === node;
  if (ts.isQualifiedName(parent)) return parent.right === node;
  return (
    (ts.isPropertyAssignment(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) ||
      ts.isEnumMember(parent)) &&
    parent.name === node
  );
}

// `logmill-ignore`, alone or followed by a reason after a space or a colon.
const IGNORE = /(^|\s|\/\/|\*)logmill-ignore(\s|$|\*|:)/;

function commentsBefore(ts: typeof TS, sourceText: string, position: number): string[] {
  // A comment on the same line as the previous token counts as that token's trailing comment.
  const ranges = [
    ...(ts.getTrailingCommentRanges(sourceText, position) ?? []),
    ...(ts.getLeadingCommentRanges(sourceText, position) ?? []),
  ];
  return ranges.map((range) => sourceText.slice(range.pos, range.end));
}

/**
 * `// logmill-ignore` before a function (or the statement, property or variable that holds it)
 * opts that function out.
 */
export function isIgnoredFunction(ts: typeof TS, fn: TS.Node, sourceText: string): boolean {
  let holder: TS.Node = fn;
  for (let steps = 0; steps < 4 && holder !== undefined; steps++) {
    if (commentsBefore(ts, sourceText, holder.pos).some((comment) => IGNORE.test(comment))) return true;
    const parent: TS.Node | undefined = holder.parent;
    if (
      parent === undefined ||
      !(
        ts.isVariableDeclaration(parent) ||
        ts.isVariableDeclarationList(parent) ||
        ts.isVariableStatement(parent) ||
        ts.isPropertyAssignment(parent) ||
        ts.isPropertyDeclaration(parent) ||
        ts.isExportAssignment(parent) ||
        ts.isParenthesizedExpression(parent)
      )
    ) {
      break;
    }
    holder = parent;
  }
  return false;
}

/**
 * A file opts out with `// logmill-ignore-file` anywhere in its leading comments, or with
 * `// logmill-ignore` at the top of the file separated from the code below by a blank line.
 */
export function isIgnoredFile(ts: typeof TS, sourceFile: TS.SourceFile): boolean {
  const text = sourceFile.text;
  const ranges = ts.getLeadingCommentRanges(text, 0) ?? [];
  const firstToken = sourceFile.statements.length > 0 ? sourceFile.statements[0]!.getStart(sourceFile) : text.length;
  for (const range of ranges) {
    const comment = text.slice(range.pos, range.end);
    if (/logmill-ignore-file\b/.test(comment)) return true;
    if (IGNORE.test(comment) && /\n[ \t]*\r?\n/.test(text.slice(range.end, firstToken))) return true;
  }
  return false;
}

/** A readable name for the function's frame: `name`, `Class.method`, `obj.method` or `<anonymous>`. */
export function functionName(ts: typeof TS, fn: FunctionWithBody, sourceFile: TS.SourceFile): string {
  const nameOf = (name: TS.PropertyName | TS.BindingName | undefined): string | undefined => {
    if (name === undefined) return undefined;
    if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
    if (ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
    if (ts.isComputedPropertyName(name)) return `[${textOf(name.expression, sourceFile)}]`;
    return undefined;
  };
  if (ts.isMethodDeclaration(fn)) {
    const method = nameOf(fn.name) ?? '<anonymous>';
    const owner = fn.parent;
    if (ts.isClassLike(owner)) return `${owner.name?.text ?? '<class>'}.${method}`;
    return method;
  }
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name !== undefined) return fn.name.text;
  if (ts.isFunctionDeclaration(fn)) return 'default';
  let parent = fn.parent;
  while (parent !== undefined && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) {
    parent = parent.parent;
  }
  if (parent !== undefined) {
    if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
      const name = nameOf(parent.name);
      if (ts.isPropertyDeclaration(parent) && ts.isClassLike(parent.parent) && name !== undefined) {
        return `${parent.parent.name?.text ?? '<class>'}.${name}`;
      }
      if (name !== undefined) return name;
    }
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      return textOf(parent.left, sourceFile);
    }
  }
  return '<anonymous>';
}
