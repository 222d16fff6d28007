// The page's uncached envelope writes the same line as the cached one Node's sinks use, whatever
// the event: the two are one schema written twice, and this is what holds them together.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { loggingState } from '../../runtime/logging/configure.js';
import { setTraceContextProvider } from '../../runtime/trace-context.js';
import { plainEnvelopeJson } from '../../runtime/logging/plain-envelope.js';
import { site } from '../../runtime/hooks.js';
import { configureLogging, envelopeJson, event, log, memorySink, setSessionId, withContext, type LogmillEvent } from '../../runtime/node.js';

const json = fc.jsonValue({ maxDepth: 3 });
const attributes = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('token', 'password', 'plan', '__proto__')), json, { maxKeys: 4 });
const argument = fc.oneof(json, fc.bigInt(), fc.constant(undefined), fc.string().map((message) => new Error(message)), fc.date({ noInvalidDate: false }));

/** One way of logging, drawn at random: each touches a different part of the envelope. */
const call = fc.record({
  how: fc.constantFrom('plain', 'bound', 'stamped', 'stamped-literal', 'event'),
  template: fc.oneof(fc.string(), fc.constantFrom('%s and %d', 'bad %d', '%r', 'no args', '100%%')),
  args: fc.array(argument, { maxLength: 3 }),
  attributes,
  variables: fc.option(fc.record({ userId: fc.option(fc.string(), { nil: undefined }), sessionId: fc.option(fc.string(), { nil: undefined }), request: fc.string() }, { requiredKeys: ['request'] }), { nil: undefined }),
  severity: fc.constantFrom(1, 5, 9, 13, 17, 21),
});

type Drawn = typeof call extends fc.Arbitrary<infer T> ? T : never;

function logOne(drawn: Drawn): void {
  const write = (): void => {
    switch (drawn.how) {
      case 'plain':
        return log.warn(drawn.template, ...drawn.args);
      case 'bound':
        return log.with(drawn.attributes).info(drawn.template, ...drawn.args);
      case 'event':
        return event(drawn.template === '' ? 'named' : drawn.template, { ...drawn.attributes });
      case 'stamped':
      case 'stamped-literal': {
        const stamped = site(drawn.severity, 'shop/cart', 'src/cart.ts', 12, 5, 'checkout', drawn.how === 'stamped-literal' ? drawn.template : undefined);
        return log.__logmillAt(stamped, undefined, drawn.template, ...drawn.args);
      }
    }
  };
  if (drawn.variables === undefined) write();
  else withContext(drawn.variables, write);
}

function bothWays(events: readonly LogmillEvent[]): void {
  for (const item of events) {
    const plain = plainEnvelopeJson(item);
    // Twice through the cached writer: once filling its caches, once reading them.
    expect(envelopeJson(item)).toBe(plain);
    expect(envelopeJson(item)).toBe(plain);
    expect(() => JSON.parse(plain) as unknown).not.toThrow();
  }
}

afterEach(() => {
  configureLogging({ level: 'info', redact: {} });
  loggingState.service = undefined;
  setTraceContextProvider(undefined);
  setSessionId(undefined);
});

describe('the uncached envelope', () => {
  it('writes the same line as the cached one for any event', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), fc.boolean(), fc.boolean(), fc.boolean(), (calls, service, traced, session) => {
        configureLogging({ level: 'trace' });
        // configureLogging keeps the service when given none, so the test sets it directly.
        loggingState.service = service ? { name: 'shop', version: '1.2.3' } : undefined;
        setTraceContextProvider(traced ? (context) => ({ traceId: 'a'.repeat(32), spanId: String(context.depth).padStart(16, '0') }) : undefined);
        setSessionId(session ? 'session-1' : undefined);
        const sink = memorySink({ level: 'trace' });
        try {
          for (const drawn of calls) logOne(drawn);
        } finally {
          sink.close();
        }
        expect(sink.events.length).toBeGreaterThan(0);
        bothWays(sink.events);
      }),
      { numRuns: 300 },
    );
  });

  it('follows new redaction rules, as the cached writer does', () => {
    const sink = memorySink();
    const bound = log.with({ card: '4111', plan: 'pro' });
    bound.info('first');
    configureLogging({ redact: { sensitiveKeys: ['card'] } });
    bound.info('second');
    sink.close();
    bothWays(sink.events);
    expect(sink.events.map((item) => (JSON.parse(plainEnvelopeJson(item)) as { attributes: { card: string } }).attributes.card)).toEqual(['[Filtered]', '[Filtered]']);
  });
});
