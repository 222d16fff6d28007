// The logger without the transformer: levels, bound loggers, errors, sinks, redaction, the envelope.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Logger,
  addSink,
  configureLogging,
  defaultSensitiveKeys,
  envelopeJson,
  formatPretty,
  log,
  loggerForModule,
  memorySink,
  moduleFields,
  ndjsonSink,
  uuidv7,
  withContext,
  type LogmillEvent,
} from '../../runtime/node.js';
import { uuidv7 as browserUuidv7 } from '../../runtime/logging/browser-uuid.js';
import { compileSensitiveKeys, defaultRedaction } from '../../runtime/logging/redact.js';
import { site } from '../../runtime/logging/logger.js';
import { severityNumbers } from '../../runtime/logging/levels.js';

afterEach(() => {
  configureLogging({ level: 'info', modules: {}, redact: {}, service: undefined });
});

describe('levels', () => {
  it('logs at and above the level with OpenTelemetry severity numbers', () => {
    const sink = memorySink();
    configureLogging({ level: 'warn' });
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    sink.close();
    expect(sink.events.map((event) => [event.severity, event.severityNumber])).toEqual([
      ['WARN', 13],
      ['ERROR', 17],
      ['FATAL', 21],
    ]);
  });

  it('honours per-sink levels', () => {
    const everything = memorySink();
    const errorsOnly = memorySink({ level: 'error' });
    log.info('routine');
    log.error('broken');
    everything.close();
    errorsOnly.close();
    expect(everything.messages()).toEqual(['routine', 'broken']);
    expect(errorsOnly.messages()).toEqual(['broken']);
  });

  it('refuses unknown level names with a clear error', () => {
    expect(() => configureLogging({ level: 'verbose' as never })).toThrow(/unknown level "verbose"/);
  });

  it('answers isLevelEnabled by module prefix', () => {
    const sink = memorySink();
    configureLogging({ level: 'warn', modules: { 'api/checkout': 'debug' } });
    expect(log.isLevelEnabled('debug', 'api/checkout/payment')).toBe(true);
    expect(log.isLevelEnabled('debug', 'api/checkouts')).toBe(false);
    expect(log.isLevelEnabled('info')).toBe(false);
    sink.close();
  });

  it('applies module levels and fields to a logger for a module, without the transformer', () => {
    const sink = memorySink();
    configureLogging({ level: 'warn', modules: { 'api/checkout': 'debug' } });
    moduleFields({ team: 'payments' }, 'api/checkout');
    const checkout = loggerForModule('api/checkout/payment');
    const other = loggerForModule('api/checkouts');
    checkout.debug('checkout detail %d', 1);
    other.debug('other detail');
    other.warn('other warning');
    checkout.with({ requestId: 'r1' }).info('bound %s', 'call');
    log.debug('unnamed detail');
    sink.close();
    expect(sink.events.map((event) => [event.message, event.code?.module, event.attributes])).toEqual([
      ['checkout detail 1', 'api/checkout/payment', {}],
      ['other warning', 'api/checkouts', {}],
      ['bound call', 'api/checkout/payment', { requestId: 'r1' }],
    ]);
  });

  it('follows the configuration as it changes, for a logger made before it', () => {
    const sink = memorySink();
    const checkout = loggerForModule('api/checkout');
    checkout.debug('before');
    configureLogging({ modules: { 'api/checkout': 'debug' } });
    checkout.debug('after');
    configureLogging({ modules: {} });
    checkout.debug('reset');
    sink.close();
    expect(sink.messages()).toEqual(['after']);
  });

  it('keeps a stamped call\'s file and line and follows the named module', () => {
    const sink = memorySink();
    configureLogging({ level: 'warn', modules: { 'api/checkout': 'debug' } });
    const stamped = site(severityNumbers.debug, 'web/page', 'web/page.ts', 3, 5, 'render');
    loggerForModule('api/checkout').__logmillAt(stamped, undefined, 'named %s', 'module');
    log.__logmillAt(stamped, undefined, 'file module');
    sink.close();
    expect(sink.events.map((event) => [event.message, event.code?.file, event.code?.line])).toEqual([['named module', 'web/page.ts', 3]]);
  });

  it('takes module fields for an exact module, and refuses them without a module name', () => {
    const sink = memorySink();
    moduleFields({ team: 'search' }, 'api/search');
    loggerForModule('api/search').info('found');
    loggerForModule('api/search/index').info('indexed');
    sink.close();
    expect(sink.events.map((event) => event.attributes)).toEqual([{ team: 'search' }, {}]);
    expect(() => moduleFields({ team: 'x' })).toThrow(/name the module where the transformer did not run/);
    expect(() => loggerForModule('')).toThrow(/loggerForModule\(module\) takes a module name/);
  });
});

