/**
 * JSON for events: never throws, whatever the values (cycles, throwing getters, BigInt, symbols,
 * huge strings), and scrubs sensitive keys and configured paths on the way out.
 */
import { describeError } from './errors.js';
import { FILTERED, type Redaction } from './redact.js';

const MAX_DEPTH = 10;
const MAX_KEYS = 200;
const MAX_STRING = 64 * 1024;

function stringJson(text: string): string {
  return JSON.stringify(text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…[${text.length - MAX_STRING} more]` : text);
}

function read(object: object, key: string | number): unknown {
  try {
    return (object as Record<string | number, unknown>)[key];
  } catch {
    return '[Thrown]';
  }
}

function objectJson(value: object, redactor: Redaction | undefined, path: string[], seen: object[]): string {
  if (seen.includes(value)) return '"[Circular]"';
  if (seen.length >= MAX_DEPTH) return '"[Depth]"';
  seen.push(value);
  try {
    if (Array.isArray(value)) {
      const length = Math.min(value.length, MAX_KEYS);
      let out = '[';
      for (let index = 0; index < length; index++) {
        if (index > 0) out += ',';
        out += valueJson(read(value, index), redactor, path, seen);
      }
      return `${out}]`;
    }
    if (value instanceof Error) return valueJson(describeError(value), redactor, path, seen);
    if (value instanceof Map) return objectJson(Object.fromEntries([...value].slice(0, MAX_KEYS).map(([k, v]) => [String(k), v])), redactor, path, seen);
    if (value instanceof Set) return objectJson([...value].slice(0, MAX_KEYS), redactor, path, seen);
    let keys: string[];
    try {
      keys = Object.keys(value);
    } catch {
      return '"[Thrown]"';
    }
    let out = '{';
    let first = true;
    for (let index = 0; index < keys.length && index < MAX_KEYS; index++) {
      const key = keys[index]!;
      const item = read(value, key);
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      const childPath = redactor?.hasPaths ? [...path, key] : path;
      const filtered = redactor !== undefined && (redactor.isSensitiveKey(key) || (redactor.hasPaths && redactor.matchesPath(childPath)));
      out += `${first ? '' : ','}${stringJson(key)}:${filtered ? `"${FILTERED}"` : valueJson(item, redactor, childPath, seen)}`;
      first = false;
    }
    return `${out}}`;
  } finally {
    seen.pop();
  }
}

function valueJson(value: unknown, redactor: Redaction | undefined, path: string[], seen: object[]): string {
  switch (typeof value) {
    case 'string':
      return stringJson(value);
    case 'boolean':
      return String(value);
    case 'number':
      if (Number.isFinite(value)) return String(value);
    // falls through: NaN, the infinities, BigInts and symbols travel as strings
    case 'bigint':
    case 'symbol':
      return stringJson(String(value));
    case 'undefined':
      return 'null';
    case 'function':
      return stringJson(`[Function ${value.name || '(anonymous)'}]`);
    default: {
      if (value === null) return 'null';
      // JSON.stringify's rule: what `toJSON` returns stands for the object (a Date's ISO text, a
      // URL's href, an ObjectId's hex, a Decimal's digits), and is not asked for its own toJSON.
      const toJSON = value instanceof Error ? undefined : read(value as object, 'toJSON');
      if (typeof toJSON !== 'function') return objectJson(value as object, redactor, path, seen);
      let json: unknown;
      try {
        json = toJSON.call(value);
      } catch {
        return '"[Thrown]"';
      }
      return typeof json === 'object' && json !== null ? objectJson(json as object, redactor, path, seen) : valueJson(json, redactor, path, seen);
    }
  }
}

/** JSON text for any value; sensitive keys and configured paths become `[Filtered]`. */
export function toJson(value: unknown, redactor?: Redaction): string {
  try {
    return valueJson(value, redactor, [], []);
  } catch {
    return '"[Unserializable]"';
  }
}
