/**
 * `str()`, `repr()` and `ascii()` for JavaScript values, following CPython for strings and numbers
 * and giving every other value a readable, never-throwing rendering.
 *
 * Numbers: an integral JavaScript number renders as a Python int (`5`, not `5.0`) because JavaScript
 * cannot tell `5` from `5.0`; other numbers render as Python floats (`1e+16`, `0.0001`, `-0.0`).
 */
import { floatRepr } from './float.js';

// Characters Python's str.isprintable() rejects: other, separators (but the ASCII space).
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeCodePoint(codePoint: number): string {
  if (codePoint <= 0xff) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
  if (codePoint <= 0xffff) return `\\u${codePoint.toString(16).padStart(4, '0')}`;
  return `\\U${codePoint.toString(16).padStart(8, '0')}`;
}

/** Python's `repr(str)`, or `ascii(str)` when `asciiOnly`. */
export function stringRepr(text: string, asciiOnly = false): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    if (character === quote || character === '\\') out += `\\${character}`;
    else if (character === '\t') out += '\\t';
    else if (character === '\n') out += '\\n';
    else if (character === '\r') out += '\\r';
    else if (codePoint < 0x20 || codePoint === 0x7f) out += escapeCodePoint(codePoint);
    else if (codePoint < 0x7f) out += character;
    else if (asciiOnly || (character !== ' ' && NON_PRINTABLE.test(character))) out += escapeCodePoint(codePoint);
    else out += character;
  }
  return out + quote;
}

export function numberText(value: number): string {
  if (Number.isInteger(value) && !Object.is(value, -0)) return BigInt(value).toString();
  return floatRepr(value);
}

/** `read()`, or `fallback` when it throws (getters, proxies, exotic objects). */
export function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** An error as `%s` and `%r` show it, as JavaScript does (`String(error)`): `TypeError: boom`. */
export function errorText(error: Error): string {
  return safely(() => String(error), 'Error');
}

function represent(value: unknown, seen: Set<object>, depth: number): string {
  switch (typeof value) {
    case 'string':
      return stringRepr(value);
    case 'number':
      return numberText(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return safely(() => value.toString(), 'Symbol()');
    case 'function':
      return `[Function ${safely(() => value.name, '') || '(anonymous)'}]`;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (seen.has(object)) return '[Circular]';
  if (depth > 4) return Array.isArray(object) ? '[Array]' : '[Object]';
  seen.add(object);
  try {
    if (object instanceof Error) return errorText(object);
    if (object instanceof Date) return safely(() => object.toISOString(), 'Invalid Date');
    if (object instanceof RegExp) return String(object);
    if (Array.isArray(object)) {
      const items = object.slice(0, 100).map((item) => represent(item, seen, depth + 1));
      if (object.length > 100) items.push(`... ${object.length - 100} more`);
      return `[${items.join(', ')}]`;
    }
    if (object instanceof Map) {
      const entries = [...object].slice(0, 100).map(([key, item]) => `${represent(key, seen, depth + 1)} => ${represent(item, seen, depth + 1)}`);
      return `Map(${object.size}) {${entries.join(', ')}}`;
    }
    if (object instanceof Set) {
      return `Set(${object.size}) {${[...object].slice(0, 100).map((item) => represent(item, seen, depth + 1)).join(', ')}}`;
    }
    const keys = safely(() => Object.keys(object), [] as string[]);
    const name = safely(() => Object.getPrototypeOf(object)?.constructor?.name as string | undefined, undefined);
    // A class whose state is not in its fields (private fields, non-enumerable ones) and that says
    // how it reads: `ObjectId('65a1…')`, `URL('https://…')`, `Decimal('12.50')`, as Python's reprs go.
    if (keys.length === 0 && name && hasOwnToString(object)) {
      const text = safely(() => String(object), undefined);
      if (text !== undefined) return `${name}(${stringRepr(text)})`;
    }
    const entries = keys.slice(0, 100).map((key) => {
      const item = safely(() => (object as Record<string, unknown>)[key], '[Thrown]' as unknown);
      const label = /^[A-Za-z_$][\w$]*$/.test(key) ? key : stringRepr(key);
      return `${label}: ${represent(item, seen, depth + 1)}`;
    });
    const prefix = name !== undefined && name !== 'Object' ? `${name} ` : '';
    return `${prefix}{${entries.join(', ')}}`;
  } finally {
    seen.delete(object);
  }
}

/** `%r`: a readable representation of any value. */
export function repr(value: unknown): string {
  return represent(value, new Set(), 0);
}

/** `%a`: `repr` with every non-ASCII character escaped. */
export function ascii(value: unknown): string {
  const text = repr(value);
  let out = '';
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    out += codePoint > 0x7f ? escapeCodePoint(codePoint) : character;
  }
  return out;
}

/**
 * Whether `value` is an object whose class says how it reads as text: its `toString` is its own
 * (URL, ObjectId, Decimal, Temporal values, an app's class), not `Object.prototype`'s. Arrays,
 * errors, dates and typed arrays keep their `repr`, which says more than their `toString`.
 */
function hasOwnToString(value: object): boolean {
  if (Array.isArray(value) || value instanceof Error || value instanceof Date || ArrayBuffer.isView(value)) return false;
  const toString = safely(() => (value as { toString?: unknown }).toString, undefined);
  return typeof toString === 'function' && toString !== Object.prototype.toString;
}

/** `String(value)`, or `repr` when that throws (a `toString` that fails, an object without a primitive). */
export function javascriptString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return repr(value);
  }
}

/**
 * `%s`: strings as they are; an object whose class defines `toString` as `String(value)`, as
 * Python's `%s` calls a class's `__str__`; everything else as `repr`.
 */
export function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && hasOwnToString(value)) return javascriptString(value);
  return repr(value);
}
