/**
 * Server-side scrubbing before anything is stored, whatever the client did: values under
 * Sentry's default sensitive keys, credit-card numbers (Luhn-checked, so order numbers survive;
 * in strings, inside tokens such as `ref_4111111111111111_x`, and as JSON numbers) and IBANs
 * (mod-97-checked), email addresses (also percent-encoded in URLs and with non-ASCII letters), phone
 * numbers (international `+…`, North American `(415) 555-2671`, and any number after `phone`/`tel`/…),
 * IP addresses (truncated to /24 for IPv4, /48 for IPv6, as analytics tools do), and credentials in
 * free text (`Bearer …`/`Basic …`, JSON Web Tokens, PEM private keys, the user and password in
 * `scheme://user:password@host`, the value of a sensitive key written `key=value` or
 * `"key": "value"` as in query strings, logfmt and JSON logged as text, and API keys of well-known
 * shapes: AWS, GitHub, Stripe, Slack, Google). Object keys are scrubbed
 * like values (an email used as a key is masked). Configurable rules add keys or value patterns
 * with an action: remove, mask or hash.
 */
import { createHmac } from 'node:crypto';
import { compileSensitiveKeys, defaultSensitiveKeys } from 'logmill';
import { replaceEmails } from './email-matcher.js';
import { cardHint, cardShaped, credentialHint, credentialPattern, digitRunPattern, fourDigits, further, furtherHint, ibanHint, ibanPattern, ibanValid, internationalPhonePattern, ipv4Hint, ipv4Pattern, ipv6Hint, ipv6Pattern, jwtPattern, keyOrEmailHint, keyedValuePattern, knownKeyPattern, labelledPhonePattern, longestPhoneRun, luhnValid, mayHoldKnownKey, northAmericanPhonePattern, pemPattern, phoneLabel, signedDecimal, textOnlySensitiveKeys, truncateIpv6, urlCredentialPattern, worthScanning } from './scrub-patterns.js';

export { ibanValid, cardShaped, luhnValid } from './scrub-patterns.js';

export type ScrubAction = 'remove' | 'mask' | 'hash';

export interface ScrubRule {
  /** Matches object keys anywhere in the event's data (case-insensitive regular expression). */
  key?: string;
  /** Matches inside string values (regular expression). */
  pattern?: string;
  action: ScrubAction;
}

export interface ScrubOptions {
  /** Default true: Sentry's sensitive keys (`password`, `token`, `authorization`, ...). */
  sensitiveKeys?: boolean;
  /** What to do with emails, cards and IPs (defaults: mask, mask, truncate); `keep` turns one off. */
  emails?: ScrubAction | 'keep';
  creditCards?: ScrubAction | 'keep';
  ipAddresses?: 'truncate' | ScrubAction | 'keep';
  /** Phone numbers: international (`+44 20 7946 0958`), North American, or after `phone`, `tel`… (default mask). */
  phoneNumbers?: ScrubAction | 'keep';
  /**
   * Credentials in free text: Bearer/Basic, JSON Web Tokens, PEM private keys, URL user:password,
   * sensitive keys' values in `key=value` and `"key": "value"`, well-known API keys (default mask).
   */
  tokens?: ScrubAction | 'keep';
  rules?: ScrubRule[];
  /** Secret for `hash` (HMAC-SHA256); the collector's project salt. */
  salt?: string;
}

export const FILTERED = '[Filtered]';

const noValues: readonly string[] = [];

/** Code strings longer than this are not remembered as clean. */
const longestRemembered = 256;

export class Scrubber {
  readonly #sensitiveKey: RegExp | undefined;
  readonly #keyRules: { key: RegExp; action: ScrubAction }[];
  readonly #valueRules: { pattern: RegExp; action: ScrubAction }[];
  readonly #emails: ScrubAction | 'keep';
  readonly #cards: ScrubAction | 'keep';
  readonly #ips: 'truncate' | ScrubAction | 'keep';
  readonly #tokens: ScrubAction | 'keep';
  readonly #phones: ScrubAction | 'keep';
  readonly #salt: string;

