import { describe, expect, it } from 'vitest';
import { checkStructure, checkStructureIteratively, defaultLimits } from '../collector/limits.js';
import fc from 'fast-check';
import { replaceEmails } from '../collector/email-matcher.js';
import { Scrubber, luhnValid } from '../collector/scrub.js';
import { emailPattern } from '../collector/scrub-patterns.js';

describe('Scrubber', () => {
  it('masks Luhn-valid card numbers only', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    const scrubber = new Scrubber();
    expect(scrubber.string('card 5500-0000-0000-0004, order 5500-0000-0000-0005')).toBe('card [Filtered], order 5500-0000-0000-0005');
  });

  it('finds a card number beside other numbers: an amount before it, an expiry, a CVV or a year after it', () => {
    const scrubber = new Scrubber();
    expect(scrubber.string('card 4111111111111111 12/27 cvv 123')).toBe('card [Filtered] 12/27 cvv 123');
    expect(scrubber.string('paid 25 4111111111111111')).toBe('paid 25 [Filtered]');
    expect(scrubber.string('5555555555554444 10')).toBe('[Filtered] 10');
    expect(scrubber.string('amex 378282246310005 2027')).toBe('amex [Filtered] 2027');
    expect(scrubber.string('2026-12-07 4111111111111111')).toBe('2026-12-07 [Filtered]');
    expect(scrubber.string('paid 25 4111 1111 1111 1111 on 2026-12-07')).toBe('paid 25 [Filtered] on 2026-12-07');
    expect(scrubber.string('two: 4111111111111111 5555555555554444')).toBe('two: [Filtered] [Filtered]');
    // Numbers that are not cards stay: an order id of 20 digits, a phone-like run, a failing Luhn.
    expect(scrubber.string('order 41111111111111110000 ref 4111111111111112 12')).toBe('order 41111111111111110000 ref 4111111111111112 12');
  });

  it('masks emails and truncates IPv4 to /24 and IPv6 to /48, leaving versions and times alone', () => {
    const scrubber = new Scrubber();
    expect(scrubber.string('from 203.0.113.77 and 2001:db8:abcd:12::1 by x.y@mail.example.co.uk')).toBe('from 203.0.113.0 and 2001:db8:abcd:: by [Filtered]');
    expect(scrubber.string('v1.2.3.4000 at 12:30:45 on 999.1.1.1')).toBe('v1.2.3.4000 at 12:30:45 on 999.1.1.1');
  });

  it('finds what each pattern looks for past the quick test every string gets first', () => {
    const scrubber = new Scrubber();
    // Shortest cards and cards whose groups are joined by single spaces or dashes.
    expect(scrubber.string('visa 4222222222222 ok')).toBe('visa [Filtered] ok');
    expect(scrubber.string('4111-1111-1111-1111')).toBe('[Filtered]');
    expect(scrubber.string('n4111 1111 1111 1111x')).toBe('n[Filtered]x');
    // An IBAN whose digits are split by letters (no run of 13), a bare IPv6, an IPv4 with a port.
    expect(scrubber.string('iban NL91ABNA0417164300')).toBe('iban [Filtered]');
    expect(scrubber.string('fe80::1ff:fe23:4567:890a')).toBe('fe80::');
    expect(scrubber.string('peer 10.1.2.3:8080')).toBe('peer 10.1.2.0:8080');
    expect(scrubber.string('Authorization: BASIC dXNlcjpwYXNzd29yZA==')).toBe('Authorization: BASIC [Filtered]');
    // Strings holding none of what any pattern needs come back as they were.
    for (const plain of ['order %s paid %d cents by %s', '/api/checkout', 'eu-west-1', 'req-7f3a9c', 'user-1842', 'src/api/checkout/payment.ts']) expect(scrubber.string(plain)).toBe(plain);
  });

  it('applies configured rules: remove and hash keys, mask patterns', () => {
    const scrubber = new Scrubber({ rules: [{ key: '^ssn$', action: 'remove' }, { key: 'customer', action: 'hash' }, { pattern: 'ORD-\\d+', action: 'mask' }], salt: 's' });
    const value = scrubber.value({ ssn: '078-05-1120', customer: 'ann', note: 'see ORD-1234', password: 'p' }) as Record<string, unknown>;
    expect(value).toEqual({ customer: expect.stringMatching(/^hash:[0-9a-f]{16}$/), note: 'see [Filtered]', password: '[Filtered]' });
    expect(new Scrubber({ rules: [{ key: 'customer', action: 'hash' }], salt: 's' }).value({ customer: 'ann' })).toEqual({ customer: value['customer'] });
    expect(new Scrubber({ rules: [{ key: 'customer', action: 'hash' }], salt: 't' }).value({ customer: 'ann' })).not.toEqual({ customer: value['customer'] });
  });

  it('scrubs keys, card numbers sent as JSON numbers or inside tokens, and credentials in free text', () => {
    const scrubber = new Scrubber();
    expect(scrubber.value({ 'ann@example.com': 3, card: 4111111111111111, order: 4111111111111112, ref: 'ref_4111111111111111_x' })).toEqual({
      '[Filtered]': 3, card: '[Filtered]', order: 4111111111111112, ref: 'ref_[Filtered]_x',
    });
    expect(scrubber.value({ 'a@example.com': 1, 'b@example.com': 2 })).toEqual({ '[Filtered]': 1, '[Filtered]#2': 2 });
    expect(scrubber.string('retry with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_1 and Basic dXNlcjpwYXNzd29yZA=='))
      .toBe('retry with Authorization: Bearer [Filtered] and Basic [Filtered]');
    expect(scrubber.string('cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc inline')).toBe('cookie [Filtered] inline');
    expect(scrubber.string('ip_10.1.2.3_x and 10.1.2.3.4 stays')).toBe('ip_10.1.2.0_x and 10.1.2.3.4 stays');
    expect(scrubber.string('pay to DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432, not DE89370400440532013001'))
      .toBe('pay to [Filtered] or [Filtered], not DE89370400440532013001');
    expect(scrubber.string('db at postgres://ann:hunter2@db.internal:5432/app')).toBe('db at postgres://[Filtered]@db.internal:5432/app');
    expect(scrubber.string('key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end')).toBe('key [Filtered] end');
  });

  it('masks phone numbers, secrets written as key=value or JSON text, %40 and non-ASCII emails, and API keys of known shapes', () => {
    const scrubber = new Scrubber();
    const masked: [string, string][] = [
      ['support: +44 20 7946 0958 or (415) 555-2671', 'support: [Filtered] or [Filtered]'],
      ['+1-415-555-2671, +33 6 12 34 56 78, +14155552671, 415.555.2671', '[Filtered], [Filtered], [Filtered], [Filtered]'],
      ['tel: 020 7946 0958', 'tel: [Filtered]'],
      ['mobile=07700900123', 'mobile=[Filtered]'],
      ['GET /login?user=ann&password=hunter2&next=/home', 'GET /login?user=ann&password=[Filtered]&next=/home'],
      ['upload failed api_key=sk_test_4eC39HqLy status=401', 'upload failed api_key=[Filtered] status=401'],
      ['body {"access_token": "ya29.a0Af", "ok": true}', 'body {"access_token": "[Filtered]", "ok": true}'],
      ['nested {\\"pwd\\": \\"s3cr3t\\"}', 'nested {\\"pwd\\": \\"[Filtered]\\"}'],
      ['GET /unsubscribe?email=ann.lee%40example.org&list=7', 'GET /unsubscribe?email=[Filtered]&list=7'],
      ['from zoë.müller@bücher.de and ann\uFF20example.org', 'from [Filtered] and [Filtered]'],
      ['keys AKIAIOSFODNN7EXAMPLE ghp_16C7e42F292c6912E7710c838347Ae178B4a xoxb-123456789012-abcdefghij', 'keys [Filtered] [Filtered] [Filtered]'],
    ];
    for (const [text, expected] of masked) expect(scrubber.string(text)).toBe(expected);
    // What only looks like them stays: times with offsets, amounts, durations, versions, dates, ids, counters.
    const kept = [
      '2026-12-07T10:00:00+01:00', '2026-12-07T10:00:00.123+0100', 'delta +123456.78', '+5 more items', '1e+10', 'took 12345678 ms',
      'duration_ms=12345678', 'port=8080', 'GET /api/users?page=2&limit=50 200', 'v1.2.3 and 10.20.30', 'ISBN 978-3-16-148410-0',
      'id 0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', 'epoch 1796665866196', 'hotel 12345678', 'phone_count=12', '(555) 123', 'x=1+2',
    ];
    for (const text of kept) expect(scrubber.string(text)).toBe(text);
    const off = new Scrubber({ phoneNumbers: 'keep', tokens: 'keep' });
    expect(off.string('call +44 20 7946 0958 with password=hunter2')).toBe('call +44 20 7946 0958 with password=hunter2');
  });

  it('scrubs strings built to make its patterns backtrack in linear time, and still masks what follows a long run', () => {
    const scrubber = new Scrubber();
    // Each at the 32,000-character string limit; unbounded, the pattern took about 4 s on each (17 s
    // in all); bounded, the percent-encoded markers still cost it 140 ms; `eyJeyJ…` took the JWT
    // pattern 2 s, and a long run of URL-scheme characters the URL-credential pattern 1.1 s.
    const hostile = ['a'.repeat(31_999) + '@', `a@${'b.'.repeat(15_999)}`, `${'a.'.repeat(16_000)}@`, `x@${'b'.repeat(31_997)}.`, '%40'.repeat(10_666), 'eyJ'.repeat(10_666), `://${'1-a'.repeat(10_665)}`];
    const started = performance.now();
    for (const text of hostile) expect(scrubber.string(text)).toBe(text);
    expect(performance.now() - started).toBeLessThan(1_000);
    // An address after a long run is still found (its local part is its last 64 characters, as an address's is at most).
    expect(scrubber.string(`${'x'.repeat(100)} ann@example.org`)).toBe(`${'x'.repeat(100)} [Filtered]`);
    expect(scrubber.string(`${'x'.repeat(100)}ann@example.org`)).toBe(`${'x'.repeat(39)}[Filtered]`);
    // A token glued to what precedes it in its run is still found, from its `eyJ`.
    expect(scrubber.string('ref_eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end')).toBe('ref_[Filtered] end');
    expect(scrubber.string('eyJx eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig')).toBe('eyJx [Filtered]');
  });

  it('finds exactly the addresses the email pattern defines, without running it (which backtracks)', () => {
    // Pieces that exercise the pattern's corners: percent-encoded and full-width markers, runs past
    // the 64-character local part, astral and non-ASCII letters, dots and hyphens in domains.
    const pieces = ['a', 'b', 'Z', '1', '.', '.', '@', '@', '%40', '%4', '%', '-', '_', '+', ' ', 'é', '😀', '\uFF20', 'co', 'org', 'x'.repeat(30), 'é'.repeat(40), ',', '"'];
    const mark = (address: string): string => `[${address}]`;
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), (parts) => {
      const text = parts.join('');
      expect(replaceEmails(text, mark)).toBe(text.replace(emailPattern, mark));
    }), { numRuns: 20_000 });
  });

  it('scrubs code strings (stack frames, call sites) as it scrubs data, the hundredth time as the first, past any number of distinct ones', () => {
    const scrubber = new Scrubber({ rules: [{ pattern: 'secret-[a-z]+', action: 'mask' }] });
    const strings = ['src/api/checkout/payment.ts', '/home/ann@example.com/app/index.ts', 'chargeCard', 'build-secret-abc/main.js', 'pay 4111111111111111.ts', 'a.b'];
    const expected = strings.map((text) => new Scrubber({ rules: [{ pattern: 'secret-[a-z]+', action: 'mask' }] }).string(text));
    expect(expected).toEqual(['src/api/checkout/payment.ts', '/home/[Filtered]/app/index.ts', 'chargeCard', 'build-[Filtered]/main.js', 'pay [Filtered].ts', 'a.b']);
    for (let round = 0; round < 100; round++) expect(strings.map((text) => scrubber.codeString(text))).toEqual(expected);
    // More distinct clean strings than are remembered, then the same again.
    for (let index = 0; index < 10_000; index++) scrubber.codeString(`src/module${index}.ts`);
    expect(strings.map((text) => scrubber.codeString(text))).toEqual(expected);
    const frames = () => [{ function: 'handle', file: '/home/ann@example.com/app/index.ts', line: 4 }, { function: 'main', file: 'src/main.ts', line: 9 }];
    for (let round = 0; round < 3; round++) {
      expect(scrubber.codeValue(frames())).toEqual([{ function: 'handle', file: '/home/[Filtered]/app/index.ts', line: 4 }, { function: 'main', file: 'src/main.ts', line: 9 }]);
    }
    // Data strings scrubbed after a code value are not taken for code.
    expect(scrubber.value(['user ann@example.com'])).toEqual(['user [Filtered]']);
  });

  it('can keep what a deployment decides to keep', () => {
    const scrubber = new Scrubber({ emails: 'keep', ipAddresses: 'keep', sensitiveKeys: false });
    expect(scrubber.value({ token: 'abc', text: 'ann@example.com 10.0.0.1' })).toEqual({ token: 'abc', text: 'ann@example.com 10.0.0.1' });
  });
});

