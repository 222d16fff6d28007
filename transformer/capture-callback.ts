/**
 * A synchronous function or arrow created in instrumented code and handed to other code keeps its
 * creation context, wherever it is later called from (like `AsyncContext.Snapshot.wrap`).
 *
 *   emitter.on('data', (chunk) => handle(chunk))
 *   →
 *   emitter.on('data', (chunk) => {
 *     const __logmillOuter = __logmill.enterCallback(__logmillScope0);
 *     try { return handle(chunk); } finally { __logmill.restore(__logmillOuter); }
 *   })
 */
import type * as TS from 'typescript';
import { names } from './analysis.js';
import type { Emit } from './emit.js';
import { updateFunction } from './instrument-async-function.js';
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
  const exit = factory.createExpressionStatement(emit.hook('restore', [emit.outer()]));
  // A synchronous callback: the ambient context is its own when it throws.
  const body = wrapBody(emit, fn.body, [entry], { inFinally: exit }, []);
  return updateFunction(ts, factory, fn, fn.parameters, body) as TS.FunctionExpression | TS.ArrowFunction;
}
