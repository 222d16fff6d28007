/**
 * Scrubbing covers every stored string. fast-check plants PII (emails, Luhn-valid card numbers as
 * strings, inside tokens and as JSON numbers, IBANs, IP addresses, bearer credentials, JWTs, URL
 * passwords, private keys, phone numbers, percent-encoded and non-ASCII emails, secrets in
 * `key=value` and `"key": "value"` text, API keys of known shapes) in every
 * field of the envelope and of OTLP records, and none of it is found in the row the store keeps,
 * which is everything any key can read back. The person's own identifiers (`userId`,
 * `sessionId`) are kept on purpose: erasure and export find the person by them.
 * One run through the collector reads the same back over HTTP with the admin key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventToRow, type Envelope } from '../collector/event-to-row.js';
import { otlpToEnvelopes } from '../collector/otlp-to-envelope.js';
import { checkSchema } from '../collector/schema-check.js';
import { Scrubber, luhnValid } from '../collector/scrub.js';
import { keys, post, startCollector } from './helpers/collector-process.js';

const lower = fc.stringMatching(/^[a-z][a-z0-9]{2,9}$/);

const email = fc.tuple(lower, fc.constantFrom('', '.', '_', '+', '-'), lower, lower, fc.constantFrom('com', 'org', 'co.uk', 'example'))
  .map(([user, separator, more, domain, tld]) => `${user}${separator}${more}@${domain}.${tld}`);

/** A Luhn-valid card number: an issuer prefix, random digits, and the check digit that fits. */
const cardDigits = fc.tuple(fc.constantFrom(['4', 16], ['4', 13], ['51', 16], ['55', 16], ['2720', 16], ['37', 15], ['6011', 16], ['62', 19], ['35', 16]), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }))
  .map(([[prefix, length], digits]) => {
    const body = `${prefix}${digits.join('')}`.slice(0, (length as number) - 1);
    for (let check = 0; check <= 9; check++) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
    throw new Error('unreachable');
  });
const card = fc.tuple(cardDigits, fc.constantFrom('plain', 'spaced', 'dashed', 'token', 'glued')).map(([digits, shape]) => {
  const groups = digits.match(/.{1,4}/g)!;
  const text = shape === 'spaced' ? groups.join(' ') : shape === 'dashed' ? groups.join('-') : shape === 'token' ? `ref_${digits}_x` : shape === 'glued' ? `card${digits}` : digits;
  return { text, secret: digits, spaced: shape === 'spaced' || shape === 'dashed' ? text : digits };
});
const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 }))
  .map((parts) => parts.join('.'));