describe('checkStructure', () => {
  it('names the path of the first problem', () => {
    expect(checkStructure({ a: { b: [1, { ['c'.repeat(defaultLimits.stringLength + 1)]: 1 }] } }, defaultLimits)).toMatchObject({ reason: 'string_too_long', path: '/a/b/1' });
    expect(checkStructure(JSON.parse('{"a":{"__proto__":{"x":1}}}'), defaultLimits)).toMatchObject({ reason: 'forbidden_key', path: '/a/__proto__' });
    expect(checkStructure({ 'a/b': { '~': '\ud800' } }, defaultLimits)).toMatchObject({ reason: 'invalid_string', path: '/a~1b/~0' });
    expect(checkStructure({ ok: ['fine', 1, null, { deep: true }] }, defaultLimits)).toBeUndefined();
    // 1e400 parses as Infinity, which would be stored as null: refused where it is, by both walks.
    const huge = JSON.parse('{"args":[1,{"n":1e400}]}') as unknown;
    expect(checkStructure(huge, defaultLimits)).toMatchObject({ reason: 'number_out_of_range', path: '/args/1/n' });
    expect(checkStructureIteratively(huge, defaultLimits)).toMatchObject({ reason: 'number_out_of_range', path: '/args/1/n' });
  });

  it('scrubs keys the same on every event, whether their outcome is remembered or not, past any number of distinct keys', () => {
    const scrubber = new Scrubber({ rules: [{ key: '^internal', action: 'remove' }, { key: '^pin$', action: 'hash' }], salt: 'salt' });
    const event = () => ({ password: 'hunter2', 'alice@example.com': 3, internalNote: 'x', pin: '1234', requestId: 'req-1' });
    const first = scrubber.value(event());
    // More distinct keys than are remembered, then the same event again.
    for (let index = 0; index < 10_000; index++) scrubber.value({ [`key${index}@example.com`]: index, [`plain${index}`]: 'v' });
    for (const again of [scrubber.value(event()), scrubber.value(event())]) expect(again).toEqual(first);
    expect(first).toEqual({ password: '[Filtered]', '[Filtered]': 3, pin: expect.stringMatching(/^hash:[0-9a-f]{16}$/), requestId: 'req-1' });
    expect(scrubber.value({ 'bob@example.com': 1, 'carol@example.com': 2 })).toEqual({ '[Filtered]': 1, '[Filtered]#2': 2 });
  });
});
