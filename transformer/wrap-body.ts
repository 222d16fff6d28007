/**
 * The shape both function rewrites share: directives stay first, then the entry statements, then the
 * original statements inside `try`; a `catch` that notes where an error was thrown and rethrows
 * the same value; the exit either in `finally`, or at the end of the `try` block and in the `catch`
 * when the body's returns give the slot back themselves (rewrite-returns.ts).
 *
 *   { 'use strict'; a(); return b; }   →   { 'use strict'; ENTRY; try { a(); return b; }
 *                                             catch (__logmillError) { throw __logmill.thrown(__logmillError, CONTEXT); }
 *                                             finally { EXIT } }
 *   (concise) => expression           →   { ENTRY; try { return expression; } catch … finally { EXIT } }
 *
 *   with { atEnd, onError }            →   { ENTRY; try { a(); return b; AT_END }
 *                                             catch (__logmillError) { ON_ERROR; throw … } }
 */
import type * as TS from 'typescript';
import { names } from './analysis.js';
import type { Emit } from './emit.js';

/** Where the exit goes: a `finally` block, or the end of the body plus the error path. */
export type Exit = { readonly inFinally: TS.Statement } | { readonly atEnd: TS.Statement | undefined; readonly onError: TS.Statement };

export function wrapBody(
  emit: Emit,
  body: TS.ConciseBody,
  entry: readonly TS.Statement[],
  exit: Exit,
  /** Arguments after the error for `thrown`: the activation's context, or none for the ambient one. */
  thrownArguments: readonly TS.Expression[],
): TS.Block {
  const { ts, factory } = emit;
  const statements = ts.isBlock(body) ? body.statements : [factory.createReturnStatement(body as TS.Expression)];
  let directiveCount = 0;
  while (directiveCount < statements.length) {
    const statement = statements[directiveCount]!;
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) break;
    directiveCount++;
  }
  const own = statements.slice(directiveCount);
  const last = own[own.length - 1];
  // A body that ends in a return or a throw never reaches the end, so nothing is appended.
  const reachesEnd = last === undefined || !(ts.isReturnStatement(last) || ts.isThrowStatement(last) || endsInReturn(ts, last));
  const tryBlock = factory.createBlock('atEnd' in exit && exit.atEnd !== undefined && reachesEnd ? [...own, exit.atEnd] : own, true);
  const error = factory.createIdentifier(names.error);
  // The innermost instrumented activation an error leaves records itself as where it was thrown,
  // for uncaught-error reports; the same value is rethrown, so nothing else changes.
  const rethrow = factory.createThrowStatement(emit.hook('thrown', [error, ...thrownArguments]));
  const catchClause = factory.createCatchClause(
    names.error,
    factory.createBlock('onError' in exit ? [exit.onError, rethrow] : [rethrow], true),
  );
  const block = factory.createBlock(
    [
      ...statements.slice(0, directiveCount),
      ...entry,
      factory.createTryStatement(tryBlock, catchClause, 'inFinally' in exit ? factory.createBlock([exit.inFinally], true) : undefined),
    ],
    true,
  );
  return ts.setTextRange(block, body);
}

/** A `{ …; return; }` block made by rewrite-returns.ts also ends the body. */
function endsInReturn(ts: typeof TS, statement: TS.Statement): boolean {
  if (!ts.isBlock(statement)) return false;
  const last = statement.statements[statement.statements.length - 1];
  return last !== undefined && ts.isReturnStatement(last);
}
