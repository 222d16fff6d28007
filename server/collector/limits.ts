/**
 * Ingest limits and the structural checks JSON Schema cannot express cheaply: nesting depth,
 * string length, keys per object, approximate event size, and prototype-poisoning keys. A string
 * value longer than the limit is cut to it, with a marker, rather than losing the whole event (as
 * Sentry and PostHog do): a logged response body or SQL statement keeps its message and context.
 */
export interface IngestLimits {
  /** Request body, after decompression (default 5 MiB). */
  bodyBytes: number;
  /** Events in one request (default 1000). */
  eventsPerBatch: number;
  /** One event, measured as the characters of its strings and keys (default 256 KiB). */
  eventBytes: number;
  /** Nesting of objects and arrays inside one event (default 16). */
  depth: number;
  /** Any one string (default 32 KiB characters): longer values are truncated to it, longer keys refused. */
  stringLength: number;
  /** Keys of any one object (default 256). */
  keys: number;
  /** Bytes of request bodies held at once across all connections (default 256 MiB; see body-budget.ts). */
  bodiesInFlightBytes: number;
  /** Seconds a request's headers and body may take to arrive (default 60): a stalled upload holds no connection longer. */
  requestSeconds: number;
}

export const defaultLimits: IngestLimits = {
  bodyBytes: 5 * 1024 * 1024,
  eventsPerBatch: 1000,
  eventBytes: 256 * 1024,
  depth: 16,
  stringLength: 32 * 1024,
  keys: 256,
  bodiesInFlightBytes: 256 * 1024 * 1024,
  requestSeconds: 60,
};

/**
 * The string cut to `limit` characters, ending with a marker that says how long it was (when the
 * limit leaves room for one), never splitting a surrogate pair.
 */
export function truncateString(value: string, limit: number): string {
  const marker = `… [truncated from ${value.length} characters]`;
  const withMarker = marker.length < limit;
  let keep = withMarker ? limit - marker.length : limit;
  const last = value.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep--;
  return withMarker ? value.slice(0, keep) + marker : value.slice(0, keep);
}

/** Counts what the structural check changed in the events it kept. */
export interface Truncations {
  /** String values cut to the length limit. */
  strings: number;
}

/** Why one event was refused: a stable `reason` code, a human `message`, and where (JSON pointer). */
export interface EventProblem {
  reason: string;
  message: string;
  path: string;
}

interface Visit {
  value: unknown;
  depth: number;
  parent: Visit | undefined;
  key: string;
}

