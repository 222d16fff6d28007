// The envelope writes a context's stack from pieces interned by frame chain and its variables per
// event: lines must read as the uncached envelope's, for chains that share prefixes, for the same
// variables logged again, and after new redaction rules (nothing serialized under old rules reused).
import { afterEach, describe, expect, it } from 'vitest';
import { enter, frame, site } from '../../runtime/hooks.js';
import { plainEnvelopeJson } from '../../runtime/logging/plain-envelope.js';
import { configureLogging, envelopeJson, log, memorySink, withContext, type LogmillContext, type LogmillEvent } from '../../runtime/node.js';

const handler = frame('handle', 'api', 'api.ts', 1);
const service = frame('summarise', 'api/service', 'service.ts', 10);
const repository = frame('find', 'api/repository', 'repository.ts', 20);
const other = frame('audit', 'api/audit', 'audit.ts', 30);
const logSite = site(9, 'api/service', 'service.ts', 12, 3, 'summarise', 'done %s');

function logIn(context: LogmillContext, value: string): void {
  (log as unknown as { __logmillAt(s: unknown, c: LogmillContext, t: string, ...a: unknown[]): void }).__logmillAt(logSite, context, 'done %s', value);
}

function collect(body: () => void): LogmillEvent[] {
  const sink = memorySink();
  try {
    body();
    return [...sink.events];
  } finally {
    sink.close();
  }
}

afterEach(() => configureLogging({ redact: {} }));

describe('the envelope of a context', () => {
  it('writes each frame chain, shared prefixes included, as the uncached envelope does', () => {
    const events = collect(() => {
      for (const request of ['r1', 'r2', 'r1']) {
        withContext({ requestId: request }, () => {
          const top = enter(handler, undefined, undefined);
          const middle = enter(service, top, undefined);
          logIn(enter(repository, middle, undefined), 'deep');
          logIn(enter(other, middle, undefined), 'sibling');
          logIn(middle, 'middle');
          logIn(top, 'top');
        });
      }
    });
    expect(events).toHaveLength(12);
    for (const event of events) expect(envelopeJson(event)).toBe(plainEnvelopeJson(event));
    const stacks = events.slice(0, 4).map((event) => (JSON.parse(envelopeJson(event)) as { context: { stack: Array<{ function: string }> } }).context.stack.map((entry) => entry.function));
    expect(stacks).toEqual([['find', 'summarise', 'handle'], ['audit', 'summarise', 'handle'], ['summarise', 'handle'], ['handle']]);
    expect(events.map((event) => (JSON.parse(envelopeJson(event)) as { context: { vars: unknown } }).context.vars)).toEqual(
      ['r1', 'r1', 'r1', 'r1', 'r2', 'r2', 'r2', 'r2', 'r1', 'r1', 'r1', 'r1'].map((requestId) => ({ requestId })),
    );
  });

  it('serializes under the rules in force when the line is written, stack and variables alike', () => {
    const lines: string[] = [];
    const events = collect(() => {
      const sink = memorySink();
      withContext({ requestId: 'r1', token: 'secret' }, () => {
        const context = enter(service, enter(handler, undefined, undefined), undefined);
        logIn(context, 'before');
        lines.push(envelopeJson(sink.events[0]!));
        configureLogging({ redact: { sensitiveKeys: ['file', 'requestId'] } });
        logIn(context, 'after');
        lines.push(envelopeJson(sink.events[1]!));
      });
      sink.close();
    });
    const [before, after] = lines.map((line) => JSON.parse(line) as { context: { vars: Record<string, unknown>; stack: Array<Record<string, unknown>> } });
    expect(before!.context.vars).toEqual({ requestId: 'r1', token: '[Filtered]' });
    expect(before!.context.stack.map((entry) => entry['file'])).toEqual(['service.ts', 'api.ts']);
    expect(after!.context.vars).toEqual({ requestId: '[Filtered]', token: 'secret' });
    expect(after!.context.stack.map((entry) => entry['file'])).toEqual(['[Filtered]', '[Filtered]']);
    for (const event of events) expect(envelopeJson(event)).toBe(plainEnvelopeJson(event));
  });
});
