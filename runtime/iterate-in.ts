/**
 * What instrumented `for…of` loops whose body can suspend iterate through. A rejected `await` in
 * the body (or a `return()` at a `yield`, or a jump out of a `for await`, which closes its iterator
 * with an await) resumes the activation without giving it the slot back, and the loop then calls
 * its iterator's `return` (or, for a labelled `continue`, `next`) before any code of the function
 * runs again. A generator driving the loop would run its `finally` in the caller's context. Here
 * they run in the activation's context, as they do in a loop that never suspended; the slot is then
 * left as it was found, for the function's own code to take with its usual protocol.
 */
import { type LogmillContext, registry } from './context.js';

function iteratorOf<T>(iterable: Iterable<T>): Iterator<T> {
  const method = iterable == null ? undefined : iterable[Symbol.iterator];
  if (typeof method !== 'function') throw new TypeError(`${typeof iterable === 'object' || typeof iterable === 'function' ? 'object' : String(iterable)} is not iterable`);
  const iterator = method.call(iterable);
  if ((typeof iterator !== 'object' && typeof iterator !== 'function') || iterator === null) throw new TypeError('Result of the Symbol.iterator method is not an object');
  return iterator;
}

function callIn<T>(context: LogmillContext, method: (this: Iterator<unknown>) => T, iterator: Iterator<unknown>): T {
  const outer = registry.current;
  if (outer === context) return method.call(iterator);
  registry.current = context;
  try {
    return method.call(iterator);
  } finally {
    registry.current = outer;
  }
}

// Looked up when the loop closes, as `for…of` does; an iterator without one is closed by nothing.
function closeIn<T>(iterator: Iterator<T>, context: LogmillContext): IteratorResult<T> {
  const close = iterator.return;
  return close === undefined || close === null ? { done: true, value: undefined } : callIn(context, close, iterator);
}

/** `iterable`, with its iterator's `return` run in `context` (`next` is the iterator's own, bound). */
export function closeInContext<T>(iterable: Iterable<T>, context: LogmillContext): Iterable<T> {
  return {
    [Symbol.iterator]: () => {
      const iterator = iteratorOf(iterable);
      // Read once, as `for…of` reads it once.
      const next = Function.prototype.bind.call(iterator.next, iterator) as Iterator<T>['next'];
      return { next, return: () => closeIn(iterator, context) };
    },
  };
}

/** `iterable`, with its iterator's `next` and `return` run in `context`: for a labelled `continue`'s target. */
export function iterateInContext<T>(iterable: Iterable<T>, context: LogmillContext): Iterable<T> {
  return {
    [Symbol.iterator]: () => {
      const iterator = iteratorOf(iterable);
      const next = iterator.next;
      return { next: () => callIn(context, next, iterator), return: () => closeIn(iterator, context) };
    },
  };
}
