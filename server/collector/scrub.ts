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

// Letters and digits of any script (`pérson@exämple.org`); `@` also percent-encoded, as in a logged
// URL's query (`?email=ann%40example.org`), or full-width.
const emailPattern = /[\p{L}\p{N}._%+-]+(?:@|%40|\uFF20)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
// Phone numbers, counted by their digits (8 to 15, E.164) once found: international (`+44 20 7946
// 0958`, `+1-415-555-2671`, `+33 6 12 34 56 78`), North American (`(415) 555-2671`, `415-555-2671`,
// `415.555.2671`), and any number written after a word that says it is one (`tel: 020 7946 0958`).
// Not preceded by a word character, `+`, `.` or `-`, so `1e+10`, versions and ids with dashes stay.
// Three patterns, each run only on strings that can hold its kind: most strings hold none.
const internationalPhonePattern = /(?<![\w+.-])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){1,6}(?![\w+])/g;
const northAmericanPhonePattern = /(?<![\w.-])(?:\(\d{3}\) ?|\d{3}[-.])\d{3}[-.]\d{4}(?![\w-])/g;
const labelledPhonePattern = /(?<![a-z])((?:phone|tel|mobile|cell|fax|whatsapp)(?:[ _-]?(?:no|number|nr))?\.?\s*[:=#]?\s*)(\(?\d[\d ().-]{6,18}\d)(?![\w-])/gi;
const phoneLabel = /phone|tel|mobile|cell|fax|whatsapp/i;
const signedDecimal = /^\+\d+\.\d+$/;
// The value of a key written into text, as in query strings and logfmt (`password=…&`, `api_key=…`),
// or JSON logged as text (`"token": "…"`); the key is checked against the sensitive keys.
// JSON inside JSON text escapes its quotes (`\"password\": \"…\"`), as an OTLP body logged as an object is.
const keyedValuePattern = /(?<![\w-])([A-Za-z][\w.-]{0,63}?)(=|\\?"\s*:\s*\\?"|'\s*:\s*')([^\s&"',;<>)\\]+)/g;
// A few keys only apps write in text: never object keys in Sentry's list, common in URLs.
const textOnlySensitiveKeys = /^(?:pwd|pass|passphrase|pin|client_secret|sig|signature)$/i;
// API keys whose shape alone says what they are.
const knownKeyPattern = /(?<![A-Za-z0-9])(?:(?:AKIA|ASIA)[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,99}|xox[abprs]-[A-Za-z0-9-]{10,255}|AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9])/g;
// Digit runs bounded by non-digits rather than word boundaries, so a card inside an identifier
// (`ref_4111111111111111_x`, `card4111111111111111`) is still found.
// A run of digit groups joined by single spaces or dashes: the card may be any consecutive groups of
// it (`paid 25 4111 1111 1111 1111`, `4111111111111111 12/27`), so each span is tried.
const digitRunPattern = /(?<!\d)\d+(?:[ -]\d+)*(?!\d)/g;
const ipv4Pattern = /(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\.?\d)/g;
// `Bearer xyz`, `Basic dXNlcjpwYXNz` (the scheme is kept, the credential masked), and JWTs anywhere.
const credentialPattern = /\b(Bearer|Basic)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi;
const jwtPattern = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const pemPattern = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const urlCredentialPattern = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
const credentialHint = /b(?:earer|asic)\s/i;
const ibanHint = /[A-Z]{2}\d{2}/;
const ibanPattern = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;
// What each pattern needs at least, tested once before any of them runs: most strings (names,
// routes, templates) hold none of it and are returned as they are. An IPv4 address needs a digit,
// a dot and a digit; an IPv6 address a hex digit followed by a colon.
const worthScanning = /[@.:]|\d{4}|eyJ|-----BEGIN|b(?:earer|asic)\s/i;
// What that quick test misses: `key=value`, an international phone number (`+33 6 12 34 56
// 78`: no four digits in a row), a full-width `@`, an API key of a known shape. Tested only on
// strings the quick test turned down, behind a test for single characters (most fail it).
const furtherHint = /[=+\uFF20_]|\d\d[ .-]\d|A[KSI][IZz][Aa]|xox/;
// Anything a known API key, a `key=value` or `"key": "value"` secret, or an email needs.
const keyOrEmailHint = /[@=\uFF20_]|%40|["']\s?:|AKIA|ASIA|AIza|xox/;
const further = /[=+\uFF20]|\d\d[ .-]\d\d[ .-]\d\d|AKIA|ASIA|AIza|xox[abprs]-|gh[pousr]_|github_pat_|[sr]k_live_|[sr]k_test_/;
const ipv4Hint = /\d\.\d/;
const fourDigits = /\d{4}/;
// A card number is 13 to 19 digits in groups joined by single spaces or dashes.
const cardHint = /\d(?:[ -]?\d){12}/;
const ipv6Hint = /[0-9a-f]:/i;

/** The IBAN check (ISO 13616): the rearranged number, letters as 10..35, is 1 modulo 97. */
export function ibanValid(text: string): boolean {
  const compact = text.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  let remainder = 0;
  for (const character of `${compact.slice(4)}${compact.slice(0, 4)}`) {
    const code = character.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : character;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}
const ipv6Pattern = /(?<![\w:])((?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}|(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?)(?![\w:])/g;

/**
 * Whether a digit string has the shape of some card brand's numbers (prefix and length): Visa 4
 * (13, 16, 19), Mastercard 51-55 and 2221-2720 (16), Amex 34 and 37 (15), Diners 30, 36, 38 (14-19),
 * JCB 35 (16-19), Discover, UnionPay and Maestro 5 and 6 (13-19). Millisecond timestamps (1…, 13
 * digits) and most order or account numbers fail it, so a Luhn match alone does not mask them.
 */
export function cardShaped(digits: string): boolean {
  const length = digits.length;
  const first = digits[0];
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if (first === '4') return length === 13 || length === 16 || length === 19;
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return length === 16 || (two >= 51 && two <= 55 && length >= 13);
  if (two === 34 || two === 37) return length === 15;
  if (two === 30 || two === 36 || two === 38 || two === 35) return length >= 14;
  if (first === '5' || first === '6') return length >= 13;
  return false;
}

/** The Luhn checksum, which every payment card number satisfies. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * The most digits in one run of digits with at most two of ` .-()+` between neighbours: a phone
 * number is such a run of 8 digits or more (`(415) 555-2671`: 10), and most strings have none.
 */
function longestPhoneRun(text: string): number {
  let longest = 0;
  let run = 0;
  let gap = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) {
      run++;
      gap = 0;
      if (run > longest) longest = run;
    } else if (run > 0 && gap < 2 && (code === 32 || code === 46 || code === 45 || code === 40 || code === 41 || code === 43)) {
      gap++;
    } else {
      run = 0;
      gap = 0;
    }
  }
  return longest;
}

/** Whether the text may hold an API key of a known shape (a few substring tests, cheaper than the pattern). */
function mayHoldKnownKey(text: string): boolean {
  return text.includes('AKIA') || text.includes('ASIA') || text.includes('AIza') || text.includes('xox') || (text.includes('_') && /gh[pousr]_|github_pat_|k_live_|k_test_/.test(text));
}

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
    let result = value;
    // One pass says whether a known API key, a `key=value` secret or an email can be here at all.
    const keyOrEmail = keyOrEmailHint.test(result);
    if (this.#tokens !== 'keep' && result.length >= 14) {
      const action = this.#tokens;
      if (result.includes('eyJ')) result = result.replace(jwtPattern, (match) => this.#apply(action, match));
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
      result = result.replace(emailPattern, (match) => this.#apply(action, match));
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
      const scrubbed = this.string(value);
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

function truncateIpv6(address: string): string {
  const [head = ''] = address.split('::');
  const groups = head.split(':').filter((group) => group !== '');
  return `${groups.slice(0, 3).join(':')}::`;
}
