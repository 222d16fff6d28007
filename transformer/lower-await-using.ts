/**
 * `await using` awaits where nothing is written: when its block closes, for the disposal. Left to
 * the engine (or to TypeScript's own lowering, which runs after this transform), that await would
 * suspend the activation holding the slot. So blocks with `await using` are lowered here, onto
 * runtime/resources.ts, and their one await is then handed the slot around like any other. So are
 * blocks with only `using` where the block can suspend: a rejected await or a jump out of a
 * `for await` resumes the activation without the slot, and the disposers would run before any code
 * took it again (runtime/resources.ts runs them in the block's context).
 *
 *   { before(); await using r = open(); using s = lock(); after(); }
 *   →
 *   {
 *     const __logmillResources = __logmill.resources();
 *     try {
 *       before();
 *       const r = __logmill.useResource(__logmillResources, open(), true);
 *       const s = __logmill.useResource(__logmillResources, lock(), false);
 *       after();
 *     } catch (__logmillError) { __logmill.resourcesFailed(__logmillResources, __logmillError); }
 *     finally {
 *       const __logmillDisposal = __logmill.disposeResources(__logmillResources, __logmillContext);
 *       if (__logmillDisposal) await __logmillDisposal;
 *     }
 *   }
 *
 *   for (await using r of sources) body   →   for (const __logmillResource of sources) { <as above, with
 *                                               const r = __logmill.useResource(…, __logmillResource, true); body> }
 *
 *   label: for (await using r = open(); test; update) body
 *   →   { <as above, with const r = __logmill.useResource(…, open(), true);> label: for (; test; update) body }
 *
 * The head's resource is disposed once, when the loop is done, as its binding is. A block's
 * directive prologue stays in front. Nested blocks reuse the names, each shadowing the one
 * outside it.
 */
import type * as TS from 'typescript';
import { names, suspendsWithin } from './analysis.js';
import { type Emit, relabel } from './emit.js';

const held = '__logmillResources';
const disposal = '__logmillDisposal';
const iterated = '__logmillResource';

function isAwaitUsingList(ts: typeof TS, node: TS.Node | undefined): node is TS.VariableDeclarationList {
  return node !== undefined && ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.AwaitUsing;
}

function isUsingList(ts: typeof TS, node: TS.VariableDeclarationList): boolean {
  return (node.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Using;
}

function isAnyUsingList(ts: typeof TS, node: TS.Node | undefined): boolean {
  return isAwaitUsingList(ts, node) || (node !== undefined && ts.isVariableDeclarationList(node) && isUsingList(ts, node));
}

/**
 * Whether the block is lowered: it declares `using` or `await using` directly among its
 * statements and can suspend, an `await using` itself included (a throw or a jump resuming the
 * activation would otherwise run the disposers without the slot).
 */
export function holdsUsingToLower(ts: typeof TS, block: TS.Block): boolean {
  return block.statements.some((statement) => ts.isVariableStatement(statement) && isAnyUsingList(ts, statement.declarationList)) && suspendsWithin(ts, block);
}

/** Whether the loop's variable is lowered: declared with `using` or `await using`, in a loop that can suspend. */
export function iteratesUsingToLower(ts: typeof TS, loop: TS.ForOfStatement): boolean {
  return isAnyUsingList(ts, loop.initializer) && suspendsWithin(ts, loop);
}

/** `using` and `await using` declarations become `const` ones that register their values. */
function registerDeclarations(emit: Emit, statement: TS.Statement): TS.Statement {
  const { ts, factory } = emit;
  if (!ts.isVariableStatement(statement)) return statement;
  const list = statement.declarationList;
  const async = isAwaitUsingList(ts, list);
  if (!async && !isUsingList(ts, list)) return statement;
  const declarations = list.declarations.map((declaration) =>
    factory.updateVariableDeclaration(
      declaration,
      declaration.name,
      declaration.exclamationToken,
      declaration.type,
      emit.hook('useResource', [
        factory.createIdentifier(held),
        declaration.initializer ?? factory.createVoidZero(),
        async ? factory.createTrue() : factory.createFalse(),
      ]),
    ),
  );
  return factory.updateVariableStatement(statement, statement.modifiers, factory.createVariableDeclarationList(declarations, ts.NodeFlags.Const));
}

function isDirective(ts: typeof TS, statement: TS.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression);
}

