// Pages load no Python renderer (the browser entry leaves it out for size): a template literal's
// message is still rendered in the page, as JavaScript renders it, and anything else is left for the
// collector to render from template and scrubbed args.
import { describe, expect, it } from 'vitest';
import { log, memorySink, type LogmillEvent } from '../../runtime/browser.js';
import { messageRenderer } from '../../runtime/format/message-renderer.js';
import { markTemplateLiteralHoles, compileTemplate } from '../../runtime/format/compile-template.js';
import { site } from '../../runtime/hooks.js';
import { plainEnvelopeJson } from '../../runtime/logging/plain-envelope.js';

function logged(write: () => void): LogmillEvent {
  const sink = memorySink();
  write();
  sink.close();
  return sink.events[0]!;
}

describe('messages on pages', () => {
  it('run without the full renderer', () => {
    expect(messageRenderer()).toBeUndefined();
  });

  it('render a template literal as JavaScript does', () => {
    const template = 'url %s ratio %s zero %s big %s tiny %s price %s';
    const literal = site(9, 'page/cart', 'src/cart.ts', 4, 3, 'load', template, markTemplateLiteralHoles(compileTemplate(template)!));
    const money = { toString: () => '€5.00' };
    const url = new URL('https://a.example/p?q=1');
    const event = logged(() => log.__logmillAt(literal, undefined, template, url, Number.NaN, -0, 1.5e300, 1e-7, money));
    const line = JSON.parse(plainEnvelopeJson(event)) as { message?: string; args: unknown[] };
    expect(line.message).toBe(`url ${url} ratio ${Number.NaN} zero ${-0} big ${1.5e300} tiny ${1e-7} price ${money}`);
    expect(line.message).toBe('url https://a.example/p?q=1 ratio NaN zero 0 big 1.5e+300 tiny 1e-7 price €5.00');
    expect(line.args[0]).toBe('https://a.example/p?q=1');
  });

  it('leave Python templates with more than %s and %d of strings and integers to the collector', () => {
    const event = logged(() => log.info('ratio %s of %s', Number.NaN, { password: 'hunter2' }));
    const line = JSON.parse(plainEnvelopeJson(event)) as { message?: string; args: unknown[] };
    expect(line.message).toBeUndefined();
    expect(line.args).toEqual(['NaN', { password: '[Filtered]' }]);
    expect(plainEnvelopeJson(event)).not.toContain('hunter2');
  });

  it('leave a template literal whose hole JavaScript cannot make a string to the collector', () => {
    const literal = site(9, 'page/cart', 'src/cart.ts', 5, 3, 'load', 'odd %s', markTemplateLiteralHoles(compileTemplate('odd %s')!));
    const event = logged(() => log.__logmillAt(literal, undefined, 'odd %s', Object.create(null)));
    expect(event.messageRendered).toBe(false);
    expect(JSON.parse(plainEnvelopeJson(event))).not.toHaveProperty('message');
  });
});
