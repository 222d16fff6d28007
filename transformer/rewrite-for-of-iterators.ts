/**
 * A `for…of` loop whose body can suspend calls its iterator's `return` after a rejected `await`, a
 * `return()` at a `yield` or a jump out of a `for await` — completions that resume the activation
 * without the slot — before any code of the function runs again; so a generator driving the loop
 * would close in the caller's context. Such a loop iterates through `closeInContext`, which runs
 * the iterator's `return` in the activation's context:
 *
 *   for (const row of rows()) { await save(row); }
 *   →
 *   for (const row of __logmill.closeInContext(rows(), __logmillContext)) { … }
 *
 * A labelled `continue` out of a `for await` also goes on with the loop by calling its iterator's
 * `next` first: a loop it targets iterates through `iterateInContext`, which runs both there.
 * Loops over arrays, tuples and strings (by their type, with the checker; literals without it)
 * stay as written: their iterators run no code of the program.
 */
import type * as TS from 'typescript';
import { suspendsWithin } from './analysis.js';
import type { Emit } from './emit.js';

/** Whether the loop's head or body can resume the activation without the slot. */
export function suspendsInsideLoop(ts: typeof TS, loop: TS.ForOfStatement): boolean {
  return suspendsWithin(ts, loop.initializer) || suspendsWithin(ts, loop.statement);
}

/** The loop over `closeInContext(iterable)`, or `iterateInContext` when a labelled `continue` out of a `for await` goes on with it. */
export function rewriteForOfIterator(emit: Emit, loop: TS.ForOfStatement, continuedFromForAwait: boolean): TS.ForOfStatement {
  const iterable = emit.hook(continuedFromForAwait ? 'iterateInContext' : 'closeInContext', [loop.expression, emit.context()]);
  return emit.factory.updateForOfStatement(loop, loop.awaitModifier, loop.initializer, iterable, loop.statement);
}
