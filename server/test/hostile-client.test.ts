/**
 * A hostile client holding the public ingest key, against the other clients of the same collector:
 * it reuses their event ids, so that dedup would take their acknowledged events for repeats of its
 * own, and it reports made-up spool figures into the gauges operators alert on. Neither may cost
 * another client an event or move what the metrics say about real clients. Numbers past a double's
 * range are refused by name rather than stored as null.
 */
import { uuidv7 } from 'logmill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, keys, metric, post, startCollector } from './helpers/collector-process.js';

let collector: CollectorProcess;

function event(id: string, fields: Record<string, unknown>): Record<string, unknown> {
  const template = String(fields['template'] ?? 'order paid');
  return { id, ts: Date.now(), kind: 'log', severity: 'INFO', severityNumber: 9, template, message: template, args: [], attributes: {}, context: { vars: {}, stack: [] }, schemaVersion: 1, ...fields };
}

async function send(events: unknown[], headers: Record<string, string> = {}): Promise<number> {
  return (await post(`${collector.url}/v1/events`, JSON.stringify(events), { authorization: `Bearer ${keys.ingest}`, ...headers })).status;
}

async function exported(user: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${collector.url}/api/users/${user}/export`, { headers: { authorization: `Bearer ${keys.admin}` } });
  return ((await response.json()) as { events: Record<string, unknown>[] }).events;
}

beforeAll(async () => {
  collector = await startCollector();
}, 60_000);

afterAll(async () => {
  await collector.stop();
});

describe('a client reusing other clients’ event ids', () => {
  it('cannot make the collector drop their acknowledged events, and a real retry is still stored once', async () => {
    const taken = uuidv7();
    const victimsLater = uuidv7();
    const duplicatesBefore = await metric(collector.url, 'logmill_events_duplicate_total');
    // The attacker sends first, under the id the victim's client is about to use…
    expect(await send([event(taken, { userId: 'mallory', template: 'forged' })])).toBe(200);
    // …and after the victim, in a later load, under an id it has seen.
    const victim = [event(taken, { userId: 'victoria', kind: 'event', name: 'purchase', template: 'paid 25' }), event(victimsLater, { userId: 'victoria', template: 'shipped' })];
    expect(await send(victim)).toBe(200);
    expect((await exported('victoria')).map((stored) => stored['message']).sort()).toEqual(['paid 25', 'shipped']);
    expect(await send([event(victimsLater, { userId: 'mallory', template: 'cancelled' })])).toBe(200);
    // The victim's client retries its batch (the answer was lost): the same events, stored once.
    expect(await send(victim)).toBe(200);
    expect(await send(victim)).toBe(200);
    expect((await exported('victoria')).map((stored) => stored['message']).sort()).toEqual(['paid 25', 'shipped']);
    expect((await exported('mallory')).map((stored) => stored['message']).sort()).toEqual(['cancelled', 'forged']);
    // Reading the id answers with the first received: the victim's, for the id the attacker reused after it.
    const single = await fetch(`${collector.url}/api/events/${victimsLater}`, { headers: { authorization: `Bearer ${keys.admin}` } });
    expect(await single.json()).toMatchObject({ user_id: 'victoria', message: 'shipped' });
    expect(await metric(collector.url, 'logmill_events_duplicate_total')).toBe(duplicatesBefore + 4);
  });
});

describe('numbers JSON parses to Infinity', () => {
  it('are refused with their path, not stored as null, and the rest of the batch is kept', async () => {
    const good = uuidv7();
    const body = `[${JSON.stringify(event(good, { userId: 'nora' }))},${JSON.stringify(event(uuidv7(), { userId: 'nora' })).replace('"args":[]', '"args":[1e400]')}]`;
    const answer = await post(`${collector.url}/v1/events`, body, { authorization: `Bearer ${keys.ingest}` });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ accepted: 1, rejected: [{ index: 1, reason: 'number_out_of_range', path: '/args/0' }] });
    expect((await exported('nora')).map((stored) => stored['id'])).toEqual([good]);
  });
});

describe('client spool reports', () => {
  it('count whole, plausible figures only, so a page cannot set the gauges to anything it likes', async () => {
    expect(await send([event(uuidv7(), {})], { 'x-logmill-client': 'instance=real-client; spool=12; dropped=3' })).toBe(200);
    for (const [index, figures] of ['spool=1e308; dropped=1e308', 'spool=-5; dropped=-5', 'spool=2.5', 'spool=0x10', 'spool=99999999999; dropped=1', 'spool=1; dropped=Infinity'].entries()) {
      expect(await send([event(uuidv7(), {})], { 'x-logmill-client': `instance=forged-${index}; ${figures}` })).toBe(200);
    }
    expect(await metric(collector.url, 'logmill_client_spool_events')).toBe(12);
    expect(await metric(collector.url, 'logmill_client_dropped_events')).toBe(3);
    expect(await metric(collector.url, 'logmill_clients_reporting')).toBe(1);
  });
});
