/**
 * `for await` suspends where no `await` is written: before each iteration and when the loop closes
 * its iterator. The slot is handed back around those points and taken again after them.
 *
 * The iterator's own steps run inside the loop, after the slot was handed back, so the iterable
 * goes through `asyncIterableInContext`, which runs them in this activation's context. Arrays and
 * strings, whose iterators run no code of the program, stay as written, and so does a call to an
 * async generator this transform instruments, whose steps take the slot themselves:
 *
 *   label: for await (const x of xs) body
 *   →
 *   {
 *     label: for await (const x of (__logmillAwaited = __logmill.asyncIterableInContext(xs, __logmillContext), __logmillSlot.current = __logmillOuter, __logmillAwaited)) {
 *       __logmillOuter = __logmill.reenter(__logmillContext, __logmillOuter);
 *       try { body } finally { __logmillSlot.current = __logmillOuter; }
 *     }
 *     __logmillOuter = __logmill.reenter(__logmillContext, __logmillOuter);
 *   }
 */
import type * as TS from 'typescript';
import { labelledStatement } from './analysis.js';
import type { Emit } from './emit.js';
import { handBack, inContext } from './rewrite-suspension-points.js';

/**
 * Rewrites the loop itself; `closeLoop` adds the statement after it. `stepsOnItsOwn`: it iterates
 * an array, a string or an instrumented async generator, which need no wrapper.
 */
export function rewriteForAwaitLoop(emit: Emit, node: TS.ForOfStatement, stepsOnItsOwn: boolean): TS.ForOfStatement {
  const { factory } = emit;
  const body = factory.createBlock(
    [
      emit.reenter(),
      factory.createTryStatement(
        emit.ts.isBlock(node.statement) ? node.statement : factory.createBlock([node.statement], true),
        undefined,
        factory.createBlock(
          [factory.createExpressionStatement(emit.assignSlot(emit.outer()))],
          true,
        ),
      ),
    ],
    true,
  );
  return factory.updateForOfStatement(
    node,
    node.awaitModifier,
    node.initializer,
    handBack(emit, stepsOnItsOwn ? node.expression : inContext(emit, node.expression), [emit.awaited()]),
    body,
  );
}

/** Wraps the (possibly labelled) loop in a block that takes the slot again once the loop is done. */
export function closeLoop(emit: Emit, loop: TS.Statement): TS.Block {
  return emit.factory.createBlock([loop, emit.reenter()], true);
}

/** The `for await` loop a labelled statement labels, through any number of labels. */
export function labelledForAwait(ts: typeof TS, node: TS.LabeledStatement): TS.ForOfStatement | undefined {
  const statement = labelledStatement(ts, node);
  return ts.isForOfStatement(statement) && statement.awaitModifier !== undefined ? statement : undefined;
}
