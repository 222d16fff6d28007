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

/**
 * The source to destructure through `closeInContext`, when `node` is an array pattern whose own
 * elements can suspend: `const [a = await x] = source`, or `[a = await x] = source;` as a statement
 * (an assignment's value is its source, so one whose value is used stays as written).
 */
export function destructuringSourceAcrossSuspension(ts: typeof TS, node: TS.Node): TS.Expression | undefined {
  if (ts.isVariableDeclaration(node)) {
    return node.initializer !== undefined && ts.isArrayBindingPattern(node.name) && suspendsWithin(ts, node.name) ? node.initializer : undefined;
  }
  const assigns =
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isArrayLiteralExpression(node.left) &&
    ts.isExpressionStatement(ts.getOriginalNode(node).parent) &&
    suspendsWithin(ts, node.left);
  return assigns ? node.right : undefined;
}

/** The declaration or assignment (already visited) with its source through `closeInContext`. */
export function rewriteDestructuringSource(emit: Emit, node: TS.VariableDeclaration | TS.BinaryExpression): TS.VariableDeclaration | TS.BinaryExpression {
  const { ts, factory } = emit;
  const closing = (source: TS.Expression) => emit.hook('closeInContext', [source, emit.context()]);
  return ts.isVariableDeclaration(node)
    ? factory.updateVariableDeclaration(node, node.name, node.exclamationToken, node.type, closing(node.initializer!))
    : factory.updateBinaryExpression(node, node.left, node.operatorToken, closing(node.right));
}
