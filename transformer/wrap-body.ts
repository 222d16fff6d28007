/**
 * The shape both function rewrites share: directives stay first, then the entry statements, then the
 * original statements inside `try`, with the exit statements in `finally`.
 *
 *   { 'use strict'; a(); return b; }   →   { 'use strict'; ENTRY; try { a(); return b; } finally { EXIT } }
 *   (concise) => expression           →   { ENTRY; try { return expression; } finally { EXIT } }
 */
import type * as TS from 'typescript';
import type { Emit } from './emit.js';

export function wrapBody(
  emit: Emit,
  body: TS.ConciseBody,
  entry: readonly TS.Statement[],
  exit: readonly TS.Statement[],
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
  const block = factory.createBlock(
    [
      ...statements.slice(0, directiveCount),
      ...entry,
      factory.createTryStatement(tryBlock, undefined, factory.createBlock(exit, true)),
    ],
    true,
  );
  return ts.setTextRange(block, body);
}
