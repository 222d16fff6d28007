// The published envelope schema describes exactly what Logmill serializes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { configureLogging, envelopeJson, event, experiment, log, memorySink, withContext } from '../../runtime/node.js';
import { repositoryRoot } from '../helpers/compile.js';

const schema = JSON.parse(readFileSync(join(repositoryRoot, 'schema/event.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true }).compile(schema);

describe('the event envelope schema', () => {
  it('accepts every kind of event Logmill serializes', () => {
    const sink = memorySink({ level: 'trace' });
    configureLogging({ level: 'trace', service: { name: 'shop', version: '1.0.0' } });
    log.trace('plain');
    log.with({ nested: { deep: [1, 2n, null] } }).warn('%s and %d', 'text', 3);
    log.error('failed', new Error('outer', { cause: 'a string cause' }));
    log.info('bad %d', 'x');
    withContext({ userId: 'u1' }, () => event('checkout started', { items: 3 }));
    experiment('checkout-v2', 'B', () => log.info('in experiment'));
    sink.close();
    configureLogging({ level: 'info', service: undefined });
    expect(sink.events.length).toBe(7);
    for (const item of sink.events) {
      const line = JSON.parse(envelopeJson(item)) as unknown;
      expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('rejects envelopes that break it', () => {
    const sink = memorySink();
    log.info('ok');
    sink.close();
    const good = JSON.parse(envelopeJson(sink.events[0]!)) as Record<string, unknown>;
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, id: 'not-a-uuid' })).toBe(false);
    expect(validate({ ...good, severity: 'LOUD' })).toBe(false);
    expect(validate({ ...good, unexpected: true })).toBe(false);
    const { template: _template, ...missing } = good;
    expect(validate(missing)).toBe(false);
  });

  it('names analytic events', () => {
    const sink = memorySink();
    event('signed up', { plan: 'pro' });
    event('', { ignored: true });
    sink.close();
    expect(sink.events.map((item) => [item.kind, item.name, item.attributes])).toEqual([['event', 'signed up', { plan: 'pro' }]]);
  });
});
