/**
 * A call from an instrumented activation to a function the checker proves is an instrumented async
 * function taking the hidden parameter passes the context explicitly, padding omitted arguments.
 *
 *   await load(id)        →  await load(id, void 0, __logmillContext)     // load(id, options = {})
 *   await this.#save(x)   →  await this.#save(x, __logmillContext)
 *
 * Only callees that cannot be swapped at run time qualify: function declarations, `const` bindings
 * initialised with an async function (also through imports), and `#private` methods. Other calls,
 * spread arguments and calls passing more arguments than the callee declares stay as written. The
 * extra argument is invisible even to a callee that ends up uninstrumented: such a callee has no
 * rest parameter and never reads `arguments`.
 */
import type * as TS from 'typescript';
import { type FunctionWithBody, isAsyncFunction, runtimeParameters } from './analysis.js';
import type { Emit } from './emit.js';

/** The expression under parentheses, `as`, `!`, `satisfies` and `<T>` assertions. */
export function skipOuterExpressions(ts: typeof TS, node: TS.Expression): TS.Expression {
  while (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isTypeAssertionExpression(node)
  ) {
    node = node.expression;
  }
  return node;
}

function declarationWithBody(ts: typeof TS, symbol: TS.Symbol): FunctionWithBody | undefined {
  for (const declaration of symbol.declarations ?? []) {
    if (ts.isFunctionDeclaration(declaration) && declaration.body !== undefined) return declaration;
    if (ts.isMethodDeclaration(declaration) && declaration.body !== undefined) return declaration;
    if (
      ts.isVariableDeclaration(declaration) &&
      (ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const) !== 0 &&
      declaration.initializer !== undefined
    ) {
      const initializer = skipOuterExpressions(ts, declaration.initializer);
      if (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) return initializer;
    }
  }
  return undefined;
}

/** The function this call provably invokes, if it is one that cannot be replaced at run time. */
export function provenCallee(ts: typeof TS, checker: TS.TypeChecker, call: TS.CallExpression): FunctionWithBody | undefined {
  const callee = skipOuterExpressions(ts, call.expression);
  let symbol: TS.Symbol | undefined;
  if (ts.isIdentifier(callee)) {
    symbol = checker.getSymbolAtLocation(callee);
    if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) symbol = checker.getAliasedSymbol(symbol);
  } else if (ts.isPropertyAccessExpression(callee) && ts.isPrivateIdentifier(callee.name)) {
    symbol = checker.getSymbolAtLocation(callee.name);
  }
  if (symbol === undefined) return undefined;
  const declaration = declarationWithBody(ts, symbol);
  if (declaration === undefined || !isAsyncFunction(ts, declaration)) return undefined;
  if (ts.isMethodDeclaration(declaration) && !ts.isPrivateIdentifier(declaration.name)) return undefined;
  if (declaration.getSourceFile().isDeclarationFile) return undefined;
  return declaration;
}

export function passContext(
  emit: Emit,
  call: TS.CallExpression,
  callee: FunctionWithBody,
): TS.CallExpression {
  const { ts, factory } = emit;
  const declared = runtimeParameters(ts, callee).length;
  if (call.arguments.length > declared || call.arguments.some((argument) => ts.isSpreadElement(argument))) return call;
  const padding = Array.from({ length: declared - call.arguments.length }, () => emit.undefinedValue());
  const args = [...call.arguments, ...padding, emit.context()];
  return ts.isCallChain(call)
    ? factory.updateCallChain(call, call.expression, call.questionDotToken, call.typeArguments, args)
    : factory.updateCallExpression(call, call.expression, call.typeArguments, args);
}