/** The JSON pointer of a visit, built only when there is a problem to report. */
function pointer(visit: Visit | undefined, last?: string): string {
  const parts: string[] = last === undefined ? [] : [last];
  for (let current = visit; current !== undefined && current.parent !== undefined; current = current.parent) parts.push(current.key);
  return parts.reverse().map((part) => `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

// Lone surrogates cannot be stored as UTF-8: refused rather than silently replaced.
const wellFormed = (String.prototype as unknown as { isWellFormed?: () => boolean }).isWellFormed;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function isWellFormed(text: string): boolean {
  return wellFormed === undefined ? !loneSurrogate.test(text) : wellFormed.call(text);
}

/** The JSON pointer of a path of keys, built only when there is a problem to report. */
function pointerOf(path: readonly string[], last?: string): string {
  const parts = last === undefined ? path : [...path, last];
  return parts.map((part) => `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * The structural walk of `checkStructure` by recursion, for depth limits small enough that it
 * cannot overflow the stack: nothing is allocated per value (the per-value records of the
 * iterative walk were a good part of the collector's garbage), and no path is kept on the way
 * down: a problem's keys are gathered into `trail` as the walk unwinds from it. Values are
 * visited in the same order as the iterative walk, so both report the same first problem.
 */
class StructureWalk {
  size = 0;
  /** The keys from the problem up to the root, gathered as the walk returns from it. */
  readonly trail: string[] = [];
  /** Whether the problem found is located by `trail` (all but the event's size). */
  located = false;
  constructor(
    private readonly limits: IngestLimits,
    private readonly knownWellFormed: boolean,
    private readonly truncations: Truncations | undefined,
  ) {}

  /** The container's string child, which is too long, truncated in place. */
  #cut(container: Record<string, unknown> | unknown[], key: string | number, child: string): string {
    const truncated = truncateString(child, this.limits.stringLength);
    (container as Record<string | number, unknown>)[key] = truncated;
    if (this.truncations !== undefined) this.truncations.strings++;
    return truncated;
  }

  #located(problem: EventProblem): EventProblem {
    this.located = true;
    return problem;
  }

  visit(value: unknown, depth: number): EventProblem | undefined {
    const limits = this.limits;
    if (typeof value === 'string') {
      if (value.length > limits.stringLength) {
        return this.#located({ reason: 'string_too_long', message: `a string of ${value.length} characters exceeds the limit of ${limits.stringLength}`, path: '' });
      }
      if (!this.knownWellFormed && !isWellFormed(value)) return this.#located({ reason: 'invalid_string', message: 'a string contains a lone UTF-16 surrogate', path: '' });
      this.size += value.length;
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= limits.depth) return this.#located({ reason: 'too_deep', message: `nesting deeper than ${limits.depth} levels`, path: '' });
      if (Array.isArray(value)) {
        if (value.length > limits.keys) return this.#located({ reason: 'too_many_items', message: `an array of ${value.length} items exceeds the limit of ${limits.keys}`, path: '' });
        this.size += value.length;
        if (this.size > limits.eventBytes) return eventTooLarge(limits);
        for (let index = value.length - 1; index >= 0; index--) {
          const child = value[index];
          const problem = this.visit(typeof child === 'string' && child.length > limits.stringLength ? this.#cut(value, index, child) : child, depth + 1);
          if (problem !== undefined) {
            this.trail.push(String(index));
            return problem;
          }
        }
        return undefined;
      }
      const keys = Object.keys(value);
      if (keys.length > limits.keys) return this.#located({ reason: 'too_many_keys', message: `an object with ${keys.length} keys exceeds the limit of ${limits.keys}`, path: '' });
      for (const key of keys) {
        const child = (value as Record<string, unknown>)[key];
        if (key === '__proto__' || (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype'))) {
          this.trail.push(key);
          return this.#located({ reason: 'forbidden_key', message: `the key "${key}" is refused (prototype poisoning)`, path: '' });
        }
        if (key.length > limits.stringLength) return this.#located({ reason: 'string_too_long', message: 'a key exceeds the string length limit', path: '' });
        if (!this.knownWellFormed && !isWellFormed(key)) return this.#located({ reason: 'invalid_string', message: 'a key contains a lone UTF-16 surrogate', path: '' });
        this.size += key.length;
      }
      if (this.size > limits.eventBytes) return eventTooLarge(limits);
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index]!;
        const child = (value as Record<string, unknown>)[key];
        const problem = this.visit(typeof child === 'string' && child.length > limits.stringLength ? this.#cut(value as Record<string, unknown>, key, child) : child, depth + 1);
        if (problem !== undefined) {
          this.trail.push(key);
          return problem;
        }
      }
      return undefined;
    } else {
      if (typeof value === 'number' && !Number.isFinite(value)) return this.#located(numberOutOfRange());
      this.size += 8;
    }
    return this.size > limits.eventBytes ? eventTooLarge(limits) : undefined;
  }
}

/**
 * `1e400` parses as Infinity, which JSON cannot hold: stored, it would become `null` without a word.
 * The event is refused instead, naming where.
 */
function numberOutOfRange(): EventProblem {
  return { reason: 'number_out_of_range', message: 'a number is beyond the range of a 64-bit float (send it as a string)', path: '' };
}

function eventTooLarge(limits: IngestLimits): EventProblem {
  return { reason: 'event_too_large', message: `the event exceeds ${limits.eventBytes} bytes`, path: '' };
}

/** Depth limits up to this are walked by recursion; deeper ones (a configuration's) without. */
const recursiveDepthLimit = 256;

/**
 * Walks one parsed event and returns the first problem, or undefined. `knownWellFormed` says its
 * strings cannot hold a lone surrogate (see ParsedBatch), which skips that test of each. String
 * values over the length limit are truncated in place and counted in `truncations`.
 */
export function checkStructure(event: unknown, limits: IngestLimits, knownWellFormed = false, truncations?: Truncations): EventProblem | undefined {
  if (limits.depth > recursiveDepthLimit) return checkStructureIteratively(event, limits, truncations);
  const walk = new StructureWalk(limits, knownWellFormed, truncations);
  const problem = walk.visit(event, 0);
  if (problem !== undefined && walk.located) problem.path = pointerOf(walk.trail.reverse());
  return problem;
}

/**
 * Walks one parsed event without recursion (a hostile depth cannot overflow the stack, whatever
 * depth limit is configured) and returns the first problem, or undefined.
 */
export function checkStructureIteratively(event: unknown, limits: IngestLimits, truncations?: Truncations): EventProblem | undefined {
  const stack: Visit[] = [{ value: event, depth: 0, parent: undefined, key: '' }];
  let size = 0;
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value, depth } = visit;
    if (typeof value === 'string') {
      let text = value;
      if (text.length > limits.stringLength) {
        if (visit.parent === undefined) {
          return { reason: 'string_too_long', message: `a string of ${text.length} characters exceeds the limit of ${limits.stringLength}`, path: pointer(visit) };
        }
        text = truncateString(text, limits.stringLength);
        (visit.parent.value as Record<string, unknown>)[visit.key] = text;
        if (truncations !== undefined) truncations.strings++;
      }
      if (!isWellFormed(text)) return { reason: 'invalid_string', message: 'a string contains a lone UTF-16 surrogate', path: pointer(visit) };
      size += text.length;
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= limits.depth) return { reason: 'too_deep', message: `nesting deeper than ${limits.depth} levels`, path: pointer(visit) };
      if (Array.isArray(value)) {
        if (value.length > limits.keys) return { reason: 'too_many_items', message: `an array of ${value.length} items exceeds the limit of ${limits.keys}`, path: pointer(visit) };
        for (let index = 0; index < value.length; index++) stack.push({ value: value[index], depth: depth + 1, parent: visit, key: String(index) });
        size += value.length;
      } else {
        const keys = Object.keys(value);
        if (keys.length > limits.keys) return { reason: 'too_many_keys', message: `an object with ${keys.length} keys exceeds the limit of ${limits.keys}`, path: pointer(visit) };
        for (const key of keys) {
          const child = (value as Record<string, unknown>)[key];
          if (key === '__proto__' || (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype'))) {
            return { reason: 'forbidden_key', message: `the key "${key}" is refused (prototype poisoning)`, path: pointer(visit, key) };
          }
          if (key.length > limits.stringLength) return { reason: 'string_too_long', message: 'a key exceeds the string length limit', path: pointer(visit) };
          if (!isWellFormed(key)) return { reason: 'invalid_string', message: 'a key contains a lone UTF-16 surrogate', path: pointer(visit) };
          size += key.length;
          stack.push({ value: child, depth: depth + 1, parent: visit, key });
        }
      }
    } else {
      if (typeof value === 'number' && !Number.isFinite(value)) return { ...numberOutOfRange(), path: pointer(visit) };
      size += 8;
    }
    if (size > limits.eventBytes) return { reason: 'event_too_large', message: `the event exceeds ${limits.eventBytes} bytes`, path: '' };
  }
  return undefined;
}
