// Structural invariants of every golden output, checked with ts-morph rather than by eye: each
// instrumented activation enters, takes the slot and gives it back, and notes where errors leave
// it; no await or yield of an instrumented activation escapes the hand-back protocol; every catch
// and finally block reenters, and the protocol adds no catch of its own.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ArrowFunction,
  type FunctionDeclaration,
  type FunctionExpression,
  type MethodDeclaration,
  Node,
  Project,
  SyntaxKind,
} from 'ts-morph';

type AnyFunction = FunctionDeclaration | FunctionExpression | ArrowFunction | MethodDeclaration;
import { describe, expect, it } from 'vitest';
import { fixturesRoot } from './helpers/compile.js';

const outputs = readdirSync(fixturesRoot)
  .map((name) => join(fixturesRoot, name, 'output.js'))
  .filter((file) => existsSync(file));
const project = new Project({ compilerOptions: { allowJs: true }, skipAddingFilesFromTsConfig: true });

function isInstrumented(fn: AnyFunction): boolean {
  const body = fn.getBody();
  return Node.isBlock(body) && body.getStatements().some((statement) => statement.getText().includes('__logmill.enter(') || statement.getText().includes('__logmill.inherit('));
}

/** The nearest enclosing function of a node. */
function owner(node: Node): Node | undefined {
  return node.getFirstAncestor(
    (ancestor) =>
      Node.isFunctionDeclaration(ancestor) ||
      Node.isFunctionExpression(ancestor) ||
      Node.isArrowFunction(ancestor) ||
      Node.isMethodDeclaration(ancestor) ||
      Node.isConstructorDeclaration(ancestor) ||
      Node.isGetAccessorDeclaration(ancestor) ||
      Node.isSetAccessorDeclaration(ancestor),
  );
}

describe('golden output invariants', () => {
  it('checks every golden output', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(15);
  });

  it.each(outputs.map((file) => [file.split('/').slice(-2)[0]!, file]))('%s', (_name, file) => {
    const source = project.addSourceFileAtPath(file);
    const functions = source.getDescendants().filter((node): node is AnyFunction =>
      Node.isFunctionDeclaration(node) || Node.isFunctionExpression(node) || Node.isArrowFunction(node) || Node.isMethodDeclaration(node),
    );
    for (const fn of functions.filter((candidate) => candidate.isAsync() && isInstrumented(candidate))) {
      const text = fn.getBody()!.getText();
      expect(text).toContain('const __logmillSlot = __logmill.slot;');
      expect(text).toContain('__logmillSlot.current = __logmillContext;');
      const guardedExit = String.raw`if \(__logmillSlot\.current === __logmillContext\)\s*__logmillSlot\.current = __logmillOuter;`;
      const guardedLeave = String.raw`if \(__logmillSlot\.current === __logmillContext\)\s*__logmill\.leave\(__logmillOuter\);`;
      // No catch of the protocol's own: a debugger pausing on caught exceptions must not stop in it.
      expect(text).not.toMatch(/catch \(__logmillError\)/);
      const inFinally = new RegExp(String.raw`finally \{\s*${guardedExit}\s*\}\s*\}$`);
      const atReturns = new RegExp(String.raw`finally \{\s*${guardedLeave}\s*\}\s*\}$`);
      if (inFinally.test(text)) {
        // The exit is in the finally block.
      } else {
        // Without a finally, every own return gives the slot back after evaluating its operand, and
        // nothing that runs after a return (a finally, a for-of loop's close, `using`) is present.
        expect(text).toMatch(atReturns);
        for (const statement of fn.getDescendantsOfKind(SyntaxKind.ReturnStatement).filter((node) => owner(node) === fn)) {
          const operand = statement.getExpression();
          if (operand === undefined) {
            expect(statement.getPreviousSibling()?.getText(), statement.getText()).toBe('__logmillSlot.current = __logmillOuter;');
          } else {
            expect(operand.getText(), statement.getText()).toMatch(/, __logmillSlot\.current = __logmillOuter, (await )?__logmillAwaited\)$/);
          }
        }
        expect(fn.getDescendantsOfKind(SyntaxKind.ForOfStatement).filter((node) => owner(node) === fn)).toEqual([]);
        // Only the protocol's own try (a statement of the body itself) has a finally.
        const ownTries = fn.getDescendantsOfKind(SyntaxKind.TryStatement).filter((node) => owner(node) === fn && node.getFinallyBlock() !== undefined);
        expect(ownTries.map((node) => node.getParent() === fn.getBody())).toEqual([true]);
      }
      // Every suspension of this activation sits inside the hand-back protocol.
      const suspensions = fn.getDescendants().filter(
        (node) => (Node.isAwaitExpression(node) || Node.isYieldExpression(node)) && owner(node) === fn,
      );
      for (const suspension of suspensions) {
        const parent = suspension.getParentIfKindOrThrow(SyntaxKind.BinaryExpression);
        if (parent.getOperatorToken().getKind() === SyntaxKind.CommaToken) {
          // A final await (`return await x`, or a last `await x;`): the slot was handed back just
          // before it, and is not taken again.
          expect(suspension.getText()).toBe('await __logmillAwaited');
          expect(parent.getRight()).toBe(suspension);
          expect(parent.getLeft().getText()).toMatch(/__logmillSlot\.current = __logmillOuter$/);
          const statement = parent.getFirstAncestor((node) => Node.isStatement(node));
          expect(Node.isReturnStatement(statement) || Node.isExpressionStatement(statement), statement?.getText()).toBe(true);
        } else {
          expect(parent.getLeft().getText(), suspension.getText()).toBe('__logmillAwaited');
        }
      }
      const handlers = fn.getDescendants().filter(
        (node) => (Node.isCatchClause(node) || (Node.isTryStatement(node) && node.getFinallyBlock() !== undefined)) && owner(node) === fn,
      );
      for (const handler of handlers) {
        const blocks = Node.isCatchClause(handler) ? [handler.getBlock()] : Node.isTryStatement(handler) ? [handler.getFinallyBlockOrThrow()] : [];
        for (const block of blocks) {
          const first = block.getStatements()[0]?.getText() ?? '';
          // Reenter (user blocks), or give the slot back (our exit, for-await bodies).
          expect(
            first === '__logmillOuter = __logmill.reenter(__logmillContext, __logmillOuter);' ||
              first.startsWith('if (__logmillSlot.current === __logmillContext)') ||
              first === '__logmillSlot.current = __logmillOuter;',
            first,
          ).toBe(true);
        }
      }
    }
    // Functions left alone (ignored ones, or files with nothing to do) contain no protocol at all.
    for (const fn of functions.filter((candidate) => !isInstrumented(candidate) && !candidate.getBody()?.getText().includes('enterCallback'))) {
      const own = fn.getDescendants().filter((node) => Node.isAwaitExpression(node) && owner(node) === fn);
      for (const suspension of own) expect(suspension.getParent()?.getText()).not.toContain('__logmillAwaited');
    }
  });
});
