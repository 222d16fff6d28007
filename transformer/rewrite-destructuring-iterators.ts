/**
 * Array destructuring steps an iterator, and closes it (its `return`) when a default fails. A
 * default that awaits and rejects (or a `yield` resumed by `return()`) resumes the activation
 * without the slot, so a generator being destructured would close in the caller's context. Such a
 * pattern destructures through `closeInContext`, as a `for…of` loop whose body suspends does
 * (rewrite-for-of-iterators.ts):
 *
 *   const [first = await load()] = rows();
 *   →
 *   const [first = (…await…)] = __logmill.closeInContext(rows(), __logmillContext);
 *
 *   [first = await load()] = rows();
 *   →
 *   [first = (…await…)] = __logmill.closeInContext(rows(), __logmillContext);   (a statement)
 *
 * Only a pattern's own source can be wrapped: an array pattern nested in another pattern, or in a
 * `for…of` head, destructures a value the rewrite never sees as an expression, and stays as written;
 * so does an assignment whose value is used (it would be the wrapper instead of the source).
 */
import type * as TS from 'typescript';
import { suspendsWithin } from './analysis.js';
import type { Emit } from './emit.js';

/** `const [a = await x] = source`: an array pattern whose own elements can suspend. */
export function destructuresAcrossSuspension(ts: typeof TS, node: TS.Node): node is TS.VariableDeclaration & { initializer: TS.Expression } {
  return ts.isVariableDeclaration(node) && node.initializer !== undefined && ts.isArrayBindingPattern(node.name) && suspendsWithin(ts, node.name);
}

/**
 * `[a = await x] = source;`: an array assignment pattern whose own elements can suspend, as a
 * statement. (An assignment's value is its source, so one whose value is used stays as written.)
 */
export function assignsAcrossSuspension(ts: typeof TS, node: TS.Node): node is TS.AssignmentExpression<TS.EqualsToken> {
  return (
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isArrayLiteralExpression(node.left) &&
    ts.isExpressionStatement(ts.getOriginalNode(node).parent) &&
    suspendsWithin(ts, node.left)
  );
}

export function rewriteDestructuringSource(emit: Emit, node: TS.VariableDeclaration | TS.BinaryExpression): TS.VariableDeclaration | TS.BinaryExpression {
  const { ts, factory } = emit;
  if (ts.isVariableDeclaration(node)) {
    const source = emit.hook('closeInContext', [node.initializer!, emit.context()]);
    return factory.updateVariableDeclaration(node, node.name, node.exclamationToken, node.type, source);
  }
  return factory.updateBinaryExpression(node, node.left, node.operatorToken, emit.hook('closeInContext', [node.right, emit.context()]));
}
