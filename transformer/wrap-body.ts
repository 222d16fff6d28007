/**
 * The shape both function rewrites share: directives stay first, then the entry statements, then the
 * original statements inside `try`, and the exit in `finally`; with `atEnd`, a statement appended
 * to the `try` block where the body falls off its end.
 *
 *   { 'use strict'; a(); return b; }   →   { 'use strict'; ENTRY; try { a(); return b; } finally { EXIT } }
 *   (concise) => expression           →   { ENTRY; try { return expression; } finally { EXIT } }
 *   { var h = 1; function h() {} … }    →   { function h() {} ENTRY; try { var h = 1; … } finally { EXIT } }
 *
 * There is no `catch`: a debugger set to pause on caught exceptions treats a `catch` that rethrows
 * as catching, and would stop in every instrumented frame an error passes through; a `finally`
 * does not catch, so the app's own throws pause it exactly as often as in the plain build.
 */
import type * as TS from 'typescript';
import type { Emit } from './emit.js';

/** Where the exit goes: always a `finally` block; `atEnd` is appended where the body falls off its end. */
export interface Exit {
  readonly inFinally: TS.Statement;
  readonly atEnd?: TS.Statement | undefined;
}

export function wrapBody(emit: Emit, body: TS.ConciseBody, entry: readonly TS.Statement[], exit: Exit): TS.Block {
  const { ts, factory } = emit;
  const statements = ts.isBlock(body) ? body.statements : [factory.createReturnStatement(body as TS.Expression)];
  let directiveCount = 0;
  while (directiveCount < statements.length) {
    const statement = statements[directiveCount]!;
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) break;
    directiveCount++;
  }
  let own = statements.slice(directiveCount);
  // At a function's top level `var h; function h() {}` and a repeated `function h` are legal; in the
  // `try` block they are early errors. Such declarations stay where they were, before the `try`
  // (they are hoisted either way, so nothing runs in another order).
  const hoisted = conflictingDeclarations(ts, own) ? own.filter(ts.isFunctionDeclaration) : [];
  if (hoisted.length > 0) own = own.filter((statement) => !ts.isFunctionDeclaration(statement));
  const last = own[own.length - 1];
  // A body that ends in a return or a throw never reaches the end, so nothing is appended.
  const reachesEnd = last === undefined || !(ts.isReturnStatement(last) || ts.isThrowStatement(last) || endsInReturn(ts, last));
  const tryBlock = factory.createBlock(exit.atEnd !== undefined && reachesEnd ? [...own, exit.atEnd] : own, true);
  const block = factory.createBlock(
    [
      ...statements.slice(0, directiveCount),
      ...hoisted,
      ...entry,
      factory.createTryStatement(tryBlock, undefined, factory.createBlock([exit.inFinally], true)),
    ],
    true,
  );
  return ts.setTextRange(block, body);
}

/** Whether a body declares a function twice, or a function and a `var` of one name, at its top level. */
function conflictingDeclarations(ts: typeof TS, statements: readonly TS.Statement[]): boolean {
  const functions = new Set<string>();
  const variables = new Set<string>();
  for (const statement of statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) {
      if (functions.has(statement.name.text)) return true;
      functions.add(statement.name.text);
    } else if (ts.isVariableStatement(statement) && (statement.declarationList.flags & ts.NodeFlags.BlockScoped) === 0) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) variables.add(declaration.name.text);
    }
  }
  return [...functions].some((name) => variables.has(name));
}

/** A `{ …; return; }` block made by rewrite-returns.ts also ends the body. */
function endsInReturn(ts: typeof TS, statement: TS.Statement): boolean {
  if (!ts.isBlock(statement)) return false;
  const last = statement.statements[statement.statements.length - 1];
  return last !== undefined && ts.isReturnStatement(last);
}
