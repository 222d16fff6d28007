/**
 * What the rewrite needs to know about a call, answered by the type checker (ts-patch, tspc,
 * `logmill instrument`) or by reading the source alone (bundler plugins, see
 * `syntactic-call-resolver.ts`). Either way an answer is only given when it is proven: a call it
 * cannot prove stays as written and its callee reads the ambient context instead.
 */
import type * as TS from 'typescript';
import type { FunctionWithBody } from './analysis.js';
import { provenCallee } from './pass-context.js';
import { type AnalyticCall, analyticCall, isModuleFieldsCall, loggerCallSeverity } from './stamp-log-calls.js';

export interface CallResolver {
  /** The async function this call provably invokes, if it is one that cannot be replaced at run time. */
  provenCallee(call: TS.CallExpression): FunctionWithBody | undefined;
  /** The severity of a call to a Logmill logger's level method, or undefined for any other call. */
  loggerCallSeverity(call: TS.CallExpression): number | undefined;
  /** Whether this is Logmill's `moduleFields(fields)`. */
  isModuleFieldsCall(call: TS.CallExpression): boolean;
  /** Which of Logmill's `event`, `identify` and `experiment` this calls, if any. */
  analyticCall(call: TS.CallExpression): AnalyticCall | undefined;
  /**
   * Whether iterating this expression (`for…of`, `for await`, `yield*`) calls only the built-in
   * iterator of an array or a string: the iterator's calls are the implicit ones the rewrite asks about.
   */
  iteratesBuiltIn(expression: TS.Expression): boolean;
}

/** The checker's answers: calls through any binding, logger variables of any shape, imports everywhere. */
export function checkerCallResolver(ts: typeof TS, checker: TS.TypeChecker): CallResolver {
  return {
    provenCallee: (call) => provenCallee(ts, checker, call),
    loggerCallSeverity: (call) => loggerCallSeverity(ts, checker, call),
    isModuleFieldsCall: (call) => isModuleFieldsCall(ts, checker, call),
    analyticCall: (call) => analyticCall(ts, checker, call),
    iteratesBuiltIn: (expression) => isArrayOrString(ts, checker, checker.getTypeAtLocation(expression)),
  };
}

function isArrayOrString(ts: typeof TS, checker: TS.TypeChecker, type: TS.Type): boolean {
  if (type.isUnion()) return type.types.every((member) => isArrayOrString(ts, checker, member));
  if ((type.flags & ts.TypeFlags.StringLike) !== 0) return true;
  return checker.isArrayType(type) || checker.isTupleType(type);
}
