// Objects that know how they read: `%s` of an object whose class defines toString renders
// String(value), as Python's %s calls a class's __str__; the serializers honour toJSON as
// JSON.stringify does; a template literal's holes render as the template literal would.
import { describe, expect, it } from 'vitest';
import { compileTemplate, markTemplateLiteralHoles, renderTemplate } from '../../runtime/format/compile-template.js';
import { formatTemplateLiteral } from '../../runtime/format/format-simple.js';
import { toJson } from '../../runtime/logging/serialize.js';
import { plainEnvelopeJson } from '../../runtime/logging/plain-envelope.js';
import { envelopeJson, log, memorySink, toLogRecord, type LogmillEvent } from '../../runtime/node.js';

class ObjectId {
  declare readonly buffer: Uint8Array;
  constructor(hex: string) {
    Object.defineProperty(this, 'buffer', { value: Uint8Array.from(hex.match(/../g)!.map((byte) => Number.parseInt(byte, 16))), enumerable: false });
  }
  toHexString(): string {
    return [...this.buffer].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  }
  toString(): string {
    return this.toHexString();
  }
  toJSON(): string {
    return this.toHexString();
  }
}

/** decimal.js-style: the state is private, only toString and toJSON show it. */
class Decimal {
  readonly #digits: string;
  constructor(digits: string) {
    this.#digits = digits;
  }
  toString(): string {
    return this.#digits;
  }
  toJSON(): string {
    return this.#digits;
  }
}

const id = new ObjectId('65a1b2c3d4e5f60718293a4b');
const url = new URL('https://api.example.com/v1/orders?id=7');

function logged(write: () => void): LogmillEvent {
  const sink = memorySink();
  write();
  sink.close();
  return sink.events[0]!;
}

describe('%s of an object', () => {
  it('renders String(value) when its class defines toString', () => {
    expect(logged(() => log.info('order %s', id)).message).toBe('order 65a1b2c3d4e5f60718293a4b');
    expect(logged(() => log.info('fetching %s', url)).message).toBe('fetching https://api.example.com/v1/orders?id=7');
    expect(logged(() => log.info('amount %s', new Decimal('12.50'))).message).toBe('amount 12.50');
    expect(logged(() => log.info('%(url)s by %(id)-26s|', { url, id })).message).toBe('https://api.example.com/v1/orders?id=7 by 65a1b2c3d4e5f60718293a4b  |');
  });

  it('renders Temporal values as their ISO text where the runtime has Temporal', () => {
    const temporal = (globalThis as { Temporal?: { Instant: { fromEpochMilliseconds(ms: number): object } } }).Temporal;
    const instant = temporal?.Instant.fromEpochMilliseconds(0) ?? new Decimal('1970-01-01T00:00:00Z');
    expect(logged(() => log.info('at %s', instant)).message).toBe('at 1970-01-01T00:00:00Z');
  });

  it('keeps repr for plain objects, arrays, errors, dates, and for %r', () => {
    expect(logged(() => log.info('%s %s %s %s', { a: 1 }, [1, 'b'], new TypeError('boom'), new Date(0))).message).toBe("{a: 1} [1, 'b'] TypeError: boom 1970-01-01T00:00:00.000Z");
  });

  it('shows a class whose state is not in its fields by its text, inside objects and for %r', () => {
    expect(logged(() => log.info('%r', id)).message).toBe("ObjectId('65a1b2c3d4e5f60718293a4b')");
    expect(logged(() => log.info('request %s', { url, amount: new Decimal('12.50'), ids: [id] })).message).toBe(
      "request {url: URL('https://api.example.com/v1/orders?id=7'), amount: Decimal('12.50'), ids: [ObjectId('65a1b2c3d4e5f60718293a4b')]}",
    );
    class Money {
      constructor(readonly cents: number) {}
      toString(): string {
        return `€${this.cents / 100}`;
      }
    }
    expect(logged(() => log.info('%r', new Money(500))).message).toBe('Money {cents: 500}');
  });

  it('falls back to repr when toString throws or returns no string', () => {
    class Broken {
      field = 1;
      toString(): string {
        throw new Error('no');
      }
    }
    expect(logged(() => log.info('%s', new Broken())).message).toBe('Broken {field: 1}');
  });
});

