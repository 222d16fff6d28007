/**
 * Every async function, arrow, method and async generator gets its own context.
 *
 *   async function load(id, options = {}) { body }
 *   →
 *   async function load(id, options = {}, __logmillContext = void 0) {
 *     __logmillContext = __logmill.enter(__logmillFrame0, __logmillContext, __logmillScope0);
 *     const __logmillScope1 = __logmillContext;        // only when functions inside capture it (`let` when identify() switches it)
 *     const __logmillSlot = __logmill.slot;
 *     let __logmillOuter = __logmillSlot.current, __logmillAwaited;   // the temporary only if it suspends
 *     __logmillSlot.current = __logmillContext;
 *     try { body }
 *     finally { if (__logmillSlot.current === __logmillContext) __logmillSlot.current = __logmillOuter; }
 *   }
 *
 * or, when nothing of the body can run after a return (rewrite-returns.ts), with each return handing
 * the slot back itself, so that a `finally` still finding it taken knows a throw is unwinding:
 *
 *     try { body (each return hands the slot back); __logmillSlot.current = __logmillOuter; }
 *     finally { if (__logmillSlot.current === __logmillContext) __logmill.leave(__logmillOuter); }
 *
 * No `catch` (see wrap-body.ts): debuggers pausing on caught exceptions stay as quiet as in the plain build.
 * The exit check matters after a rejected await: the activation resumed without taking the slot,
 * so the slot already holds whatever the resuming code had, and must be left alone.
 *
 * The hidden parameter has a default so `fn.length` is unchanged. In async generators the default is
 * `__logmill.callerContext(__logmillScope0)`: parameters are bound at the call, the body runs only
 * at the first `next()`, so the context is taken where the call was made. Functions that cannot take it
 * invisibly (see `canTakeHiddenParameter`) declare `let __logmillContext = __logmill.enter(frame,
 * void 0, lexical)` instead (`let`: `identify()` switches the activation to a new context). `__logmillScope0` is the lexically enclosing activation's context, or
 * `void 0` at the top level; `enter(...)` becomes `inherit(...)` without frames (`stack: false`).
 */
import type * as TS from 'typescript';
import { type FunctionWithBody, names } from './analysis.js';
import type { Emit } from './emit.js';
import { exitStatement, rewriteReturn } from './rewrite-returns.js';
import { wrapBody } from './wrap-body.js';

export interface ActivationPlan {
  /** The hoisted frame record's name, or undefined without frames. */
  frameName: string | undefined;
  hiddenParameter: boolean;
  /** The enclosing activation's scope alias, if any. */
  lexicalScope: string | undefined;
  /** This activation's own scope alias, declared when nested functions captured it. */
  ownScope: string | undefined;
  /**
   * Whether the body calls `identify()`: the scope alias switches with the context (a `let` then),
   * and the slot is `__logmill.mirroredSlot()`, which mirrors its writes into AsyncLocalStorage.
   */
  identifies?: boolean;
  /** Whether a rewrite in the body (a suspension point, a return) needs `__logmillAwaited`. */
  usesTemporary: boolean;
  /** Whether the body's returns give the slot back (rewrite-returns.ts), so no `finally` is needed. */
  exitsAtReturns: boolean;
  /** Whether the body ends in a final `await x;` that already gave the slot back. */
  endsSuspended: boolean;
}

