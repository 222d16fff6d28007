/**
 * Hands the ambient slot back whenever an instrumented activation suspends, and takes it again when
 * it resumes, so that no other task's code ever runs with this activation's context.
 *
 *   await x       →  __logmill.resume(await __logmill.suspend(x, __logmillOuter), __logmillContext,
 *                                     __logmillOuter = __logmill.ambientSlot())
 *   yield x       →  the same around `yield` (async generators only; `yield*` too)
 *   return x      →  return __logmill.suspend(x, __logmillOuter)      (async generators: return awaits)
 */
import type * as TS from 'typescript';
import type { Emit } from './emit.js';

function aroundSuspension(emit: Emit, operand: TS.Expression, suspendWith: (value: TS.Expression) => TS.Expression) {
  const { factory } = emit;
  return emit.hook('resume', [
    suspendWith(emit.hook('suspend', [operand, emit.outer()])),
    emit.context(),
    factory.createAssignment(emit.outer(), emit.hook('ambientSlot', [])),
  ]);
}

export function rewriteAwait(emit: Emit, node: TS.AwaitExpression): TS.Expression {
  const rewritten = aroundSuspension(emit, node.expression, (value) => emit.factory.createAwaitExpression(value));
  return emit.ts.setTextRange(rewritten, node);
}

export function rewriteYield(emit: Emit, node: TS.YieldExpression): TS.Expression {
  const operand = node.expression ?? emit.undefinedValue();
  const rewritten = aroundSuspension(emit, operand, (value) =>
    node.asteriskToken !== undefined
      ? emit.factory.createYieldExpression(emit.factory.createToken(emit.ts.SyntaxKind.AsteriskToken), value)
      : emit.factory.createYieldExpression(undefined, value),
  );
  return emit.ts.setTextRange(rewritten, node);
}

export function rewriteAsyncGeneratorReturn(emit: Emit, node: TS.ReturnStatement): TS.ReturnStatement {
  if (node.expression === undefined) return node;
  return emit.factory.updateReturnStatement(node, emit.hook('suspend', [node.expression, emit.outer()]));
}