  constructor(options: ScrubOptions = {}) {
    this.#sensitiveKey = options.sensitiveKeys === false ? undefined : compileSensitiveKeys(defaultSensitiveKeys);
    this.#keyRules = [];
    this.#valueRules = [];
    for (const rule of options.rules ?? []) {
      if (rule.key !== undefined) this.#keyRules.push({ key: new RegExp(rule.key, 'i'), action: rule.action });
      if (rule.pattern !== undefined) this.#valueRules.push({ pattern: new RegExp(rule.pattern, 'g'), action: rule.action });
    }
    this.#emails = options.emails ?? 'mask';
    this.#cards = options.creditCards ?? 'mask';
    this.#ips = options.ipAddresses ?? 'truncate';
    this.#tokens = options.tokens ?? 'mask';
    this.#phones = options.phoneNumbers ?? 'mask';
    this.#salt = options.salt ?? '';
  }

  /**
   * Each key's action and scrubbed form, remembered: events repeat the same few keys, and both
   * depend on the key alone. Bounded, so a stream of distinct keys cannot grow it without end.
   */
  readonly #keys = new Map<string, { action: ScrubAction | undefined; scrubbed: string }>();

  #key(key: string): { action: ScrubAction | undefined; scrubbed: string } {
    let known = this.#keys.get(key);
    if (known === undefined) {
      if (this.#keys.size >= 4096) this.#keys.clear();
      known = { action: this.#keyAction(key), scrubbed: this.string(key) };
      this.#keys.set(key, known);
    }
    return known;
  }

  /** What to store for the value under `key`: the value scrubbed, or `undefined` to remove the key. */
  #keyAction(key: string): ScrubAction | undefined {
    for (const rule of this.#keyRules) if (rule.key.test(key)) return rule.action;
    if (this.#sensitiveKey?.test(key)) return 'mask';
    return undefined;
  }

  #hash(value: string): string {
    return `hash:${createHmac('sha256', this.#salt).update(value).digest('hex').slice(0, 16)}`;
  }

  /** The run with every span of whole digit groups that is a card number (brand shape, Luhn) masked. */
  #maskCardsIn(run: string, action: ScrubAction): string {
    const groups = [...run.matchAll(/\d+/g)].map((match) => ({ start: match.index, end: match.index + match[0].length, digits: match[0] }));
    let out = '';
    let copied = 0;
    for (let first = 0; first < groups.length; first++) {
      let digits = '';
      let found = -1;
      for (let last = first; last < groups.length && digits.length < 19; last++) {
        digits += groups[last]!.digits;
        if (digits.length >= 13 && digits.length <= 19 && cardShaped(digits) && luhnValid(digits)) found = last;
      }
      if (found < 0) continue;
      out += run.slice(copied, groups[first]!.start) + this.#apply(action, run.slice(groups[first]!.start, groups[found]!.end));
      copied = groups[found]!.end;
      first = found;
    }
    return copied === 0 ? run : out + run.slice(copied);
  }