describe('messages and bound loggers', () => {
  it('keeps the template apart from the args and renders on demand', () => {
    const sink = memorySink();
    log.info('user %s paid %.2f', 'ann', 12.345);
    log.info('%(user)s again', { user: 'bob' });
    log.info('bad %d', 'text');
    sink.close();
    const [first, second, bad] = sink.events as [LogmillEvent, LogmillEvent, LogmillEvent];
    expect(first.template).toBe('user %s paid %.2f');
    expect(first.args).toEqual(['ann', 12.345]);
    expect(first.message).toBe('user ann paid 12.35');
    expect(second.message).toBe('bob again');
    expect(bad.message).toBe('bad %d');
    expect(bad.formatError).toBe('%d format: a real number is required, not str');
  });

  it('binds attributes without touching the parent', () => {
    const sink = memorySink();
    const request = log.with({ requestId: 'r1', route: '/pay' });
    const step = request.with({ route: '/pay/confirm', step: 2 });
    request.info('a');
    step.info('b');
    log.info('c');
    sink.close();
    expect(sink.events.map((event) => event.attributes)).toEqual([
      { requestId: 'r1', route: '/pay' },
      { requestId: 'r1', route: '/pay/confirm', step: 2 },
      {},
    ]);
    expect(new Logger().attributes).toEqual({});
  });

  it('tags events with the context variables in force', () => {
    const sink = memorySink();
    withContext({ requestId: 'r9', userId: 'u1' }, () => log.info('inside'));
    sink.close();
    expect(sink.events[0]!.context.vars).toEqual({ requestId: 'r9', userId: 'u1' });
    expect(sink.events[0]!.userId).toBe('u1');
  });

  it('captures errors with their cause chain', () => {
    const sink = memorySink();
    const root = new RangeError('too big');
    log.error('failed: %s', 'payment', new Error('declined', { cause: root }));
    sink.close();
    expect(sink.events[0]!.error).toMatchObject({ type: 'Error', message: 'declined', cause: { type: 'RangeError', message: 'too big' } });
    expect(sink.events[0]!.error!.stack).toContain('declined');
  });
});

  it("logs a logging function's name as text, even where it holds a %", () => {
    const sink = memorySink();
    const named = (name: string) => Object.defineProperty((..._args: unknown[]) => undefined, 'name', { value: name });
    log(named('50%r off'))('boots');
    log(named('100%'))();
    sink.close();
    expect(sink.events.map((item) => [item.template, item.message, item.formatError])).toEqual([
      ['50%%r off %r', "50%r off 'boots'", undefined],
      ['100%%', '100%', undefined],
    ]);
  });

