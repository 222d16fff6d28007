/**
 * The args a message is rendered from, scrubbed by the rules the serializers apply to `args`: a
 * value under a sensitive key or a configured path becomes `[Filtered]` in the message too
 * (`'login %s'` of `{ password }` → `login {password: '[Filtered]'}`, `'%(password)s'` →
 * `[Filtered]`). Copy on write: an arg with nothing to scrub is passed as it is, and a scrubbed
 * object keeps its prototype, so it still renders under its class name (and its own `toString`
 * runs on the scrubbed copy).
 */
import { FILTERED, type Redaction } from './redact.js';

const MAX_DEPTH = 10;

function isSensitive(redactor: Redaction, key: string, path: readonly string[]): boolean {
  return redactor.isSensitiveKey(key) || (redactor.hasPaths && redactor.matchesPath(path));
}

function read(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return '[Thrown]';
  }
}

/** `value` scrubbed, or `value` itself when nothing in it is sensitive. */
function redactValue(value: unknown, redactor: Redaction, path: string[], seen: object[]): unknown {
  if (typeof value !== 'object' || value === null || seen.includes(value) || seen.length >= MAX_DEPTH) return value;
  // Rendered without their keys: an error as `Type: message`, a date as its ISO text.
  if (value instanceof Error || value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  seen.push(value);
  try {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item: unknown, index) => {
        const redacted = redactValue(item, redactor, path, seen);
        if (redacted !== item) (copy ??= value.slice())[index] = redacted;
      });
      return copy ?? value;
    }
    if (value instanceof Set) {
      const items = [...value];
      const redacted = items.map((item) => redactValue(item, redactor, path, seen));
      return redacted.some((item, index) => item !== items[index]) ? new Set(redacted) : value;
    }
    if (value instanceof Map) {
      let changed = false;
      const entries = [...(value as Map<unknown, unknown>)].map(([key, item]): [unknown, unknown] => {
        const childPath = redactor.hasPaths ? [...path, String(key)] : path;
        const redacted = isSensitive(redactor, String(key), childPath) ? FILTERED : redactValue(item, redactor, childPath, seen);
        if (redacted !== item) changed = true;
        return [key, redacted];
      });
      return changed ? new Map(entries) : value;
    }
    let keys: string[];
    try {
      keys = Object.keys(value);
    } catch {
      return value;
    }
    let changes: Map<string, unknown> | undefined;
    for (const key of keys) {
      const item = read(value, key);
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      const childPath = redactor.hasPaths ? [...path, key] : path;
      const redacted = isSensitive(redactor, key, childPath) ? FILTERED : redactValue(item, redactor, childPath, seen);
      if (redacted !== item) (changes ??= new Map()).set(key, redacted);
    }
    if (changes === undefined) return value;
    const copy = Object.create(Object.getPrototypeOf(value) as object | null) as object;
    // Defined, not assigned: a `__proto__` key stays a key.
    for (const key of keys) Object.defineProperty(copy, key, { value: changes.has(key) ? changes.get(key) : read(value, key), enumerable: true, writable: true, configurable: true });
    return copy;
  } finally {
    seen.pop();
  }
}

/** `args` with what the serializers would filter replaced by `[Filtered]`; `args` itself when nothing is. */
export function redactArgs(args: readonly unknown[], redactor: Redaction): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (typeof arg !== 'object' || arg === null) continue;
    let redacted: unknown;
    try {
      redacted = redactValue(arg, redactor, [], []);
    } catch {
      // What cannot be walked (a Map keyed by an object without a primitive) cannot be shown safely.
      redacted = '[Unserializable]';
    }
    if (redacted !== arg) (copy ??= args.slice())[index] = redacted;
  }
  return copy ?? args;
}