function lowerStatements(emit: Emit, statements: readonly TS.Statement[], multiLine: boolean): TS.Statement[] {
  const { ts, factory } = emit;
  let prologue = 0;
  while (prologue < statements.length && isDirective(ts, statements[prologue]!)) prologue++;
  const open = factory.createVariableStatement(
    undefined,
    factory.createVariableDeclarationList([factory.createVariableDeclaration(held, undefined, undefined, emit.hook('resources', []))], ts.NodeFlags.Const),
  );
  const failed = factory.createCatchClause(
    names.error,
    factory.createBlock([factory.createExpressionStatement(emit.hook('resourcesFailed', [factory.createIdentifier(held), factory.createIdentifier(names.error)]))], true),
  );
  const dispose = factory.createBlock(
    [
      factory.createVariableStatement(
        undefined,
        factory.createVariableDeclarationList(
          [factory.createVariableDeclaration(disposal, undefined, undefined, emit.hook('disposeResources', [factory.createIdentifier(held), emit.context()]))],
          ts.NodeFlags.Const,
        ),
      ),
      factory.createIfStatement(factory.createIdentifier(disposal), factory.createExpressionStatement(factory.createAwaitExpression(factory.createIdentifier(disposal)))),
    ],
    true,
  );
  const body = factory.createBlock(statements.slice(prologue).map((statement) => registerDeclarations(emit, statement)), multiLine);
  return [...statements.slice(0, prologue), open, factory.createTryStatement(body, failed, dispose)];
}

export function lowerAwaitUsingBlock(emit: Emit, block: TS.Block): TS.Block {
  return emit.factory.updateBlock(block, lowerStatements(emit, block.statements, true));
}

/** Whether the `for (;;)` loop's head is lowered: `using` or `await using`, in a loop that can suspend. */
export function initializesUsingToLower(ts: typeof TS, loop: TS.ForStatement): boolean {
  return isAnyUsingList(ts, loop.initializer) && suspendsWithin(ts, loop);
}

/** `statement` is `loop` or the chain of labels on it; the labels stay on the loop. */
export function lowerAwaitUsingForStatement(emit: Emit, statement: TS.Statement, loop: TS.ForStatement): TS.Block {
  const { ts, factory } = emit;
  const head = factory.createVariableStatement(undefined, loop.initializer as TS.VariableDeclarationList);
  const bare = factory.updateForStatement(loop, undefined, loop.condition, loop.incrementor, loop.statement);
  const labelled = ts.isLabeledStatement(statement) ? relabel(emit, statement, () => bare) : bare;
  return lowerAwaitUsingBlock(emit, factory.createBlock([head, labelled], true));
}

export function lowerAwaitUsingLoop(emit: Emit, loop: TS.ForOfStatement): TS.ForOfStatement {
  const { ts, factory } = emit;
  const list = loop.initializer as TS.VariableDeclarationList;
  const declaration = list.declarations[0]!;
  const registered = factory.createVariableStatement(
    undefined,
    factory.createVariableDeclarationList(
      [factory.updateVariableDeclaration(declaration, declaration.name, declaration.exclamationToken, declaration.type, factory.createIdentifier(iterated))],
      list.flags & ts.NodeFlags.BlockScoped,
    ),
  );
  const statements = ts.isBlock(loop.statement) ? [registered, ...loop.statement.statements] : [registered, loop.statement];
  return factory.updateForOfStatement(
    loop,
    loop.awaitModifier,
    factory.createVariableDeclarationList([factory.createVariableDeclaration(iterated)], ts.NodeFlags.Const),
    loop.expression,
    factory.createBlock(lowerStatements(emit, statements, true), true),
  );
}