describe('toJSON in the serializers', () => {
  it('stands for the object in args and attributes, as in JSON.stringify', () => {
    const event = logged(() => log.with({ url, id, when: new Date(0), never: new Date(Number.NaN) }).info('order %s', id));
    const line = JSON.parse(envelopeJson(event)) as { args: unknown[]; attributes: Record<string, unknown> };
    expect(line.args).toEqual(['65a1b2c3d4e5f60718293a4b']);
    expect(line.attributes).toEqual({ url: 'https://api.example.com/v1/orders?id=7', id: '65a1b2c3d4e5f60718293a4b', when: '1970-01-01T00:00:00.000Z', never: null });
    expect(JSON.parse(plainEnvelopeJson(event))).toMatchObject({ args: line.args, attributes: line.attributes });
    const pinoStyle = log.info as unknown as (attributes: object, message: string) => void;
    expect(JSON.parse(envelopeJson(logged(() => pinoStyle({ orderId: id }, 'pino style')))).attributes).toEqual({ orderId: '65a1b2c3d4e5f60718293a4b' });
  });

  it('matches JSON.stringify for nested, returning-this and object-returning toJSON', () => {
    const value = {
      amount: new Decimal('1.5'),
      itself: { a: 1, toJSON() { return this; } },
      wrapped: { toJSON: () => ({ inner: new Decimal('2'), deeper: { toJSON: () => 'deep' } }) },
      list: [url, new Date(0)],
    };
    expect(JSON.parse(toJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('scrubs what toJSON returns, and survives a toJSON that throws', () => {
    const account = { toJSON: () => ({ user: 'ann', password: 'hunter2' }) };
    const failing = { toJSON: () => { throw new Error('no'); } };
    expect(toJson({ account, failing, after: 1 }, { isSensitiveKey: (key) => key === 'password', matchesPath: () => false, hasPaths: false })).toBe(
      '{"account":{"user":"ann","password":"[Filtered]"},"failing":"[Thrown]","after":1}',
    );
  });

  it('gives OTLP attributes the string toJSON returns, not its JSON', () => {
    const record = toLogRecord(logged(() => log.with({ url }).info('fetching')));
    const attributes = record['attributes'] as Array<{ key: string; value: unknown }>;
    expect(attributes.find((attribute) => attribute.key === 'url')?.value).toEqual({ stringValue: 'https://api.example.com/v1/orders?id=7' });
  });
});

describe('template literal holes', () => {
  const compiled = markTemplateLiteralHoles(compileTemplate('url %s ratio %s zero %s big %s 100%%')!);
  const args = [url, Number.NaN, -0, 1.5e300];
  const javascript = `url ${url} ratio ${Number.NaN} zero ${-0} big ${1.5e300} 100%`;

  it('are marked at build time apart from Python conversions', () => {
    expect(compiled).toEqual(['url ', ['s', 32, -1, -1], ' ratio ', ['s', 32, -1, -1], ' zero ', ['s', 32, -1, -1], ' big ', ['s', 32, -1, -1], ' 100%']);
  });

  it('render with String on Node (the full renderer) and on pages (without it)', () => {
    expect(renderTemplate(compiled, 'url %s ratio %s zero %s big %s 100%%', args).text).toBe(javascript);
    expect(formatTemplateLiteral(compiled, args)).toBe(javascript);
  });

  it('leave Python templates to Python rules', () => {
    expect(renderTemplate(compileTemplate('%s %s')!, '%s %s', [Number.NaN, -0]).text).toBe('nan -0.0');
    expect(formatTemplateLiteral(compileTemplate('%s')!, ['x'])).toBeUndefined();
  });

  it('leave a page a message to render elsewhere when a hole cannot be made a string', () => {
    expect(formatTemplateLiteral(compiled, [Object.create(null), 1, 2, 3])).toBeUndefined();
  });
});