const ipv6 = fc.array(fc.integer({ min: 1, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((groups) => groups.map((group) => group.toString(16)).join(':'));
const base64url = fc.stringMatching(/^[A-Za-z0-9_-]{10,40}$/);
const jwt = fc.tuple(base64url, base64url, base64url).map(([header, payload, signature]) => `eyJ${header}.eyJ${payload}.${signature}`);
const bearer = fc.stringMatching(/^[A-Za-z0-9._~+/-]{16,40}$/);
/** A valid IBAN: a country, the check digits that fit, and a numeric account part. */
const iban = fc.tuple(fc.constantFrom('DE', 'GB', 'FR', 'NL'), fc.stringMatching(/^[0-9]{18}$/)).map(([country, account]) => {
  const numeric = `${account}${[...country].map((letter) => letter.charCodeAt(0) - 55).join('')}00`;
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return `${country}${String(98 - remainder).padStart(2, '0')}${account}`;
});
const password = fc.stringMatching(/^[A-Za-z0-9!$%*]{8,20}$/);
/** A phone number as people write them: international with spaces, dashes or none, North American, or after a word. */
const phone = fc.tuple(fc.constantFrom('+44', '+1', '+33', '+49', '+91'), fc.stringMatching(/^[1-9][0-9]{9,10}$/), fc.constantFrom('plain', 'spaced', 'dashed', 'nanp', 'labelled'))
  .map(([country, number, shape]) => {
    if (shape === 'nanp') return `(${number.slice(0, 3)}) ${number.slice(3, 6)}-${number.slice(6, 10)}`;
    if (shape === 'labelled') return `tel: 0${number.slice(0, 2)} ${number.slice(2, 6)} ${number.slice(6)}`;
    const groups = number.match(/.{1,3}/g)!;
    return shape === 'plain' ? `${country}${number}` : `${country}${shape === 'spaced' ? ' ' : '-'}${groups.join(shape === 'spaced' ? ' ' : '-')}`;
  });
const secretKey = fc.constantFrom('password', 'passwd', 'pwd', 'api_key', 'apiKey', 'access_token', 'client_secret', 'auth');
/** API keys recognisable by their shape. */
const apiKey = fc.tuple(fc.constantFrom('AKIA', 'ghp_', 'sk_live_', 'xoxb-', 'AIza'), fc.stringMatching(/^[A-Z0-9]{40}$/)).map(([prefix, body]) => {
  const lengths: Record<string, number> = { AKIA: 16, ghp_: 36, sk_live_: 24, 'xoxb-': 30, AIza: 35 };
  return `${prefix}${body.slice(0, lengths[prefix])}`;
});

interface Planted {
  /** The text put into a field. */
  text: string;
  /** What must not be readable afterwards. */
  secrets: string[];
}

const pii: fc.Arbitrary<Planted> = fc.oneof(
  email.map((address) => ({ text: `contact ${address} now`, secrets: [address] })),
  card.map(({ text, secret, spaced }) => ({ text: `paid with ${text}.`, secrets: [secret, spaced] })),
  ipv4.map((address) => ({ text: `from ${address}:443`, secrets: [address] })),
  ipv6.map((address) => ({ text: `from [${address}]`, secrets: [address] })),
  jwt.map((token) => ({ text: `token=${token}`, secrets: [token] })),
  bearer.map((token) => ({ text: `sent Authorization: Bearer ${token} upstream`, secrets: [token] })),
  iban.map((number) => ({ text: `refund to ${number} today`, secrets: [number] })),
  fc.tuple(lower, password).map(([user, secret]) => ({ text: `connect https://${user}:${secret}@db.internal/x`, secrets: [`${user}:${secret}`, secret] })),
  base64url.map((body) => ({ text: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`, secrets: [body] })),
  phone.map((number) => ({ text: `call ${number} back`, secrets: [number.replace(/^tel: /, '')] })),
  email.map((address) => ({ text: `GET /unsubscribe?email=${encodeURIComponent(address)}&list=7`, secrets: [encodeURIComponent(address)] })),
  fc.tuple(lower, lower).map(([user, domain]) => ({ text: `from ${user}é@${domain}ü.de`, secrets: [`${user}é@${domain}ü.de`] })),
  fc.tuple(secretKey, password).map(([key, secret]) => ({ text: `GET /login?user=ann&${key}=${secret}&next=/`, secrets: [secret] })),
  fc.tuple(secretKey, password).map(([key, secret]) => ({ text: `{"${key}": "${secret}", "ok": true}`, secrets: [secret] })),
  apiKey.map((key) => ({ text: `using ${key} for upload`, secrets: [key] })),
);

/** Every place of the envelope a string (or a key) can be stored. */
const fields = [
  'template', 'name', 'message', 'args.string', 'args.number', 'args.nested', 'attributes.value', 'attributes.key', 'attributes.nested.key',
  'vars.value', 'vars.key', 'stack.function', 'stack.module', 'stack.file', 'code.module', 'code.file', 'code.function',
  'error.type', 'error.message', 'error.stack', 'error.cause.message', 'error.cause.value', 'service.name',
] as const;
type Field = (typeof fields)[number];

function baseEnvelope(): Envelope & Record<string, any> {
  return {
    id: '01890000-0000-7000-8000-000000000001', ts: 1_700_000_000_000, kind: 'event', severity: 'INFO', severityNumber: 9, name: 'n',
    template: 't %s', args: ['a'], message: 'm', attributes: {}, context: { vars: {}, stack: [] }, schemaVersion: 1,
  };
}

function plant(event: Envelope & Record<string, any>, field: Field, planted: Planted, cardNumber: string): void {
  const { text } = planted;
  const frame = { function: 'f', module: 'm', file: 'f.ts', line: 1 };
  const code = { module: 'm', file: 'f.ts', line: 1, function: 'f' };
  switch (field) {
    case 'template': event.template = text; break;
    case 'name': event.name = text.slice(0, 200); break;
    case 'message': event.message = text; break;
    case 'args.string': event.args = [text]; break;
    case 'args.number': event.args = [Number(cardNumber)]; break;
    case 'args.nested': event.args = [{ deep: [{ text }] }]; break;
    case 'attributes.value': event.attributes = { note: text, amount: Number(cardNumber) }; break;
    case 'attributes.key': event.attributes = { [text]: 1 }; break;
    case 'attributes.nested.key': event.attributes = { by: { [text]: { [text]: true } } }; break;
    case 'vars.value': event.context.vars = { plan: text }; break;
    case 'vars.key': event.context.vars = { [text]: 'x' }; break;
    case 'stack.function': event.context.stack = [{ ...frame, function: text }]; break;
    case 'stack.module': event.context.stack = [{ ...frame, module: text }]; break;
    case 'stack.file': event.context.stack = [{ ...frame, file: text }]; break;
    case 'code.module': event.code = { ...code, module: text }; break;
    case 'code.file': event.code = { ...code, file: text }; break;
    case 'code.function': event.code = { ...code, function: text }; break;
    case 'error.type': event.error = { type: text, message: 'm' }; break;
    case 'error.message': event.error = { type: 'E', message: text }; break;
    case 'error.stack': event.error = { type: 'E', message: 'm', stack: `E: m\n    at ${text}` }; break;
    case 'error.cause.message': event.error = { type: 'E', message: 'm', cause: { type: 'C', message: text, cause: { type: 'D', message: text } } } as Envelope['error']; break;
    case 'error.cause.value': event.error = { type: 'E', message: 'm', cause: { value: text } } as Envelope['error']; break;
    case 'service.name': event.service = { name: text }; break;
  }
}

function readable(row: unknown): string {
  return JSON.stringify(row);
}

describe('scrubbing every stored string', () => {
  it('finds no planted PII in any field of the envelope after scrubbing', () => {
    const scrubber = new Scrubber({ salt: 'property' });
    fc.assert(
      fc.property(fc.constantFrom(...fields), pii, cardDigits, fc.boolean(), (field, planted, cardNumber, withMessage) => {
        const event = baseEnvelope();
        if (!withMessage) delete event.message;
        plant(event, field, planted, cardNumber);
        expect(checkSchema(event)).toBeUndefined();
        const stored = readable(eventToRow('default', event, Date.now(), scrubber));
        for (const secret of [...planted.secrets, cardNumber]) expect(stored, `${field}: ${secret}`).not.toContain(secret);
      }),
      { numRuns: 600 },
    );
  });

  it('finds no planted PII in OTLP bodies, attributes, resources and exceptions after scrubbing', () => {
    const scrubber = new Scrubber({ salt: 'property' });
    const places = ['body', 'body.kvlist', 'body.array', 'attribute', 'attribute.key', 'attribute.int', 'resource', 'exception', 'context', 'template', 'event.name'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...places), pii, cardDigits, (place, planted, cardNumber) => {
        const { text } = planted;
        const attributes: { key: string; value: unknown }[] = [];
        let body: unknown = { stringValue: 'plain' };
        const resource: { key: string; value: unknown }[] = [{ key: 'service.name', value: { stringValue: 'svc' } }];
        if (place === 'body') body = { stringValue: text };
        if (place === 'body.kvlist') body = { kvlistValue: { values: [{ key: 'k', value: { stringValue: text } }, { key: text, value: { intValue: cardNumber } }] } };
        if (place === 'body.array') body = { arrayValue: { values: [{ stringValue: text }, { doubleValue: Number(cardNumber) }] } };
        if (place === 'attribute') attributes.push({ key: 'note', value: { stringValue: text } });
        if (place === 'attribute.key') attributes.push({ key: text, value: { boolValue: true } });
        if (place === 'attribute.int') attributes.push({ key: 'amount', value: { intValue: cardNumber } });
        if (place === 'resource') resource.push({ key: 'service.name', value: { stringValue: text } });
        if (place === 'exception') attributes.push({ key: 'exception.type', value: { stringValue: text } }, { key: 'exception.message', value: { stringValue: text } }, { key: 'exception.stacktrace', value: { stringValue: text } });
        if (place === 'context') attributes.push({ key: 'logmill.context.plan', value: { stringValue: text } });
        if (place === 'template') attributes.push({ key: 'logmill.template', value: { stringValue: text } });
        if (place === 'event.name') attributes.push({ key: 'logmill.kind', value: { stringValue: 'event' } }, { key: 'event.name', value: { stringValue: text.slice(0, 200) } });
        const request = { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ logRecords: [{ timeUnixNano: '1700000000000000000', body, attributes }] }] }] };
        const [envelope] = otlpToEnvelopes(request, Date.now());
        expect(checkSchema(envelope)).toBeUndefined();
        const stored = readable(eventToRow('default', envelope!, Date.now(), scrubber));
        for (const secret of [...planted.secrets, ...(place.startsWith('body.') || place === 'attribute.int' ? [cardNumber] : [])]) {
          expect(stored, `${place}: ${secret}`).not.toContain(secret);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('keeps what is not PII: order numbers that fail Luhn, versions, times, ordinary numbers', () => {
    const scrubber = new Scrubber();
    const event = baseEnvelope();
    event.template = 'order 4111111111111112 v1.2.3 at 12:30:45';
    event.attributes = { count: 1234567890123, order: 4111111111111112, ratio: 0.5, 'plain key': 'Basic idea' };
    const row = eventToRow('default', event, Date.now(), scrubber);
    expect(row.template).toBe('order 4111111111111112 v1.2.3 at 12:30:45');
    expect(row.attributes).toEqual({ count: 1234567890123, order: 4111111111111112, ratio: 0.5, 'plain key': 'Basic idea' });
  });

  it('keeps millisecond timestamps and other Luhn-valid numbers no card brand issues', () => {
    const scrubber = new Scrubber();
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000_000_000, max: 1_999_999_999_999 }), (millisecond) => {
        expect(scrubber.value({ at: millisecond, text: `at ${millisecond}` })).toEqual({ at: millisecond, text: `at ${millisecond}` });
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the person\'s identifiers as sent, so people stay apart and erasure finds them', () => {
    const scrubber = new Scrubber();
    const rows = ['ann@example.com', 'bob@example.com'].map((email) => {
      const event = baseEnvelope();
      event.context.vars = { userId: email, sessionId: `s-${email}` };
      return eventToRow('default', event, Date.now(), scrubber);
    });
    expect(rows.map((row) => [row.user_id, row.session_id])).toEqual([['ann@example.com', 's-ann@example.com'], ['bob@example.com', 's-bob@example.com']]);
    // The copy among the context variables is scrubbed like any other value.
    expect(rows[0]!.context_vars['userId']).toBe('[Filtered]');
    expect(JSON.stringify(rows[0]!.context_vars)).not.toContain('ann@example.com');
  });

  it('reads none of it back through the collector, by any key', async () => {
    const collector = await startCollector();
    try {
      const secrets = ['ann.lee@mail.example.com', '4111111111111111', '5500000000000004', '203.0.113.77', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl', 'Zm9vYmFyYmF6cXV4MTIz'];
      const event = {
        ...baseEnvelope(),
        id: '01890000-0000-7000-8000-0000000000aa',
        ts: Date.now() - 60_000,
        userId: 'person-1',
        template: `user ${secrets[0]} paid %s`,
        args: [4111111111111111],
        attributes: { [secrets[0]!]: 'as a key', ref: `ref_${secrets[2]}_x`, ip: secrets[3] },
        context: { vars: { auth: `Bearer ${secrets[5]}` }, stack: [{ function: `handle ${secrets[0]}`, module: 'm', file: `/home/${secrets[0]}/app.ts`, line: 3 }] },
        code: { module: 'm', file: `/srv/${secrets[0]}.ts`, line: 1, function: 'f' },
        error: { type: 'E', message: `token ${secrets[4]}`, cause: { type: 'C', message: `card ${secrets[1]}` } },
        service: { name: `svc-${secrets[0]}` },
      };
      delete (event as Record<string, unknown>)['message'];
      // A log, so that the template view (logs grouped by template) shows it too.
      delete (event as Record<string, unknown>)['name'];
      event.kind = 'log';
      expect((await post(`${collector.url}/v1/events`, JSON.stringify(event), { authorization: `Bearer ${keys.ingest}` })).status).toBe(200);
      const otlp = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: `${Date.now() - 60_000}000000`, body: { stringValue: `mail ${secrets[0]} from ${secrets[3]} card ${secrets[1]}` }, attributes: [{ key: 'enduser.id', value: { stringValue: 'person-1' } }] }] }] }] };
      expect((await post(`${collector.url}/v1/logs`, JSON.stringify(otlp), { authorization: `Bearer ${keys.ingest}` })).status).toBe(200);
      const admin = { authorization: `Bearer ${keys.admin}` };
      const answers = [
        await (await fetch(`${collector.url}/api/events/${event.id}`, { headers: admin })).text(),
        await (await fetch(`${collector.url}/api/users/person-1/export`, { headers: admin })).text(),
        JSON.stringify((await post(`${collector.url}/api/query`, JSON.stringify({ groupBy: [{ field: 'template' }, { field: 'message' }, { field: 'service' }, { field: 'file' }] }), admin)).body),
        await (await fetch(`${collector.url}/api/templates`, { headers: admin })).text(),
        await (await fetch(`${collector.url}/api/templates`, { headers: { authorization: `Bearer ${keys.read}` } })).text(),
      ];
      expect(answers[3], answers[3]).toContain('paid %s');
      const exported = JSON.parse(answers[1]!) as { events: unknown[] };
      expect(exported.events).toHaveLength(2);
      for (const answer of answers) for (const secret of secrets) expect(answer, secret).not.toContain(secret);
      expect(answers[0]).toContain('[Filtered]');
    } finally {
      await collector.stop();
    }
  }, 60_000);
});
