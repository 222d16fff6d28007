/**
 * The right-hand side of Python's `template % args`, read the way `_PyUnicode_Format` reads it: a
 * tuple consumed in order, or a mapping read by key. Shared by the interpreter and the renderer of
 * compiled templates, so both run out of arguments, and complain, in the same places.
 */
import { FormatError } from './conversions.js';
import { repr } from './represent.js';

/** A plain object: what Python's `%` treats as a mapping. */
export function isMapping(args: unknown): args is Readonly<Record<string, unknown>> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return false;
  const prototype = Object.getPrototypeOf(args);
  return prototype === Object.prototype || prototype === null;
}

export class FormatOperand {
  readonly #mapping: Readonly<Record<string, unknown>> | undefined;
  readonly #tuple: readonly unknown[];
  #next = 0;
  #keyed = false;

  constructor(args: unknown) {
    this.#mapping = isMapping(args) ? args : undefined;
    this.#tuple = Array.isArray(args) ? args : this.#mapping === undefined ? [args] : [];
  }

  get isMapping(): boolean {
    return this.#mapping !== undefined;
  }

  /** The next positional argument. */
  next(): unknown {
    if (this.#mapping !== undefined && this.#tuple.length === 0) {
      // An unkeyed specifier before any keyed one formats the mapping itself, once (`'%s' % {'a': 1}`).
      if (!this.#keyed && this.#next++ === 0) return this.#mapping;
      throw new FormatError('not enough arguments for format string');
    }
    if (this.#next >= this.#tuple.length) throw new FormatError('not enough arguments for format string');
    return this.#tuple[this.#next++];
  }

  /** The value a `%(key)` specifier names. */
  byKey(key: string): unknown {
    if (this.#mapping === undefined) throw new FormatError('format requires a mapping');
    if (!Object.prototype.hasOwnProperty.call(this.#mapping, key)) throw new FormatError(`KeyError: ${repr(key)}`);
    this.#keyed = true;
    return this.#mapping[key];
  }

  /** Whether positional arguments were left unused (Python's "not all arguments converted"). */
  get leftOver(): boolean {
    return this.#mapping === undefined && this.#next < this.#tuple.length;
  }
}
