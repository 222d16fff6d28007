// What the redaction rules filter out of `args` never reaches `message`: not in the event, not in
// the NDJSON line, not in the page's envelope, not in the OTLP body.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { site } from '../../runtime/hooks.js';
import { plainEnvelopeJson } from '../../runtime/logging/plain-envelope.js';
import { configureLogging, envelopeJson, log, memorySink, ndjsonSink, toLogRecord, type LogmillEvent } from '../../runtime/node.js';

const secrets = ['hunter2', 'sk_live_abcdef123456', '4111111111111111', 'tok-9f8e', 's3ss10n'];

function logged(write: () => void): LogmillEvent {
  const sink = memorySink();
  write();
  sink.close();
  expect(sink.events).toHaveLength(1);
  return sink.events[0]!;
}

/** Every form the event leaves the process in. */
function everyOutput(event: LogmillEvent): Record<string, string> {
  return {
    message: event.message,
    ndjson: envelopeJson(event),
    page: plainEnvelopeJson(event),
    otlp: JSON.stringify(toLogRecord(event)),
  };
}

function expectNoSecret(event: LogmillEvent): void {
  for (const [output, text] of Object.entries(everyOutput(event))) {
    for (const secret of secrets) expect(text, `${output} holds ${secret}`).not.toContain(secret);
  }
}

beforeEach(() => configureLogging({ redact: { paths: ['card.number'] } }));
afterEach(() => configureLogging({ redact: {} }));

describe('the message is rendered from the args as they are scrubbed', () => {
  const user = { name: 'ann', password: 'hunter2', apiKey: 'sk_live_abcdef123456', card: { number: '4111111111111111' } };

  it('scrubs sensitive keys and configured paths out of %s of an object', () => {
    const event = logged(() => log.info('login %s', user));
    expect(event.message).toBe("login {name: 'ann', password: '[Filtered]', apiKey: '[Filtered]', card: {number: '[Filtered]'}}");
    expect(JSON.parse(envelopeJson(event)).args).toEqual([{ name: 'ann', password: '[Filtered]', apiKey: '[Filtered]', card: { number: '[Filtered]' } }]);
    expectNoSecret(event);
  });

  it('scrubs a mapping key the template names', () => {
    const event = logged(() => log.info('login %(name)s pw %(password)s key %(apiKey)r', user));
    expect(event.message).toBe("login ann pw [Filtered] key '[Filtered]'");
    expectNoSecret(event);
  });

  it('scrubs through %r, arrays, Maps and Sets, and keeps a class instance its name', () => {
    class Session {
      user = 'ann';
      token = 'tok-9f8e';
    }
    const event = logged(() =>
      log.warn('%r %s %s %s', new Session(), [{ secret: 'hunter2' }], new Map([['authorization', 'sk_live_abcdef123456']]), new Set([{ cookie: 's3ss10n' }])),
    );
    expect(event.message).toBe("Session {user: 'ann', token: '[Filtered]'} [{secret: '[Filtered]'}] Map(1) {'authorization' => '[Filtered]'} Set(1) {{cookie: '[Filtered]'}}");
    expectNoSecret(event);
  });

  it('runs a class toString on the scrubbed copy', () => {
    class Credentials {
      constructor(
        readonly user: string,
        readonly password: string,
      ) {}
      toString(): string {
        return `${this.user}:${this.password}`;
      }
    }
    const event = logged(() => log.info('signed in as %s', new Credentials('ann', 'hunter2')));
    expect(event.message).toBe('signed in as ann:[Filtered]');
    expectNoSecret(event);
  });

  it('scrubs a template literal compiled at a call site (the transformer path)', () => {
    const literal = site(9, 'shop/login', 'src/login.ts', 3, 1, 'login', 'creds %s user %s', [
      'creds ', ['s', 32, -1, -1], ' user ', ['s', 32, -1, -1],
    ]);
    const event = logged(() => log.__logmillAt(literal, undefined, 'creds %s user %s', { toString: () => 'custom' }, user));
    expect(event.message).toBe('creds custom user [object Object]');
    expectNoSecret(event);
  });

  it('follows the configured sensitive keys, and leaves everything when scrubbing is off', () => {
    configureLogging({ redact: { sensitiveKeys: ['name'] } });
    expect(logged(() => log.info('%s', user)).message).toBe("{name: '[Filtered]', password: 'hunter2', apiKey: 'sk_live_abcdef123456', card: {number: '4111111111111111'}}");
    configureLogging({ redact: { sensitiveKeys: [] } });
    expect(logged(() => log.info('pw %(password)s', user)).message).toBe('pw hunter2');
  });

  it('leaves the args the app passed untouched, and shares what needs no scrubbing', () => {
    const safe = { name: 'ann', nested: { plan: 'pro' } };
    const event = logged(() => log.info('%s %s', user, safe));
    expect(event.message).toContain("{name: 'ann', nested: {plan: 'pro'}}");
    expect(user.password).toBe('hunter2');
    expect(event.args[0]).toBe(user);
  });

  it('keeps a __proto__ key a key in the scrubbed copy', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "password": "hunter2"}') as object;
    const event = logged(() => log.info('%s', hostile));
    expect(event.message).toBe("{__proto__: {polluted: 1}, password: '[Filtered]'}");
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });

  it('writes no filtered value into an NDJSON file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'logmill-redact-')), 'events.ndjson');
    const sink = ndjsonSink({ destination: file });
    log.info('login %s', user);
    log.info('login %(name)s pw %(password)s', user);
    await sink.flush();
    sink.close();
    const text = readFileSync(file, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(2);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain('login ann pw [Filtered]');
  });
});
