/**
 * Log calls as plain JavaScript callers and pino migrants write them, which TypeScript's types
 * refuse: an Error as the only argument keeps its stack and cause as the event's error under one
 * stable template, and pino's `(attributes, message, ...args)` order gives attributes and the
 * message's template. And `@traced()` events show at the default level.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configureLogging, envelopeJson, log, memorySink, traced } from '../../runtime/node.js';

afterEach(() => {
  configureLogging({ level: 'info', modules: {}, redact: {}, service: undefined });
});

// What TypeScript would refuse: the shapes JavaScript callers send.
const untyped = log as unknown as { error(...args: unknown[]): void; info(...args: unknown[]): void; with(attributes: object): { info(...args: unknown[]): void } };

describe('an Error as the only argument', () => {
  it('keeps stack and cause as the error, under the one template %s', () => {
    const sink = memorySink();
    const cause = new Error('disk full');
    untyped.error(new Error('save failed', { cause }));
    untyped.error(new TypeError('another message'));
    sink.close();
    const [first, second] = sink.events;
    expect([first!.template, second!.template]).toEqual(['%s', '%s']);
    expect(first!.message).toBe('Error: save failed');
    expect(first!.error).toMatchObject({ type: 'Error', message: 'save failed', cause: { type: 'Error', message: 'disk full' } });
    expect(first!.error!.stack).toContain('untyped-calls.test.ts');
    const line = JSON.parse(envelopeJson(first!)) as { template: string; error: { stack: string; cause: { message: string } } };
    expect(line.template).toBe('%s');
    expect(line.error.cause.message).toBe('disk full');
    expect(second!.error).toMatchObject({ type: 'TypeError', message: 'another message' });
  });

  it('an Error followed by arguments keeps them after it', () => {
    const sink = memorySink();
    untyped.error(new Error('boom'), 'extra');
    sink.close();
    expect(sink.events[0]!.template).toBe('%s');
    expect(sink.events[0]!.args.slice(1)).toEqual(['extra']);
  });
});

describe("pino's (attributes, message, ...args) order", () => {
  it('takes the object as attributes and the message as the template', () => {
    const sink = memorySink();
    untyped.info({ orderId: 42 }, 'order %s placed', 'A-1');
    untyped.with({ service: 'shop', orderId: 1 }).info({ orderId: 42 }, 'order placed');
    untyped.info({ orderId: 7 });
    sink.close();
    expect(sink.events.map((event) => [event.template, event.args, event.attributes, event.message])).toEqual([
      ['order %s placed', ['A-1'], { orderId: 42 }, 'order A-1 placed'],
      ['order placed', [], { service: 'shop', orderId: 42 }, 'order placed'],
      ['', [], { orderId: 7 }, ''],
    ]);
  });

  it('other values still become their string', () => {
    const sink = memorySink();
    untyped.info(42, 'x');
    untyped.info(undefined);
    sink.close();
    expect(sink.events.map((event) => [event.template, event.args])).toEqual([['42', ['x']], ['undefined', []]]);
  });
});

describe('@traced()', () => {
  it('logs its calls at info by default, so they show at the default level', async () => {
    const sink = memorySink();
    const decorate = traced() as unknown as (method: () => Promise<number>, context: { kind: 'method'; name: string }) => () => Promise<number>;
    const checkout = decorate(async () => 3, { kind: 'method', name: 'checkout' });
    expect(await checkout()).toBe(3);
    sink.close();
    expect(sink.events.map((event) => [event.severity, event.attributes['method'], event.attributes['outcome']])).toEqual([['INFO', 'checkout', 'ok']]);
  });
});
