/**
 * Scrubbing before anything leaves the process: Sentry's default sensitive keys, matched in any
 * case and as part of a key (`userPassword`, `X-Api-Key`), plus paths the application names.
 */
export const defaultSensitiveKeys = [
  'password', 'passwd', 'secret', 'token', 'api_key', 'apikey', 'api-key', 'auth', 'authorization',
  'credentials', 'cookie', 'set-cookie', 'session', 'sessionid', 'private_key', 'privatekey', 'access_token',
  'refresh_token', 'csrf', 'xsrf', 'credit_card', 'card_number', 'cvv', 'ssn',
];

export const FILTERED = '[Filtered]';

export interface RedactionOptions {
  /** Dotted paths from the event's attributes, `*` for any key: `user.email`, `payment.*.number`. */
  paths?: string[];
  /** Replace the default sensitive keys (pass `[]` to turn default scrubbing off). */
  sensitiveKeys?: string[];
}

export class Redactor {
  readonly #keyPattern: RegExp | undefined;
  readonly #paths: string[][];

  constructor(options: RedactionOptions = {}) {
    const keys = options.sensitiveKeys ?? defaultSensitiveKeys;
    this.#keyPattern = keys.length === 0 ? undefined : new RegExp(keys.map((key) => key.replace(/[-_]/g, '[-_]?')).join('|'), 'i');
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