export function instrumentAsyncFunction(emit: Emit, fn: FunctionWithBody, plan: ActivationPlan): FunctionWithBody {
  const { ts, factory } = emit;
  const lexicalScope = () => (plan.lexicalScope === undefined ? emit.undefinedValue() : factory.createIdentifier(plan.lexicalScope));
  const lexical = lexicalScope();
  const hidden = plan.hiddenParameter ? emit.context() : emit.undefinedValue();
  const entered =
    plan.frameName === undefined
      ? emit.hook('inherit', [hidden, lexical])
      : emit.hook('enter', [factory.createIdentifier(plan.frameName), hidden, lexical]);

  const entry: TS.Statement[] = [
    plan.hiddenParameter
      ? factory.createExpressionStatement(factory.createAssignment(emit.context(), entered))
      : constant(emit, names.context, entered, ts.NodeFlags.Let),
  ];
  if (plan.ownScope !== undefined) entry.push(constant(emit, plan.ownScope, emit.context(), plan.identifies ? ts.NodeFlags.Let : ts.NodeFlags.Const));
  entry.push(
    constant(
      emit,
      names.slot,
      // The user an activation identifies must also reach what library code it calls schedules.
      plan.identifies ? emit.hook('mirroredSlot', []) : factory.createPropertyAccessExpression(factory.createIdentifier(names.runtime), 'slot'),
      ts.NodeFlags.Const,
    ),
  );
  const declarations = [factory.createVariableDeclaration(names.outer, undefined, undefined, emit.slot())];
  // A concise body becomes a return here, after the walk, so it is handed back here too.
  const conciseReturn = plan.exitsAtReturns && !ts.isBlock(fn.body!);
  if (plan.usesTemporary || conciseReturn) declarations.push(factory.createVariableDeclaration(names.awaited));
  entry.push(
    factory.createVariableStatement(undefined, factory.createVariableDeclarationList(declarations, ts.NodeFlags.Let)),
    factory.createExpressionStatement(emit.assignSlot(emit.context())),
  );
  // After a rejected await the slot may hold the resumer's context: give it back only if it is ours.
  // When the returns gave it back already, finding it still ours means a throw is unwinding: `leave`
  // hands it back and notes the context for `contextOfThrown`.
  const guardedExit = factory.createIfStatement(
    factory.createStrictEquality(emit.slot(), emit.context()),
    plan.exitsAtReturns
      ? factory.createExpressionStatement(emit.hook('leave', [emit.outer()]))
      : factory.createExpressionStatement(emit.assignSlot(emit.outer())),
  );
  let source = fn.body!;
  if (conciseReturn) source = factory.createBlock([rewriteReturn(emit, factory.createReturnStatement(source as TS.Expression))], true);
  const body = wrapBody(emit, source, entry, {
    inFinally: guardedExit,
    atEnd: plan.exitsAtReturns && !plan.endsSuspended ? exitStatement(emit) : undefined,
  });

  // A generator's parameters are bound at the call, its body only runs at the first `next()`:
  // the default pins the context of the call, as for any other async function.
  const hiddenDefault = fn.asteriskToken === undefined ? emit.undefinedValue() : emit.hook('callerContext', [lexicalScope()]);
  const parameters = plan.hiddenParameter
    ? [...fn.parameters, factory.createParameterDeclaration(undefined, undefined, names.context, undefined, undefined, hiddenDefault)]
    : fn.parameters;
  return updateFunction(ts, factory, fn, parameters, body);
}

/**
 * Parameter defaults run in the parameter list's own scope, where the hidden `__logmillContext`
 * (declared last, so not yet initialised) shadows the enclosing activation's. What the walk wrote
 * there for the enclosing activation (the context passed to a proven callee, a log call's caller
 * context) reads that activation's scope alias instead, which holds the same context:
 *
 *   async function inner(x = load(1, __logmillContext), __logmillContext = void 0)   // ReferenceError at the call
 *   →
 *   async function inner(x = load(1, __logmillScope0), __logmillContext = void 0)
 *
 * Functions inside the defaults keep their own names (an async one has its own hidden parameter).
 */
export function parametersReadingScope(emit: Emit, fn: FunctionWithBody, scope: string): FunctionWithBody {
  const { ts, factory } = emit;
  const visit = (node: TS.Node): TS.Node => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return node;
    if (ts.isIdentifier(node) && node.text === names.context && ts.getParseTreeNode(node) === undefined) return factory.createIdentifier(scope);
    return ts.visitEachChild(node, visit, undefined);
  };
  const parameters = fn.parameters.map((parameter) => ts.visitNode(parameter, visit, ts.isParameter));
  if (parameters.every((parameter, index) => parameter === fn.parameters[index])) return fn;
  if (ts.isArrowFunction(fn)) return factory.updateArrowFunction(fn, fn.modifiers, fn.typeParameters, parameters, fn.type, fn.equalsGreaterThanToken, fn.body);
  return updateFunction(ts, factory, fn, parameters, fn.body as TS.Block);
}

function constant(emit: Emit, name: string, value: TS.Expression, flags: TS.NodeFlags): TS.Statement {
  const { factory } = emit;
  return factory.createVariableStatement(
    undefined,
    factory.createVariableDeclarationList([factory.createVariableDeclaration(name, undefined, undefined, value)], flags),
  );
}

export function updateFunction(
  ts: typeof TS,
  factory: TS.NodeFactory,
  fn: FunctionWithBody,
  parameters: readonly TS.ParameterDeclaration[],
  body: TS.Block,
): FunctionWithBody {
  if (ts.isFunctionDeclaration(fn)) {
    return factory.updateFunctionDeclaration(
      fn, fn.modifiers, fn.asteriskToken, fn.name, fn.typeParameters, parameters, fn.type, body,
    );
  }
  if (ts.isFunctionExpression(fn)) {
    return factory.updateFunctionExpression(
      fn, fn.modifiers, fn.asteriskToken, fn.name, fn.typeParameters, parameters, fn.type, body,
    );
  }
  if (ts.isArrowFunction(fn)) {
    return factory.updateArrowFunction(
      fn, fn.modifiers, fn.typeParameters, parameters, fn.type, fn.equalsGreaterThanToken, body,
    );
  }
  return factory.updateMethodDeclaration(
    fn, fn.modifiers, fn.asteriskToken, fn.name, fn.questionToken, fn.typeParameters, parameters, fn.type, body,
  );
}