describe('the envelope', () => {
  it('serializes every field of the event as one JSON line, scrubbing sensitive keys', () => {
    const sink = memorySink();
    configureLogging({ service: { name: 'shop', version: '1.2.3' }, redact: { paths: ['card.number'] } });
    log.with({ password: 'hunter2', card: { number: '4242', brand: 'visa' }, apiKey: 'k' }).warn('login %s', 'ann', { token: 't' });
    sink.close();
    const line = envelopeJson(sink.events[0]!);
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      kind: 'log',
      severity: 'WARN',
      severityNumber: 13,
      template: 'login %s',
      message: 'login ann',
      attributes: { password: '[Filtered]', card: { number: '[Filtered]', brand: 'visa' }, apiKey: '[Filtered]' },
      args: ['ann', { token: '[Filtered]' }],
      context: { vars: {}, stack: [] },
      service: { name: 'shop', version: '1.2.3' },
      schemaVersion: 1,
    });
    expect(parsed['id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(line).not.toContain('hunter2');
  });

  it("scrubs by default with a written-out pattern that matches exactly what Sentry's key list compiles to", () => {
    const compiled = compileSensitiveKeys(defaultSensitiveKeys);
    const variants = (key: string): string[] => [
      key, key.toUpperCase(), `user${key}`, `${key}Hash`, key.replace(/[-_]/g, ''), key.replace(/_/g, '-'), key.replace(/-/g, '_'),
    ];
    for (const key of defaultSensitiveKeys.flatMap(variants)) expect([key, defaultRedaction.isSensitiveKey(key)]).toEqual([key, true]);
    for (const key of ['name', 'email', 'apiVersion', 'pass', 'cardBrand', 'sessio', 'keyId']) expect([key, defaultRedaction.isSensitiveKey(key)]).toEqual([key, false]);
    // Random keys over the letters the list uses, so near misses are common.
    const letters = [...new Set(defaultSensitiveKeys.join(''))];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...letters, 'X', 'y'), { maxLength: 14 }), (characters) => {
        const key = characters.join('');
        expect(defaultRedaction.isSensitiveKey(key)).toBe(compiled.test(key));
      }),
      { numRuns: 20_000 },
    );
    expect(defaultRedaction.hasPaths).toBe(false);
  });

  it('never throws, whatever the args', () => {
    const sink = memorySink();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const hostile = fc.oneof(
      fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withNullPrototype: true }),
      fc.constant(cyclic),
      fc.constant(Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('getter'); } })),
      fc.constant(Symbol('s')),
      fc.constant(10n ** 30n),
      fc.constant('x'.repeat(200_000)),
    );
    fc.assert(
      fc.property(fc.string(), fc.array(hostile, { maxLength: 4 }), (template, args) => {
        expect(() => log.info(template, ...args)).not.toThrow();
        expect(() => log.with({ extra: args[0] }).error(template, ...args)).not.toThrow();
        for (const event of sink.events.splice(0)) {
          const line = envelopeJson(event);
          expect(() => JSON.parse(line)).not.toThrow();
          expect(typeof formatPretty(event, { stack: 'always', colors: false })).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
    sink.close();
  });
});

