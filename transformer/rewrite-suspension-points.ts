/**
 * Hands the ambient slot back whenever an instrumented activation suspends, and takes it again when
 * it resumes, so that no other task's code ever runs with this activation's context. The slot is
 * written inline (no calls) because this is the hottest path of all.
 *
 *   await x   →  (__logmillAwaited = x, __logmillSlot.current = __logmillOuter,
 *                 __logmillAwaited = await __logmillAwaited,
 *                 __logmillOuter = __logmillSlot.current, __logmillSlot.current = __logmillContext,
 *                 __logmillAwaited)
 *   yield x   →  the same around `yield` (async generators only; `yield*` too, whose delegate then
 *                runs its steps inside the `yield*` without the slot, so its operand becomes
 *                `__logmill.asyncIterableInContext(x, __logmillContext)`: its methods run in this
 *                context; arrays and strings, whose iterators run no code of the program, stay, and
 *                so do calls to instrumented async generators, whose steps take the slot themselves)
 *   return x  →  return (__logmillAwaited = x, __logmillSlot.current = __logmillOuter, __logmillAwaited)
 *                (async generators, where `return` awaits its operand)
 *
 * The operand is evaluated before the slot is handed back, so calls in it still see this context;
 * an await nested in the operand finishes with its own use of `__logmillAwaited` before the outer
 * assignment happens.
 */
import type * as TS from 'typescript';
import type { Emit } from './emit.js';

/** `(__logmillAwaited = operand, __logmillSlot.current = __logmillOuter, <then...>)` */
export function handBack(emit: Emit, operand: TS.Expression, then: readonly TS.Expression[]): TS.Expression {
  const { factory } = emit;
  return factory.createParenthesizedExpression(
    factory.createCommaListExpression([
      factory.createAssignment(emit.awaited(), unnamed(emit, operand)),
      emit.assignSlot(emit.outer()),
      ...then,
    ]),
  );
}

/**
 * An anonymous function or class assigned to a name takes the name (`return () => {}` would
 * return a function named `__logmillAwaited`): `(0, …)` keeps it anonymous, as written.
 */
function unnamed(emit: Emit, operand: TS.Expression): TS.Expression {
  const { ts, factory } = emit;
  let inner = operand;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  const anonymous = ts.isArrowFunction(inner) || ((ts.isFunctionExpression(inner) || ts.isClassExpression(inner)) && inner.name === undefined);
  return anonymous ? factory.createParenthesizedExpression(factory.createComma(factory.createNumericLiteral(0), operand)) : operand;
}

function aroundSuspension(emit: Emit, operand: TS.Expression, suspend: (value: TS.Expression) => TS.Expression) {
  const { factory } = emit;
  return handBack(emit, operand, [
    factory.createAssignment(emit.awaited(), suspend(emit.awaited())),
    factory.createAssignment(emit.outer(), emit.slot()),
    emit.assignSlot(emit.context()),
    emit.awaited(),
  ]);
}

export function rewriteAwait(emit: Emit, node: TS.AwaitExpression): TS.Expression {
  // The engine places an async stack frame (`at async load (file:line:column)`) at the `await`
  // itself: the generated one maps back to the written one, not to whatever precedes it.
  const rewritten = aroundSuspension(emit, node.expression, (value) => emit.ts.setSourceMapRange(emit.factory.createAwaitExpression(value), node));
  return emit.ts.setTextRange(rewritten, node);
}

/** `yield*`'s operand or `for await`'s iterable, stepped in this activation's context. */
export function inContext(emit: Emit, iterable: TS.Expression): TS.Expression {
  return emit.hook('asyncIterableInContext', [iterable, emit.context()]);
}

/** `stepsOnItsOwn`: a `yield*` operand known to be an array, a string or an instrumented async generator, left as written. */
export function rewriteYield(emit: Emit, node: TS.YieldExpression, stepsOnItsOwn: boolean): TS.Expression {
  const delegates = node.asteriskToken !== undefined && node.expression !== undefined && !stepsOnItsOwn;
  const operand = delegates ? inContext(emit, node.expression!) : (node.expression ?? emit.undefinedValue());
  const rewritten = aroundSuspension(emit, operand, (value) =>
    node.asteriskToken !== undefined
      ? emit.factory.createYieldExpression(emit.factory.createToken(emit.ts.SyntaxKind.AsteriskToken), value)
      : emit.factory.createYieldExpression(undefined, value),
  );
  return emit.ts.setTextRange(rewritten, node);
}

export function rewriteAsyncGeneratorReturn(emit: Emit, node: TS.ReturnStatement): TS.ReturnStatement {
  if (node.expression === undefined) return node;
  return emit.factory.updateReturnStatement(node, handBack(emit, node.expression, [emit.awaited()]));
}
