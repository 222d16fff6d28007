/**
 * An activation whose code cannot run anything after a `return` has evaluated its operand gives the
 * slot back at each return instead of in a `finally` block, which V8 runs markedly faster (a `finally`
 * that a `return` passes through costs about 0.15x of a plain async call in Chromium):
 *
 *   return x;   →  return (__logmillAwaited = x, __logmillSlot.current = __logmillOuter, __logmillAwaited);
 *   return;     →  { __logmillSlot.current = __logmillOuter; return; }
 *   end of body →  __logmillSlot.current = __logmillOuter;
 *
 * and its `catch` gives the slot back before rethrowing (see wrap-body.ts). When the last thing an
 * activation does is an await, it hands the slot back once, before suspending, and does not take it
 * again: after it resumes it only returns, so the slot may keep whatever the resuming code had.
 *
 *   return await x;        →  return (__logmillAwaited = x, __logmillSlot.current = __logmillOuter, await __logmillAwaited);
 *   await x;  (the body's last statement)  →  (__logmillAwaited = x, __logmillSlot.current = __logmillOuter, await __logmillAwaited);
 * The operand is evaluated
 * first, so calls in it still see this context. Functions with a `finally` block of their own, a
 * `for…of` loop (leaving one calls the iterator's `return()`), or a `using` declaration keep the
 * `finally` form: their code can run after a return.
 */
import type * as TS from 'typescript';
import type { Emit } from './emit.js';
import { handBack } from './rewrite-suspension-points.js';

/** Whether nothing of the function's own code can run between a `return` and the function's exit. */
export function runsNothingAfterReturn(ts: typeof TS, body: TS.ConciseBody): boolean {
  // A body of the parse tree whose text spells none of the keywords has none of the statements.
  if (ts.getParseTreeNode(body) === body && body.pos >= 0) {
    const text = body.getSourceFile()?.text.slice(body.pos, body.end);
    if (text !== undefined && !/finally|for|using|\\u/.test(text)) return true;
  }
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return;
    if (
      (ts.isTryStatement(node) && node.finallyBlock !== undefined) ||
      ts.isForOfStatement(node) ||
      (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.Using) !== 0)
    ) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return !found;
}

/** The await a `return await x` or a final `await x;` suspends at, if the statement is one. */
export function finalAwait(ts: typeof TS, statement: TS.Statement): TS.AwaitExpression | undefined {
  const expression = ts.isReturnStatement(statement) || ts.isExpressionStatement(statement) ? statement.expression : undefined;
  if (expression === undefined) return undefined;
  let inner: TS.Expression = expression;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  return ts.isAwaitExpression(inner) ? inner : undefined;
}

/**
 * `return await x` or a final `await x;`, given the await's operand already visited. The generated
 * `await` maps back to the written one (`awaited`), where async stack frames point.
 */
export function rewriteFinalAwait(emit: Emit, statement: TS.ReturnStatement | TS.ExpressionStatement, operand: TS.Expression, awaited: TS.AwaitExpression): TS.Statement {
  const { factory, ts } = emit;
  const suspended = handBack(emit, operand, [ts.setSourceMapRange(factory.createAwaitExpression(emit.awaited()), awaited)]);
  return ts.isReturnStatement(statement)
    ? factory.updateReturnStatement(statement, suspended)
    : factory.updateExpressionStatement(statement, suspended);
}

export function rewriteReturn(emit: Emit, node: TS.ReturnStatement): TS.Statement {
  const { factory, ts } = emit;
  if (node.expression === undefined) {
    return ts.setTextRange(factory.createBlock([factory.createExpressionStatement(emit.assignSlot(emit.outer())), node], false), node);
  }
  return factory.updateReturnStatement(node, handBack(emit, node.expression, [emit.awaited()]));
}

/** The statement that ends a body that falls off its end. */
export function exitStatement(emit: Emit): TS.Statement {
  return emit.factory.createExpressionStatement(emit.assignSlot(emit.outer()));
}