  #apply(action: ScrubAction, value: string): string {
    if (action === 'remove') return '';
    if (action === 'hash') return this.#hash(value);
    return FILTERED;
  }

  /** Scrubs one string value. */
  string(value: string): string {
    // No address, number or credential worth masking is shorter than an email like a@b.co (6
    // characters): most keys and many values are, and skip every pattern.
    if (this.#valueRules.length === 0 && (value.length < 6 || !(worthScanning.test(value) || (furtherHint.test(value) && further.test(value))))) return value;
    return this.#scan(value);
  }

  /**
   * Scrubs one string of the app's code rather than its data: an event or service name,
   * a call site's or a stack frame's module, file and function. Those recur in event after event
   * and are as many as the code has, so the ones scrubbing leaves unchanged are remembered (file
   * paths have a dot, which sends them through every pattern): a look-up costs less than the tests.
   * Data strings are not: most are seen once, and remembering them cost more than it saved (it kept
   * them alive into the old generation). Only unchanged strings are kept (nothing scrubbing would take
   * out stays in memory), only short ones, and the set is bounded like `#keys`.
   */
  codeString(value: string): string {
    if (value.length < 6 && this.#valueRules.length === 0) return value;
    if (this.#clean.has(value)) return value;
    const result = this.string(value);
    if (result === value && value.length <= longestRemembered) {
      if (this.#clean.size >= 4096) this.#clean.clear();
      this.#clean.add(value);
    }
    return result;
  }

  readonly #clean = new Set<string>();

  /** Scrubs a value of the app's code (stack frames) like `value`, its strings as `codeString` does. */
  codeValue(value: unknown): unknown {
    this.#fromCode = true;
    try {
      return this.value(value);
    } finally {
      this.#fromCode = false;
    }
  }

  #fromCode = false;

  /** Every pattern over a string the quick tests let through. */
  #scan(value: string): string {
    let result = value;
    // One pass says whether a known API key, a `key=value` secret or an email can be here at all.
    const keyOrEmail = keyOrEmailHint.test(result);
    if (this.#tokens !== 'keep' && result.length >= 14) {
      const action = this.#tokens;
      if (result.includes('eyJ')) result = result.replace(jwtPattern, (_match, before: string, token: string) => `${before}${this.#apply(action, token)}`);
      if (result.includes('-----BEGIN')) result = result.replace(pemPattern, (match) => this.#apply(action, match));
      if (result.includes('://')) result = result.replace(urlCredentialPattern, (match, scheme: string) => `${scheme}${this.#apply(action, match.slice(scheme.length, -1))}@`);
      if (credentialHint.test(result)) result = result.replace(credentialPattern, (_match, scheme: string, space: string, credential: string) => `${scheme}${space}${this.#apply(action, credential)}`);
      if (keyOrEmail && mayHoldKnownKey(result)) result = result.replace(knownKeyPattern, (match) => this.#apply(action, match));
    }
    // `pwd=x` is short: checked whatever the length.
    const sensitiveKey = this.#sensitiveKey;
    if (keyOrEmail && this.#tokens !== 'keep' && sensitiveKey !== undefined && (result.includes('=') || result.includes('":') || result.includes("':") || result.includes('" :'))) {
      const action = this.#tokens;
      result = result.replace(keyedValuePattern, (match, key: string, joint: string, value: string) =>
        value === FILTERED || !(sensitiveKey.test(key) || textOnlySensitiveKeys.test(key)) ? match : `${key}${joint}${this.#apply(action, value)}`);
    }
    if (keyOrEmail && this.#emails !== 'keep' && (result.includes('@') || result.includes('%40') || result.includes('\uFF20'))) {
      const action = this.#emails;
      result = replaceEmails(result, (match) => this.#apply(action, match));
    }
    if (this.#cards !== 'keep' && fourDigits.test(result)) {
      const action = this.#cards;
      if (cardHint.test(result)) result = result.replace(digitRunPattern, (run) => (run.length < 13 ? run : this.#maskCardsIn(run, action)));
      if (result.length >= 15 && ibanHint.test(result)) result = result.replace(ibanPattern, (match) => (ibanValid(match) ? this.#apply(action, match) : match));
    }
    // After cards and IBANs (whose digit groups a phone pattern would also take) and before IPs.
    if (this.#phones !== 'keep' && longestPhoneRun(result) >= 8) {
      const action = this.#phones;
      const phone = (match: string): string => {
        const digits = match.replace(/\D/g, '').length;
        // A signed decimal (`+123456.78`) is an amount, not a number to call.
        return digits >= 8 && digits <= 15 && !signedDecimal.test(match) ? this.#apply(action, match) : match;
      };
      if (result.includes('+')) result = result.replace(internationalPhonePattern, phone);
      if (fourDigits.test(result)) result = result.replace(northAmericanPhonePattern, phone);
      if (phoneLabel.test(result)) result = result.replace(labelledPhonePattern, (_match, label: string, number: string) => `${label}${phone(number)}`);
    }
    if (this.#ips !== 'keep') {
      const ips = this.#ips;
      if (ipv4Hint.test(result)) {
        result = result.replace(ipv4Pattern, (match, a: string, b: string, c: string, d: string) => {
          if ([a, b, c, d].some((part) => Number(part) > 255)) return match;
          return ips === 'truncate' ? `${a}.${b}.${c}.0` : this.#apply(ips, match);
        });
      }
      if (ipv6Hint.test(result)) {
        result = result.replace(ipv6Pattern, (match: string) => {
          // A full address has eight groups; a shortened one has "::". Clock times do not qualify.
          const groups = match.split(':').filter((group) => group !== '').length;
          if (!(groups === 8 || (match.includes('::') && groups >= 2))) return match;
          return ips === 'truncate' ? truncateIpv6(match) : this.#apply(ips, match);
        });
      }
    }
    for (const rule of this.#valueRules) {
      rule.pattern.lastIndex = 0;
      result = result.replace(rule.pattern, (match) => this.#apply(rule.action, match));
    }
    return result;
  }

  /**
   * A number that is a payment card number (13 to 19 digits, Luhn-valid) is scrubbed like one in a
   * string: it becomes the action's string. Other numbers stay numbers.
   */
  number(value: number): number | string {
    if (this.#cards === 'keep' || !Number.isInteger(value) || Math.abs(value) < 1e12 || Math.abs(value) >= 1e19) return value;
    const digits = BigInt(Math.abs(value)).toString();
    return cardShaped(digits) && luhnValid(digits) ? this.#apply(this.#cards, digits) : value;
  }

  /**
   * How many values `value()` has changed so far, counting a client's own `[Filtered]` as one: a
   * caller compares it before and after to learn whether scrubbing (here or in the app) took
   * something out of a value that a rendered message may still hold.
   */
  get alterations(): number {
    return this.#alterations;
  }

  #alterations = 0;

  /**
   * The strings and numbers that key rules took out (hashed, masked or removed) since the last call,
   * as text: the caller takes them out of text that was rendered from them, such as a message.
   */
  takeKeyedValues(): readonly string[] {
    // Most events have none: no array is made for them.
    if (this.#keyedValues.length === 0) return noValues;
    const taken = this.#keyedValues;
    this.#keyedValues = [];
    return taken;
  }

  #keyedValues: string[] = [];

  #rememberKeyed(value: unknown): void {
    if (typeof value === 'string') this.#keyedValues.push(value);
    else if (typeof value === 'number' || typeof value === 'bigint') this.#keyedValues.push(String(value));
    else if (typeof value === 'object' && value !== null) for (const inner of Object.values(value)) this.#rememberKeyed(inner);
  }

  /** Scrubs any JSON value in place where possible; returns the scrubbed value. */
  value(value: unknown): unknown {
    if (typeof value === 'string') {
      const scrubbed = this.#fromCode ? this.codeString(value) : this.string(value);
      if (scrubbed !== value || value === FILTERED) this.#alterations++;
      return scrubbed;
    }
    if (typeof value === 'number') {
      const scrubbed = this.number(value);
      if (scrubbed !== value) this.#alterations++;
      return scrubbed;
    }
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) value[index] = this.value(value[index]);
      return value;
    }
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const { action, scrubbed: scrubbedKey } = this.#key(key);
        if (action !== undefined) {
          this.#alterations++;
          this.#rememberKeyed(record[key]);
        }
        if (action === 'remove') delete record[key];
        else if (action === 'hash') record[key] = this.#hash(typeof record[key] === 'string' ? (record[key] as string) : JSON.stringify(record[key]));
        else if (action === 'mask') record[key] = FILTERED;
        else record[key] = this.value(record[key]);
        // A key is data too (`{"alice@example.com": 3}`): scrubbed like a value, kept apart from
        // other keys that scrub to the same text.
        if (scrubbedKey !== key && Object.hasOwn(record, key)) {
          let renamed = scrubbedKey;
          for (let suffix = 2; Object.hasOwn(record, renamed); suffix++) renamed = `${scrubbedKey}#${suffix}`;
          record[renamed] = record[key];
          delete record[key];
          this.#alterations++;
        }
      }
      return record;
    }
    return value;
  }
}
