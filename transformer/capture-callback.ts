/**
 * A synchronous function or arrow created in instrumented code and handed to other code keeps its
 * creation context, wherever it is later called from (like `AsyncContext.Snapshot.wrap`).
 *
 *   emitter.on('data', (chunk) => handle(chunk))
 *   →
 *   emitter.on('data', (chunk) => {
 *     const __logmillOuter = __logmill.enterCallback(__logmillScope0);
 *     try { return __logmill.restore(__logmillOuter, handle(chunk)); } finally { __logmill.leave(__logmillOuter); }
 *   })
 *
 * Each return (and the end of the body) gives the slot back itself, so the `finally` finding it
 * still taken knows a throw unwinds the callback and notes where for `contextOfThrown` (there is
 * no `catch`: see wrap-body.ts). A callback whose code can run after a return (its own `finally`,
 * a `for…of` loop, `using`) keeps `finally { __logmill.restore(__logmillOuter); }` alone.
 */
import type * as TS from 'typescript';
import { names } from './analysis.js';
import type { Emit } from './emit.js';
import { updateFunction } from './instrument-async-function.js';
import { runsNothingAfterReturn } from './rewrite-returns.js';
import { wrapBody } from './wrap-body.js';

/** True for a function expression or arrow passed directly as an argument of a call or `new`. */
export function isCallbackArgument(ts: typeof TS, node: TS.Node): node is TS.FunctionExpression | TS.ArrowFunction {
  if (!ts.isFunctionExpression(node) && !ts.isArrowFunction(node)) return false;
  if (node.asteriskToken !== undefined) return false;
  let child: TS.Node = node;
  let parent = node.parent;
  while (parent !== undefined && ts.isParenthesizedExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  return (
    parent !== undefined &&
    (ts.isCallExpression(parent) || ts.isNewExpression(parent)) &&
    (parent.arguments?.includes(child as TS.Expression) ?? false)
  );
}

export function captureCallback(
  emit: Emit,
  fn: TS.FunctionExpression | TS.ArrowFunction,
  creationScope: string,
): TS.FunctionExpression | TS.ArrowFunction {
  const { ts, factory } = emit;
  const entry = factory.createVariableStatement(
    undefined,
    factory.createVariableDeclarationList(
      [
        factory.createVariableDeclaration(
          names.outer,
          undefined,
          undefined,
          emit.hook('enterCallback', [factory.createIdentifier(creationScope)]),
        ),
      ],
      ts.NodeFlags.Const,
    ),
  );
  const restore = (value?: TS.Expression) => emit.hook('restore', value === undefined ? [emit.outer()] : [emit.outer(), value]);
  if (!runsNothingAfterReturn(ts, fn.body)) {
    const body = wrapBody(emit, fn.body, [entry], { inFinally: factory.createExpressionStatement(restore()) });
    return updateFunction(ts, factory, fn, fn.parameters, body) as TS.FunctionExpression | TS.ArrowFunction;
  }
  const source = ts.isBlock(fn.body) ? returnsGiveBack(emit, fn.body, restore) : factory.createBlock([factory.createReturnStatement(restore(fn.body))], true);
  const body = wrapBody(emit, source, [entry], {
    inFinally: factory.createExpressionStatement(emit.hook('leave', [emit.outer()])),
    atEnd: factory.createExpressionStatement(restore()),
  });
  return updateFunction(ts, factory, fn, fn.parameters, body) as TS.FunctionExpression | TS.ArrowFunction;
}

/** `return x` → `return __logmill.restore(__logmillOuter, x)` for the callback's own returns. */
function returnsGiveBack(emit: Emit, body: TS.Block, restore: (value?: TS.Expression) => TS.Expression): TS.Block {
  const { ts, factory } = emit;
  const visit = (node: TS.Node): TS.Node => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return node;
    if (ts.isReturnStatement(node)) return factory.updateReturnStatement(node, restore(node.expression));
    return ts.visitEachChild(node, visit, undefined);
  };
  return ts.visitEachChild(body, visit, undefined);
}
