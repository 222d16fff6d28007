/**
 * Scrubbing before anything leaves the process: Sentry's default sensitive keys, matched in any
 * case and as part of a key (`userPassword`, `X-Api-Key`), plus paths the application names.
 */
import { checkKnownOptions, invalidArgument, isRecord } from '../invalid-argument.js';

export const defaultSensitiveKeys = [
  'password', 'passwd', 'secret', 'token', 'api_key', 'apikey', 'api-key', 'auth', 'authorization',
  'credentials', 'cookie', 'set-cookie', 'session', 'sessionid', 'private_key', 'privatekey', 'access_token',
  'refresh_token', 'csrf', 'xsrf', 'credit_card', 'card_number', 'cvv', 'ssn',
];

export const FILTERED = '[Filtered]';

/**
 * `defaultSensitiveKeys` compiled as `Redactor` compiles a key list (a key matches inside a longer
 * key, `-` and `_` optional, any case), written out so a page does not ship the list and the
 * compiler: keys the list repeats inside longer ones (`sessionid`, `access_token`) are covered by
 * the shorter ones. A test checks it against the list.
 */
const defaultKeyPattern = /password|passwd|secret|token|api[-_]?key|auth|credentials|cookie|session|private[-_]?key|csrf|xsrf|credit[-_]?card|card[-_]?number|cvv|ssn/i;

/** What the serializers ask of the scrubbing rules. */
export interface Redaction {
  isSensitiveKey(key: string): boolean;
  /** Whether `path` (keys from the attributes root) is one the application asked to redact. */
  matchesPath(path: readonly string[]): boolean;
  readonly hasPaths: boolean;
}

/** The rules in force until `configureLogging({ redact })`: Sentry's default keys, no paths. */
export const defaultRedaction: Redaction = {
  isSensitiveKey: (key) => defaultKeyPattern.test(key),
  matchesPath: () => false,
  hasPaths: false,
};

export interface RedactionOptions {
  /** Dotted paths from the event's attributes, `*` for any key: `user.email`, `payment.*.number`. */
  paths?: string[] | undefined;
  /** Replace the default sensitive keys (pass `[]` to turn default scrubbing off). */
  sensitiveKeys?: string[] | undefined;
}

/**
 * One case-insensitive pattern matching any of `keys` (names, not patterns) inside a key, `-` and
 * `_` optional: how the serializers and the collector's scrubber read a list of sensitive keys.
 */
export function compileSensitiveKeys(keys: readonly string[]): RegExp {
  return new RegExp(keys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[-_]/g, '[-_]?')).join('|'), 'i');
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

export class Redactor implements Redaction {
  readonly #keyPattern: RegExp | undefined;
  readonly #paths: string[][];

  constructor(options: RedactionOptions = {}) {
    if (!isRecord(options)) throw invalidArgument('redact takes an object: { paths, sensitiveKeys }');
    checkKnownOptions(options, ['paths', 'sensitiveKeys'], 'redact');
    if (options.paths !== undefined && !isStringList(options.paths)) throw invalidArgument('redact.paths is a list of dotted paths (strings)');
    if (options.sensitiveKeys !== undefined && !isStringList(options.sensitiveKeys)) throw invalidArgument('redact.sensitiveKeys is a list of key names (strings)');
    const keys = options.sensitiveKeys;
    this.#keyPattern = keys === undefined ? defaultKeyPattern : keys.length === 0 ? undefined : compileSensitiveKeys(keys);
    this.#paths = (options.paths ?? []).map((path) => path.split('.'));
  }

  isSensitiveKey(key: string): boolean {
    return this.#keyPattern !== undefined && this.#keyPattern.test(key);
  }

  /** Whether `path` (keys from the attributes root) is one the application asked to redact. */
  matchesPath(path: readonly string[]): boolean {
    return this.#paths.some(
      (pattern) => pattern.length === path.length && pattern.every((part, index) => part === '*' || part === path[index]),
    );
  }

  get hasPaths(): boolean {
    return this.#paths.length > 0;
  }
}
