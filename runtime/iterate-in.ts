/**
 * What instrumented `for…of` loops whose body can suspend iterate through. A rejected `await` in
 * the body (or a `return()` at a `yield`, or a jump out of a `for await`, which closes its iterator
 * with an await) resumes the activation without giving it the slot back, and the loop then calls
 * its iterator's `return` (or, for a labelled `continue`, `next`) before any code of the function
 * runs again. A generator driving the loop would run its `finally` in the caller's context. Here
 * they run in the activation's context, as they do in a loop that never suspended; the slot is then
 * left as it was found, for the function's own code to take with its usual protocol.
 *
 * `yield*` in an async generator and `for await` are the same kind of place: the iterator they
 * step (a sync generator, a hand-written iterator, an async `next` method) runs inside them, after
 * the activation handed the slot back, each time a value is asked for. `asyncIterableInContext`
 * runs its methods in the activation's context.
 */
import { type LogmillContext, registry } from './context.js';

function notIterable(value: unknown, kind: string): TypeError {
  return new TypeError(`${typeof value === 'object' && value !== null ? 'object' : typeof value === 'function' ? 'function' : String(value)} is not ${kind}`);
}

function checkedIterator<T>(iterator: T): T {
  if ((typeof iterator !== 'object' && typeof iterator !== 'function') || iterator === null) throw new TypeError('Result of the Symbol.iterator method is not an object');
  return iterator;
}

function iteratorOf(iterable: Iterable<unknown>): unknown {
  const method = iterable == null ? undefined : iterable[Symbol.iterator];
  if (typeof method !== 'function') throw notIterable(iterable, 'iterable');
  return method.call(iterable);
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * `method` called on `iterator` in `context`, with no argument or with `value`: the engine and
 * TypeScript's helpers call an iterator's methods with at most one, and the count is observable.
 * (A fixed arity instead of `...args` and `apply` makes each step about 10% cheaper.)
 */
function callIn(context: LogmillContext, method: Method, iterator: unknown, count: number, value?: unknown): unknown {
  const outer = registry.current;
  if (outer === context) return count === 0 ? method.call(iterator) : method.call(iterator, value);
  registry.current = context;
  try {
    return count === 0 ? method.call(iterator) : method.call(iterator, value);
  } finally {
    registry.current = outer;
  }
}

/**
 * An iterator whose methods run in `context` (`next` only when `nextInContext`; otherwise it is
 * the iterator's own, bound). Each method is looked up on the iterator when it is looked up here,
 * so the iterator sees the lookups the engine makes (`next` once, `throw` and `return` when
 * needed), or those of TypeScript's `__asyncDelegator` and `__asyncValues` below ES2018.
 */
function delegate(iterator: unknown, context: LogmillContext, nextInContext: boolean): object {
  const source = checkedIterator(iterator) as { next?: unknown; throw?: unknown; return?: unknown };
  const inContext = (method: unknown): unknown =>
    typeof method === 'function'
      ? function (value?: unknown) {
          return callIn(context, method as Method, iterator, arguments.length, value);
        }
      : method;
  return {
    get next() {
      // A `next` that is not a function is handed on as it is, for the engine to fail calling it
      // with its own message.
      const next = source.next;
      return nextInContext || typeof next !== 'function' ? inContext(next) : Function.prototype.bind.call(next as Method, iterator);
    },
    get throw() {
      return inContext(source.throw);
    },
    get return() {
      return inContext(source.return);
    },
  };
}

/** `iterable`, with its iterator's `return` run in `context`: what a `for…of` loop whose body can suspend iterates. */
export function closeInContext<T>(iterable: Iterable<T>, context: LogmillContext): Iterable<T> {
  return { [Symbol.iterator]: () => delegate(iteratorOf(iterable), context, false) as Iterator<T> };
}

/** `iterable`, with its iterator's `next` and `return` run in `context`: for a labelled `continue`'s target. */
export function iterateInContext<T>(iterable: Iterable<T>, context: LogmillContext): Iterable<T> {
  return { [Symbol.iterator]: () => delegate(iteratorOf(iterable), context, true) as Iterator<T> };
}

/**
 * What `yield*` delegates to and `for await` iterates, in an async function: async when it has
 * `Symbol.asyncIterator`, else sync (the engine then adapts it, as it would the value), each looked
 * up once, in that order, as both look them up.
 */
export function asyncIterableInContext(value: unknown, context: LogmillContext): object {
  // Read as the engine reads it: `null` and `undefined` fail here with the engine's own message.
  const asyncMethod = (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator];
  if (asyncMethod !== undefined && asyncMethod !== null) {
    return { [Symbol.asyncIterator]: () => delegate(callIn(context, asyncMethod as Method, value, 0), context, true) };
  }
  const syncMethod = (value as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof syncMethod !== 'function') throw notIterable(value, 'async iterable');
  return { [Symbol.iterator]: () => delegate(callIn(context, syncMethod as Method, value, 0), context, true) };
}
