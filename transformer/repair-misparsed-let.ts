/**
 * TypeScript's parser reads `let` at the end of a line in a single-statement position (a loop's or
 * an `if`'s body, a label's statement) as a `let` declaration that takes the next line. JavaScript
 * cannot declare there: in a sloppy script that `let` is the identifier, as a statement ended by
 * automatic semicolon insertion, and the next line is the next statement, after the loop. The
 * printer would print TypeScript's reading (`let {};`, a syntax error, or a declaration that moved
 * into the loop), so the rewrite gives the statements back their JavaScript shape:
 *
 *   for await (const x of xs) let        for await (const x of xs) let;
 *   {}                                →  {}
 *
 *   if (ready) let                       if (ready) let;
 *   x = 1, y = 2                      →  x = 1, y = 2;
 *
 *   while (false) let                    while (false) let;
 *   {a: b, c}                         →  { a: b, c; }
 *
 * Shapes with no JavaScript reading at all (`let` ⏎ `[a]`, a pattern with an initializer) were
 * syntax errors as written, and are left as TypeScript parsed them.
 */
import type * as TS from 'typescript';

/** Whether `statement` stands where only a single statement can (no declaration is allowed). */
function inSingleStatementPosition(ts: typeof TS, statement: TS.Statement): boolean {
  const parent = statement.parent;
  return (
    ts.isIfStatement(parent) ||
    ts.isIterationStatement(parent, false) ||
    ts.isLabeledStatement(parent) ||
    ts.isWithStatement(parent)
  );
}

/** The misread `let` declaration in this single-statement position, with its declarations. */
export function misparsedLet(ts: typeof TS, node: TS.Node): TS.VariableStatement | undefined {
  if (!ts.isVariableStatement(node) || node.pos < 0 || node.parent === undefined) return undefined;
  const list = node.declarationList;
  if ((list.flags & ts.NodeFlags.BlockScoped) !== ts.NodeFlags.Let || list.declarations.length === 0) return undefined;
  if (!inSingleStatementPosition(ts, node)) return undefined;
  const sourceFile = node.getSourceFile();
  const between = sourceFile.text.slice(list.getStart(sourceFile) + 3, list.declarations[0]!.getStart(sourceFile));
  // Only a line break lets the identifier `let` end there: on one line it is a syntax error.
  return /[\n\r\u2028\u2029]/.test(between) ? node : undefined;
}

/** What followed the `let` in JavaScript's reading, as the statement after the enclosing one. */
export function statementAfterLet(ts: typeof TS, factory: TS.NodeFactory, node: TS.VariableStatement): TS.Statement | undefined {
  const declarations = node.declarationList.declarations;
  if (declarations.every((declaration) => ts.isIdentifier(declaration.name))) {
    const expressions = declarations.map((declaration) =>
      declaration.initializer === undefined
        ? (declaration.name as TS.Identifier)
        : factory.createAssignment(declaration.name as TS.Identifier, declaration.initializer),
    );
    return ts.setTextRange(factory.createExpressionStatement(commaList(factory, expressions)), node);
  }
  const [only] = declarations;
  if (declarations.length !== 1 || only!.initializer !== undefined || !ts.isObjectBindingPattern(only!.name)) return undefined;
  const elements = only!.name.elements;
  if (elements.length === 0) return ts.setTextRange(factory.createBlock([], false), node);
  // `{a, b = 1}` is a block of one expression statement; `{a: b, c}` labels it with `a`.
  const expressions: TS.Expression[] = [];
  for (const [index, element] of elements.entries()) {
    if (element.dotDotDotToken !== undefined || !ts.isIdentifier(element.name)) return undefined;
    if (element.propertyName !== undefined && (index > 0 || !ts.isIdentifier(element.propertyName))) return undefined;
    expressions.push(element.initializer === undefined ? element.name : factory.createAssignment(element.name, element.initializer));
  }
  const expressionStatement: TS.Statement = factory.createExpressionStatement(commaList(factory, expressions));
  const label = elements[0]!.propertyName;
  const inner = label === undefined ? expressionStatement : factory.createLabeledStatement(label as TS.Identifier, expressionStatement);
  return ts.setTextRange(factory.createBlock([inner], false), node);
}

/** `let;` */
export function letStatement(ts: typeof TS, factory: TS.NodeFactory, node: TS.VariableStatement): TS.Statement {
  return ts.setTextRange(factory.createExpressionStatement(factory.createIdentifier('let')), node);
}

/**
 * The misread `let` inside `statement`'s chain of single-statement positions (`if (a) while (b)
 * let`), whose JavaScript remainder then follows `statement` itself.
 */
export function misparsedLetWithin(ts: typeof TS, statement: TS.Statement): TS.VariableStatement | undefined {
  if (!isInStatementList(ts, statement)) return undefined;
  const inner = (node: TS.Statement): TS.VariableStatement | undefined => {
    if (ts.isVariableStatement(node)) return misparsedLet(ts, node);
    // A `do` body is followed by its `while`: nothing could come after the `let` there.
    if (ts.isDoStatement(node)) return undefined;
    if (ts.isIfStatement(node)) return node.elseStatement === undefined ? inner(node.thenStatement) : inner(node.elseStatement);
    if (ts.isIterationStatement(node, false) || ts.isLabeledStatement(node) || ts.isWithStatement(node)) return inner(node.statement);
    return undefined;
  };
  return ts.isVariableStatement(statement) ? undefined : inner(statement);
}

/** Where the `let` can only be a statement ended by a line break: a cheap test before any walk. */
export const mayMisparseLet = (text: string): boolean => /\blet[ \t]*(?:[\n\r\u2028\u2029]|\/[*/])/.test(text);

function isInStatementList(ts: typeof TS, statement: TS.Node): boolean {
  const parent = statement.parent;
  return (
    parent !== undefined &&
    (ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseOrDefaultClause(parent) || ts.isModuleBlock(parent))
  );
}

function commaList(factory: TS.NodeFactory, expressions: TS.Expression[]): TS.Expression {
  return expressions.length === 1 ? expressions[0]! : factory.createCommaListExpression(expressions);
}
