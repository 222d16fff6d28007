/**
 * What `await using` blocks become (transformer/lower-await-using.ts): their disposal's await is
 * then one the activation can see and hand the slot back around. The semantics follow TypeScript's
 * own lowering of `await using` (the order of disposal, errors suppressed into a `SuppressedError`,
 * the microtask turns taken), so a program computes the same with either. One difference, on
 * purpose: the disposers run in the activation's context, as they do natively, where TypeScript's
 * helpers run all but the first from bare microtasks.
 */
import { runIn } from './api.js';
import type { LogmillContext } from './context.js';

interface HeldResource {
  readonly value?: unknown;
  readonly dispose?: (this: unknown) => unknown;
  readonly async: boolean;
}

/** The resources one block holds, disposed last first, and the error the block is leaving with. */
export interface Resources {
  readonly held: HeldResource[];
  error: unknown;
  hasError: boolean;
}

// Not in every runtime this may load in (nor in the ES2023 lib this compiles against).
const symbols = Symbol as unknown as { readonly asyncDispose?: symbol; readonly dispose?: symbol };

/** Opens a block's resources. */
export function resources(): Resources {
  return { held: [], error: undefined, hasError: false };
}

/** `await using x = value` (`async`) or `using x = value` in such a block: returns `value`. */
export function useResource<T>(held: Resources, value: T, async: boolean): T {
  if (value === null || value === undefined) {
    // Even a null resource makes the block await once when it closes.
    if (async) held.held.push({ async: true });
    return value;
  }
  if (typeof value !== 'object' && typeof value !== 'function') throw new TypeError('Object expected.');
  const disposable = value as { [key: symbol]: unknown };
  let dispose: unknown;
  let syncDispose: ((this: unknown) => unknown) | undefined;
  if (async) {
    if (symbols.asyncDispose === undefined) throw new TypeError('Symbol.asyncDispose is not defined.');
    dispose = disposable[symbols.asyncDispose];
  }
  if (dispose === undefined) {
    if (symbols.dispose === undefined) throw new TypeError('Symbol.dispose is not defined.');
    dispose = disposable[symbols.dispose];
    if (async) syncDispose = dispose as (this: unknown) => unknown;
  }
  if (typeof dispose !== 'function') throw new TypeError('Object not disposable.');
  const run =
    syncDispose === undefined
      ? (dispose as (this: unknown) => unknown)
      : function (this: unknown): unknown {
          try {
            syncDispose!.call(this);
            return undefined;
          } catch (error) {
            return Promise.reject(error);
          }
        };
  held.held.push({ value, dispose: run, async });
  return value;
}

/** The block's code threw: disposal runs, then the error (or a `SuppressedError` over it) is rethrown. */
export function resourcesFailed(held: Resources, error: unknown): void {
  held.error = error;
  held.hasError = true;
}

type SuppressedErrorConstructor = new (error: unknown, suppressed: unknown, message: string) => Error;

function suppressedError(error: unknown, suppressed: unknown): Error {
  const native = (globalThis as { SuppressedError?: SuppressedErrorConstructor }).SuppressedError;
  const message = 'An error was suppressed during disposal.';
  if (typeof native === 'function') return new native(error, suppressed, message);
  return Object.assign(new Error(message), { name: 'SuppressedError', error, suppressed });
}

/**
 * Disposes the block's resources, last first, in `context`. Returns a promise to await when any
 * was asynchronous (or null); throws or rejects with the block's error, if any.
 */
export function disposeResources(held: Resources, context: LogmillContext): Promise<void> | undefined {
  // Bit 1: a synchronous disposal still owes an await; bit 2: an asynchronous one was awaited.
  let owed = 0;
  const fail = (error: unknown): void => {
    held.error = held.hasError ? suppressedError(error, held.error) : error;
    held.hasError = true;
  };
  const step = (): Promise<void> | undefined => {
    for (let resource = held.held.pop(); resource !== undefined; resource = held.held.pop()) {
      try {
        if (!resource.async && owed === 1) {
          owed = 0;
          held.held.push(resource);
          return Promise.resolve().then(next);
        }
        if (resource.dispose !== undefined) {
          const result = resource.dispose.call(resource.value);
          if (resource.async) {
            owed |= 2;
            return Promise.resolve(result).then(next, (error: unknown) => {
              fail(error);
              return next();
            });
          }
        } else {
          owed |= 1;
        }
      } catch (error) {
        fail(error);
      }
    }
    if (owed === 1) return held.hasError ? Promise.reject(held.error) : Promise.resolve();
    if (held.hasError) throw held.error;
    return undefined;
  };
  // Each step runs in the block's context, also the ones that microtasks resume.
  const next = (): Promise<void> | undefined => runIn(context, step);
  return next();
}
