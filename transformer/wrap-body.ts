/**
 * The shape both function rewrites share: directives stay first, then the entry statements, then the
 * original statements inside `try`; a `catch` that notes where an error was thrown and rethrows
 * the same value; the exit statements in `finally`.
 *
 *   { 'use strict'; a(); return b; }   →   { 'use strict'; ENTRY; try { a(); return b; }
 *                                             catch (__logmillError) { throw __logmill.thrown(__logmillError, CONTEXT); }
 *                                             finally { EXIT } }
 *   (concise) => expression           →   { ENTRY; try { return expression; } catch … finally { EXIT } }
 */
import type * as TS from 'typescript';
import { names } from './analysis.js';
import type { Emit } from './emit.js';

export function wrapBody(
  emit: Emit,
  body: TS.ConciseBody,
  entry: readonly TS.Statement[],
  exit: readonly TS.Statement[],
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
  const tryBlock = factory.createBlock(statements.slice(directiveCount), true);
  const error = factory.createIdentifier(names.error);
  // The innermost instrumented activation an error leaves records itself as where it was thrown,
  // for uncaught-error reports; the same value is rethrown, so nothing else changes.
  const catchClause = factory.createCatchClause(
    names.error,
    factory.createBlock([factory.createThrowStatement(emit.hook('thrown', [error, ...thrownArguments]))], true),
  );
  const block = factory.createBlock(
    [
      ...statements.slice(0, directiveCount),
      ...entry,
      factory.createTryStatement(tryBlock, catchClause, factory.createBlock(exit, true)),
    ],
    true,
  );
  return ts.setTextRange(block, body);
}
