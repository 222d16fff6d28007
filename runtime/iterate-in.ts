/**
 * What instrumented `for…of` loops whose body can suspend iterate through. A rejected `await` in
 * the body (or a `return()` at a `yield`, or a jump out of a `for await`, which closes its iterator
 * with an await) resumes the activation without giving it the slot back, and the loop then calls
 * its iterator's `return` (or, for a labelled `continue`, `next`) before any code of the function
 * runs again. A generator driving the loop would run its `finally` in the caller's context. Here
 * they run in the activation's context, as they do in a loop that never suspended; the slot is then
 * left as it was found, for the function's own code to take with its usual protocol.
 *
 * `yield*` in an async generator is the same kind of place: its delegate (a sync generator, a
 * hand-written iterator) runs inside the `yield*`, after the generator handed the slot back, each
 * time the consumer asks for a value. `delegateInContext` runs the delegate's methods in the
 * generator's context.
 */
import { type LogmillContext, registry } from './context.js';

function iteratorOf<T>(iterable: Iterable<T>): Iterator<T> {
  const method = iterable == null ? undefined : iterable[Symbol.iterator];
  if (typeof method !== 'function') throw new TypeError(`${typeof iterable === 'object' || typeof iterable === 'function' ? 'object' : String(iterable)} is not iterable`);
  const iterator = method.call(iterable);
  if ((typeof iterator !== 'object' && typeof iterator !== 'function') || iterator === null) throw new TypeError('Result of the Symbol.iterator method is not an object');
  return iterator;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

function callIn(context: LogmillContext, method: Method, iterator: unknown, args: readonly unknown[] = []): unknown {
  const outer = registry.current;
  if (outer === context) return method.apply(iterator, args as unknown[]);
  registry.current = context;
  try {
    return method.apply(iterator, args as unknown[]);
  } finally {
    registry.current = outer;
  }
}

// Looked up when the loop closes, as `for…of` does; an iterator without one is closed by nothing.
function closeIn<T>(iterator: Iterator<T>, context: LogmillContext): IteratorResult<T> {
  const close = iterator.return;
  return close === undefined || close === null ? { done: true, value: undefined } : (callIn(context, close as Method, iterator) as IteratorResult<T>);
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
      const next = iterator.next as Method;
      return { next: () => callIn(context, next, iterator) as IteratorResult<T>, return: () => closeIn(iterator, context) };
    },
  };
}

/**
 * A delegate's iterator whose methods run in `context`. Each method is looked up on the delegate
 * when it is looked up here, so the delegate sees the lookups the engine's `yield*` makes (`next`
 * once, `throw` and `return` when needed), or those of TypeScript's `__asyncDelegator` below ES2018.
 */
function delegate(iterator: unknown, context: LogmillContext): object {
  if ((typeof iterator !== 'object' && typeof iterator !== 'function') || iterator === null) throw new TypeError('Result of the Symbol.iterator method is not an object');
  const source = iterator as { next?: unknown; throw?: unknown; return?: unknown };
  const inContext = (method: unknown): unknown =>
    typeof method === 'function' ? (...args: unknown[]) => callIn(context, method as Method, iterator, args) : method;
  return {
    get next() {
      return inContext(source.next);
    },
    get throw() {
      return inContext(source.throw);
    },
    get return() {
      return inContext(source.return);
    },
  };
}

/**
 * The operand of `yield*` in an async generator: async when it has `Symbol.asyncIterator`, else
 * sync (the engine then adapts it, as it would the operand), each looked up once, in that order,
 * as `yield*` looks them up.
 */
export function delegateInContext(value: unknown, context: LogmillContext): object {
  if (value === null || value === undefined) throw new TypeError(`${String(value)} is not iterable`);
  const asyncMethod = (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator];
  if (asyncMethod !== undefined && asyncMethod !== null) {
    return { [Symbol.asyncIterator]: () => delegate((asyncMethod as Method).call(value), context) };
  }
  const syncMethod = (value as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof syncMethod !== 'function') throw new TypeError(`${typeof value === 'object' || typeof value === 'function' ? 'object' : String(value)} is not async iterable`);
  return { [Symbol.iterator]: () => delegate((syncMethod as Method).call(value), context) };
}
