/**
 * A data-protection officer's reading of the disk after ingest: a value that the collector's key
 * rules (or the app's own redaction) took out of the args is not left in clear in the stored
 * message beside them. The message is rendered again from the scrubbed args; values that key rules
 * took out of attributes or context are taken out of the message wherever it names them.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uuidv7 } from 'logmill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, eventToRow, withoutValues } from '../collector/event-to-row.js';
import { Scrubber } from '../collector/scrub.js';
import { type CollectorProcess, keys, startCollector, temporaryDirectory } from './helpers/collector-process.js';
import { ingestAll } from './helpers/dataset.js';

const unique = (label: string) => `${label} ${randomBytes(6).toString('hex')}`;
const customer = unique('Alice');
const password = unique('hunter');
const attributeValue = unique('Bob');
/** Sent by a real app whose own redaction filters it in the args, while its rendered message holds it. */
const appPassword = unique('pw');
const appCard = '4111 1111 1111 1111';
/** Not under any rule: it must be found on disk, or the search below proves nothing. */
const kept = unique('widget');

function envelope(fields: Partial<Envelope>): Envelope {
  return {
    id: uuidv7(),
    ts: Date.now() - 60_000,
    kind: 'log',
    severity: 'INFO',
    severityNumber: 9,
    template: 'x',
    args: [],
    attributes: {},
    context: { vars: {}, stack: [] },
    schemaVersion: 1,
    ...fields,
  };
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function filesHolding(directory: string, needle: string): string[] {
  return filesUnder(directory).filter((file) => readFileSync(file).includes(needle));
}

describe('the stored message after scrubbing', () => {
  const scrubber = new Scrubber({ rules: [{ key: '^customer$', action: 'hash' }, { key: '^buyer$', action: 'mask' }], salt: 's' });

  it('is rendered again from args that a key rule hashed, by name and by position', () => {
    const named = eventToRow('p', envelope({ template: 'order for %(customer)s', args: [{ customer: 'Alice Smith' }], message: 'order for Alice Smith' }), 0, scrubber);
    expect(named.message).toMatch(/^order for hash:[0-9a-f]{16}$/);
    expect(named.args).toEqual([{ customer: named.message.slice('order for '.length) }]);
    const positional = eventToRow('p', envelope({ template: 'order %s', args: [{ customer: 'Alice Smith', total: 3 }], message: "order {'customer': 'Alice Smith', 'total': 3}" }), 0, scrubber);
    expect(positional.message).not.toContain('Alice');
    expect(positional.message).toMatch(/^order \{customer: 'hash:[0-9a-f]{16}', total: 3\}$/);
  });

  it("is rendered again when the app's own redaction filtered an arg the client's message still holds", () => {
    const row = eventToRow('p', envelope({ template: 'login %(name)s pw %(password)s', args: [{ name: 'ann', password: '[Filtered]' }], message: 'login ann pw hunter2' }), 0, scrubber);
    expect(row.message).toBe('login ann pw [Filtered]');
  });

  it('renders an Error arg as the client did, Type: message, when it renders the message again', () => {
    const stack = 'TypeError: no account for ann@example.com\n    at lookup (http://192.168.1.20:5173/src/main.ts:4:11)';
    const error = { type: 'TypeError', message: 'no account for ann@example.com', stack };
    const scrubbed = eventToRow('p', envelope({ template: 'lookup failed: %s', args: [error], message: 'lookup failed: TypeError: no account for ann@example.com' }), 0, scrubber);
    expect(scrubbed.message).toBe('lookup failed: TypeError: no account for [Filtered]');
    // A page leaves past-%s templates to the collector; errors nested in an array read as the client reads them.
    const unrendered = eventToRow('p', envelope({ template: 'uncaught %r after %s', args: [{ ...error, message: 'boom', cause: { value: 'x' } }, [error]] }), 0, scrubber);
    expect(unrendered.message).toBe('uncaught TypeError: boom after [TypeError: no account for [Filtered]]');
    // An object that only looks partly like an error is still an object.
    const lookalike = eventToRow('p', envelope({ template: 'got %s', args: [{ type: 'click', message: 'hi' }] }), 0, scrubber);
    expect(lookalike.message).toBe("got {type: 'click', message: 'hi'}");
  });

  it('keeps the message as sent when scrubbing changed nothing in the args', () => {
    const row = eventToRow('p', envelope({ template: 'paid %.2f', args: [2.5], message: 'paid 2.50 (as the app rendered it)' }), 0, scrubber);
    expect(row.message).toBe('paid 2.50 (as the app rendered it)');
  });

  it('takes values that key rules took out of attributes and context out of the message and template', () => {
    const row = eventToRow('p', envelope({ template: 'order for Carol Jones', message: 'order for Carol Jones', attributes: { buyer: 'Carol Jones' }, context: { vars: { customer: { name: 'Carol Jones' } }, stack: [] } }), 0, scrubber);
    expect(row.message).toBe('order for [Filtered]');
    expect(row.template).toBe('order for [Filtered]');
    expect(row.attributes).toEqual({ buyer: '[Filtered]' });
  });

  it('takes whole values only, never short ones or parts of words', () => {
    expect(withoutValues('processing pro plan for Al', ['pro', 'Al'])).toBe('processing [Filtered] plan for Al');
    expect(withoutValues('card (1+2)*3 used', ['(1+2)*3'])).toBe('card [Filtered] used');
  });
});

describe('the data directory after ingest', () => {
  let collector: CollectorProcess;

  beforeAll(async () => {
    const data = temporaryDirectory('scrub-message');
    const config = join(data, 'config.json');
    writeFileSync(config, JSON.stringify({ scrub: { rules: [{ key: '^customer$', action: 'hash' }, { key: '^buyer$', action: 'remove' }] } }));
    collector = await startCollector({ data, args: ['--config', config] });
    const lines = [
      envelope({ template: 'order for %(customer)s', args: [{ customer }], message: `order for ${customer}` }),
      envelope({ template: 'login %s', args: [{ name: 'ann', password: '[Filtered]' }], message: `login {'name': 'ann', 'password': '${password}'}` }),
      // A template literal logged without the transformer: the value is its own template.
      envelope({ template: `shipped to ${attributeValue}`, message: `shipped to ${attributeValue}`, attributes: { buyer: attributeValue } }),
      envelope({ template: 'stocked %s', args: [kept], message: `stocked ${kept}` }),
    ].map((event) => JSON.stringify(event));
    await ingestAll(collector.url, keys.ingest, lines);
    const app = `
      import { log, httpSink, configureLogging } from 'logmill';
      const sink = httpSink({ url: process.env.U, key: process.env.K });
      configureLogging({ redact: { paths: ['card.number'] } });
      const user = { name: 'ann', password: process.env.P, card: { number: process.env.C } };
      log.info('login %s', user);
      log.info('login %(name)s pw %(password)s', user);
      console.log(await sink.flush(20000));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', app], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, U: collector.url, K: keys.ingest, P: appPassword, C: appCard },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stdout.trim(), run.stderr).toBe('true');
    await collector.stop();
  }, 60_000);

  afterAll(async () => {
    await collector.stop();
  });

  it('holds no value that scrubbing took out, in any file', () => {
    expect(filesHolding(collector.data, kept).length).toBeGreaterThan(0);
    for (const needle of [customer, password, attributeValue, appPassword, appCard, appCard.replace(/ /g, '')]) expect(filesHolding(collector.data, needle), needle).toEqual([]);
    // The app's events were stored: the search above looked where they are.
    expect(filesHolding(collector.data, 'login ann pw [Filtered]').length).toBeGreaterThan(0);
  });
});