describe('UUIDv7 ids', () => {
  // Node's pooled generator and the compact one the `browser` field swaps in keep the same contract.
  describe.each([
    ['Node', uuidv7],
    ['browser', browserUuidv7],
  ])('%s', (_, mint) => {
    it('are well formed, time ordered and unique', () => {
      const ids = Array.from({ length: 20_000 }, () => mint());
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(ids);
      for (const id of ids.slice(0, 100)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const millisecondsOf = (id: string): number => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      expect(Math.abs(millisecondsOf(ids[0]!) - Date.now())).toBeLessThan(60_000);
    });

    it('borrow the next millisecond when one millisecond runs out of counter', () => {
      const now = Date.now();
      const ids = Array.from({ length: 10_000 }, () => mint(now));
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      const millisecondsOf = (id: string): number => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      // 10,000 ids cannot fit one millisecond's 4,096 counter values: the later ones borrow.
      expect(millisecondsOf(ids[0]!)).toBeGreaterThanOrEqual(now);
      expect(millisecondsOf(ids.at(-1)!)).toBeGreaterThan(millisecondsOf(ids[0]!));
    });
  });
});

describe('sinks', () => {
  it('writes NDJSON to a file, flushing on demand', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'logmill-ndjson-')), 'events.ndjson');
    const sink = ndjsonSink({ destination: file, minimumWrite: 256 });
    for (let index = 0; index < 500; index++) log.info('line %d', index);
    await sink.flush();
    sink.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { message: string });
    expect(lines).toHaveLength(500);
    expect(lines[499]!.message).toBe('line 499');
  });

  it('keeps memory bounded by writing synchronously when the app never yields', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'logmill-ndjson-')), 'events.ndjson');
    const sink = ndjsonSink({ destination: file, maximumQueued: 64 * 1024 });
    for (let index = 0; index < 5000; index++) log.info('busy %d', index);
    // Without yielding, most lines are already on disk.
    expect(readFileSync(file, 'utf8').split('\n').length).toBeGreaterThan(4000);
    sink.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(5000);
  });

  it('lets a partial buffer wait flushDelay for more lines, then writes it, reusing its buffer', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'logmill-ndjson-')), 'events.ndjson');
    const sink = ndjsonSink({ destination: file, flushDelay: 60 });
    log.info('first');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // One line per turn of the event loop (a server's request) is not a write per turn.
    expect(readFileSync(file, 'utf8')).toBe('');
    log.info('second');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(readFileSync(file, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['first', 'second']);
    for (let round = 0; round < 3; round++) {
      log.info('round %d', round);
      await sink.flush();
    }
    sink.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(5);
    expect(() => ndjsonSink({ destination: file, flushDelay: -1 })).toThrow(/flushDelay/);
  });

  it('flushes lines logged during a write at once, without waiting flushDelay for them', async () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        setTimeout(callback, 20);
      },
    });
    const sink = ndjsonSink({ destination: stream, minimumWrite: 4096, flushDelay: 60_000 });
    log.info('starts a write %s', 'x'.repeat(5000));
    log.info('arrives while it is in flight');
    const started = Date.now();
    await sink.flush();
    expect(Date.now() - started).toBeLessThan(5_000);
    sink.close();
    expect(Buffer.concat(chunks).toString('utf8').trim().split('\n')).toHaveLength(2);
  });

  it('resolves flush() once the lines logged before it are written, while the app goes on logging', async () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        setTimeout(callback, 2);
      },
    });
    // A small memory bound: part of what flush() waits for was handed to the stream synchronously.
    const sink = ndjsonSink({ destination: stream, minimumWrite: 4096, maximumQueued: 32 * 1024, flushDelay: 0 });
    // A busy server: there is never a moment with nothing collected.
    let logging = true;
    let next = 0;
    const busy = (): void => {
      if (!logging) return;
      for (let index = 0; index < 20; index++) log.info('busy %d', next++);
      setImmediate(busy);
    };
    busy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = next;
    const waited = await Promise.race([sink.flush().then(() => 'flushed'), new Promise((resolve) => setTimeout(resolve, 3_000, 'still waiting'))]);
    const written = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((line) => (JSON.parse(line) as { message: string }).message);
    logging = false;
    sink.close();
    expect(waited).toBe('flushed');
    expect(written.slice(0, before)).toEqual(Array.from({ length: before }, (_, index) => `busy ${index}`));
  });

  it('writes NDJSON to a stream, in order', async () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        setTimeout(callback, 1);
      },
    });
    const sink = ndjsonSink({ destination: stream, minimumWrite: 512 });
    for (let index = 0; index < 300; index++) log.info('streamed %d', index);
    await sink.flush();
    sink.close();
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((line) => (JSON.parse(line) as { message: string }).message);
    expect(lines).toEqual(Array.from({ length: 300 }, (_, index) => `streamed ${index}`));
  });

  it('prints pretty lines with variables and, for errors, the stack', () => {
    const lines: string[] = [];
    const remove = addSink((event) => lines.push(formatPretty(event, { stack: 'errors', colors: false })));
    withContext({ requestId: 'r1' }, () => log.error('it broke', new Error('boom')));
    remove();
    expect(lines[0]).toMatch(/ERROR it broke/);
    expect(lines[0]).toContain('requestId=r1');
    expect(lines[0]).toContain('Error: boom');
  });

  it('prints the args a template did not take, scrubbed, with the formatting mistake', () => {
    const lines: string[] = [];
    const remove = addSink((event) => lines.push(formatPretty(event, { stack: 'never', colors: false })));
    log.info('user logged in', 'u-42', { ip: '1.2.3.4', token: 'tok-1' });
    log.info('user %s logged in', 'u-42');
    log.error('it broke', new Error('boom'));
    remove();
    expect(lines[0]).toMatch(/INFO {2}user logged in u-42 \{"ip":"1\.2\.3\.4","token":"\[Filtered\]"\} \(not all arguments converted during string formatting\)$/);
    expect(lines[1]).toMatch(/INFO {2}user u-42 logged in$/);
    expect(lines[2]!.split('\n')[0]).toMatch(/ERROR it broke$/);
  });
});
