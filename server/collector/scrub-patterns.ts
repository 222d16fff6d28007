/**
 * What the scrubber looks for (scrub.ts): the patterns, the quick tests that let most strings skip
 * them, and the checks that tell a card number, an IBAN or a phone number from other digits.
 */
// Letters and digits of any script (`pérson@exämple.org`); `@` also percent-encoded, as in a logged
// URL's query (`?email=ann%40example.org`), or full-width. Parts are bounded as an address's are
// (a local part of at most 64 characters, labels of at most 63): unbounded, every start inside a
// long run of such characters scanned to its end, and a 32,000-character `aaaa…a@` took 4 s to
// scrub (quadratic), so one request of a few such strings held the collector for a minute. The
// scrubber finds what it finds with email-matcher.ts, in linear time; the pattern is its definition.
export const emailPattern = /[\p{L}\p{N}._%+-]{1,64}(?:@|%40|\uFF20)[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63})*\.\p{L}{2,63}/gu;
// Phone numbers, counted by their digits (8 to 15, E.164) once found: international (`+44 20 7946
// 0958`, `+1-415-555-2671`, `+33 6 12 34 56 78`), North American (`(415) 555-2671`, `415-555-2671`,
// `415.555.2671`), and any number written after a word that says it is one (`tel: 020 7946 0958`).
// Not preceded by a word character, `+`, `.` or `-`, so `1e+10`, versions and ids with dashes stay.
// Three patterns, each run only on strings that can hold its kind: most strings hold none.
export const internationalPhonePattern = /(?<![\w+.-])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){1,6}(?![\w+])/g;
export const northAmericanPhonePattern = /(?<![\w.-])(?:\(\d{3}\) ?|\d{3}[-.])\d{3}[-.]\d{4}(?![\w-])/g;
export const labelledPhonePattern = /(?<![a-z])((?:phone|tel|mobile|cell|fax|whatsapp)(?:[ _-]?(?:no|number|nr))?\.?\s*[:=#]?\s*)(\(?\d[\d ().-]{6,18}\d)(?![\w-])/gi;
export const phoneLabel = /phone|tel|mobile|cell|fax|whatsapp/i;
export const signedDecimal = /^\+\d+\.\d+$/;
// The value of a key written into text, as in query strings and logfmt (`password=…&`, `api_key=…`),
// or JSON logged as text (`"token": "…"`); the key is checked against the sensitive keys.
// JSON inside JSON text escapes its quotes (`\"password\": \"…\"`), as an OTLP body logged as an object is.
export const keyedValuePattern = /(?<![\w-])([A-Za-z][\w.-]{0,63}?)(=|\\?"\s*:\s*\\?"|'\s*:\s*')([^\s&"',;<>)\\]+)/g;
// A few keys only apps write in text: never object keys in Sentry's list, common in URLs.
export const textOnlySensitiveKeys = /^(?:pwd|pass|passphrase|pin|client_secret|sig|signature)$/i;
// API keys whose shape alone says what they are.
export const knownKeyPattern = /(?<![A-Za-z0-9])(?:(?:AKIA|ASIA)[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,99}|xox[abprs]-[A-Za-z0-9-]{10,255}|AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9])/g;
// Digit runs bounded by non-digits rather than word boundaries, so a card inside an identifier
// (`ref_4111111111111111_x`, `card4111111111111111`) is still found.
// A run of digit groups joined by single spaces or dashes: the card may be any consecutive groups of
// it (`paid 25 4111 1111 1111 1111`, `4111111111111111 12/27`), so each span is tried.
export const digitRunPattern = /(?<!\d)\d+(?:[ -]\d+)*(?!\d)/g;
export const ipv4Pattern = /(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\.?\d)/g;
// `Bearer xyz`, `Basic dXNlcjpwYXNz` (the scheme is kept, the credential masked), and JWTs anywhere.
export const credentialPattern = /\b(Bearer|Basic)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi;
// Tried once per run of token characters, from the run's first `eyJ` (the characters before it are
// kept, group 1): when that start fails, every later `eyJ` of the run fails too (its first part is
// shorter and meets the same dots). Tried from every `eyJ`, a 32,000-character `eyJeyJ…` took 2 s
// to scrub (quadratic).
export const jwtPattern = /(?<![A-Za-z0-9_-])((?:(?!eyJ)[A-Za-z0-9_-])*)(eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)/g;
export const pemPattern = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
// A scheme is at most 32 characters here: unbounded, every start in a long run of scheme
// characters scanned to its end (`://1-a1-a…`, 32,000 characters, took 1.1 s to scrub).
export const urlCredentialPattern = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
export const credentialHint = /b(?:earer|asic)\s/i;
export const ibanHint = /[A-Z]{2}\d{2}/;
export const ibanPattern = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;
// What each pattern needs at least, tested once before any of them runs: most strings (names,
// routes, templates) hold none of it and are returned as they are. An IPv4 address needs a digit,
// a dot and a digit; an IPv6 address a hex digit followed by a colon.
export const worthScanning = /[@.:]|\d{4}|eyJ|-----BEGIN|b(?:earer|asic)\s/i;
// What that quick test misses: `key=value`, an international phone number (`+33 6 12 34 56
// 78`: no four digits in a row), a full-width `@`, an API key of a known shape. Tested only on
// strings the quick test turned down, behind a test for single characters (most fail it).
export const furtherHint = /[=+\uFF20_]|\d\d[ .-]\d|A[KSI][IZz][Aa]|xox/;
// Anything a known API key, a `key=value` or `"key": "value"` secret, or an email needs.
export const keyOrEmailHint = /[@=\uFF20_]|%40|["']\s?:|AKIA|ASIA|AIza|xox/;
export const further = /[=+\uFF20]|\d\d[ .-]\d\d[ .-]\d\d|AKIA|ASIA|AIza|xox[abprs]-|gh[pousr]_|github_pat_|[sr]k_live_|[sr]k_test_/;
export const ipv4Hint = /\d\.\d/;
export const fourDigits = /\d{4}/;
// A card number is 13 to 19 digits in groups joined by single spaces or dashes.
export const cardHint = /\d(?:[ -]?\d){12}/;
export const ipv6Hint = /[0-9a-f]:/i;

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
export const ipv6Pattern = /(?<![\w:])((?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}|(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?)(?![\w:])/g;

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
export function longestPhoneRun(text: string): number {
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
export function mayHoldKnownKey(text: string): boolean {
  return text.includes('AKIA') || text.includes('ASIA') || text.includes('AIza') || text.includes('xox') || (text.includes('_') && /gh[pousr]_|github_pat_|k_live_|k_test_/.test(text));
}

export function truncateIpv6(address: string): string {
  const [head = ''] = address.split('::');
  const groups = head.split(':').filter((group) => group !== '');
  return `${groups.slice(0, 3).join(':')}::`;
}
