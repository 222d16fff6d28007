import { gzipSync } from 'node:zlib';
import { httpSink, log, otlpExporter, uuidv7 } from 'logmill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeLines } from './helpers/envelopes.js';
import { type CollectorProcess, keys, metric, post, startCollector, storedEvent, temporaryDirectory } from './helpers/collector-process.js';

let collector: CollectorProcess;
const ingestHeaders = { authorization: `Bearer ${keys.ingest}` };

beforeAll(async () => {
  collector = await startCollector({ env: { LOGMILL_ALLOWED_ORIGINS: 'http://app.example' } });
});
afterAll(async () => {
  await collector.stop();
});

describe('ingest', () => {
  it('stores events from the Node sink and reads them back', async () => {
    const sink = httpSink({ url: collector.url, key: keys.ingest, spool: temporaryDirectory('spool'), onProblem: () => undefined });
    const ids: string[] = [];
    const memory = (await import('logmill')).memorySink();
    for (let index = 0; index < 1200; index++) log.with({ round: 'node-sink' }).info('item %d of %s', index, 'round trip');
    ids.push(...memory.events.map((event) => event.id));
    memory.close();
    expect(await sink.close(20_000)).toBe(true);
    expect(sink.statistics).toMatchObject({ delivered: 1200, refused: 0, dropped: 0, queued: 0 });
    for (const id of [ids[0]!, ids[599]!, ids[1199]!]) {
      const stored = await storedEvent(collector.url, id);
      expect(stored).toMatchObject({ id, template: 'item %d of %s', severity: 'INFO' });
      expect(stored!['attributes']).toEqual({ round: 'node-sink' });
    }
  });

  it('never stores a retried batch twice', async () => {
    const lines = envelopeLines(50, 'retry');
    const body = `${lines.join('\n')}\n`;
    const headers = { ...ingestHeaders, 'content-type': 'application/x-ndjson' };
    const before = await metric(collector.url, 'logmill_storage_rows');
    const duplicatesBefore = await metric(collector.url, 'logmill_events_duplicate_total');
    const first = await post(`${collector.url}/v1/events`, body, headers);
    const [second, third] = await Promise.all([
      post(`${collector.url}/v1/events`, body, headers),
      post(`${collector.url}/v1/events`, gzipSync(body), { ...headers, 'content-encoding': 'gzip' }),
    ]);
    for (const response of [first, second, third]) expect(response).toMatchObject({ status: 200, body: { accepted: 50 } });
    expect(await metric(collector.url, 'logmill_storage_rows')).toBe(before + 50);
    expect(await metric(collector.url, 'logmill_events_duplicate_total')).toBe(duplicatesBefore + 100);
  });

  it('accepts a JSON array, a single object, gzip, text/plain beacons, and a quoted charset', async () => {
    const [a, b, c, d, e] = envelopeLines(5, 'shapes');
    expect((await post(`${collector.url}/v1/events`, `[${a},${b}]`, ingestHeaders)).status).toBe(200);
    expect((await post(`${collector.url}/v1/events`, gzipSync(c!), { ...ingestHeaders, 'content-encoding': 'gzip' })).status).toBe(200);
    const beacon = await post(`${collector.url}/v1/events?key=${keys.ingest}`, `${d}\n`, { 'content-type': 'text/plain;charset=UTF-8' });
    expect(beacon).toMatchObject({ status: 200, body: { accepted: 1 } });
    // RFC 9110 lets a parameter's value be quoted: charset="utf-8" is UTF-8, not a charset named `"utf-8"`.
    expect(await post(`${collector.url}/v1/events`, e!, { ...ingestHeaders, 'content-type': 'application/json; charset="utf-8"' })).toMatchObject({ status: 200, body: { accepted: 1 } });
    for (const line of [a, b, c, d, e]) expect(await storedEvent(collector.url, JSON.parse(line!).id)).toBeDefined();
  });

  it('stores the valid events of a partly bad batch and names each refused index', async () => {
    const [good1, good2] = envelopeLines(2, 'partial');
    const bad = { ...JSON.parse(good1!), id: uuidv7(), severity: 'LOUD' };
    const response = await post(`${collector.url}/v1/events`, `[${good1},${JSON.stringify(bad)},${good2},"text"]`, ingestHeaders);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: 'invalid_events', accepted: 2 });
    expect(response.body['rejected']).toEqual([
      expect.objectContaining({ index: 1, reason: 'schema', path: '/severity' }),
      expect.objectContaining({ index: 3, reason: 'schema' }),
    ]);
    expect(await storedEvent(collector.url, JSON.parse(good2!).id)).toBeDefined();
    expect(await storedEvent(collector.url, bad.id)).toBeUndefined();
  });

  it('renders the messages browsers leave to it, from the scrubbed args, with Python rules', async () => {
    const [first, second, third] = envelopeLines(3, 'unrendered').map((line) => JSON.parse(line!));
    Object.assign(first, { template: '%(user)s signed in with %(password)r', args: [{ user: 'ann', password: 'hunter2' }] });
    Object.assign(second, { template: 'total %5.1f%% for %s', args: [12.345, 'ann'] });
    Object.assign(third, { template: 'total %d for %s', args: [3] });
    for (const event of [first, second, third]) delete event.message;
    expect((await post(`${collector.url}/v1/events`, JSON.stringify([first, second, third]), ingestHeaders)).status).toBe(200);
    expect((await storedEvent(collector.url, first.id))!['message']).toBe("ann signed in with '[Filtered]'");
    expect((await storedEvent(collector.url, second.id))!['message']).toBe('total  12.3% for ann');
    // Python would raise; the collector keeps what it could render, as clients do.
    expect((await storedEvent(collector.url, third.id))!['message']).toBe('total 3 for %s');
  });

  it('scrubs secrets, card numbers, emails and IPs before storing', async () => {
    const [line] = envelopeLines(1, 'scrub');
    const event = JSON.parse(line!);
    event.message = 'paid with 4111 1111 1111 1111 (order 1234 5678 9012 3456) from 192.168.17.42 by ann@example.com';
    event.attributes = { password: 'hunter2', nested: { apiKey: 'k-123', note: 'mail bob@example.org' }, ip: '2001:db8:85a3:8d3:1319:8a2e:370:7348' };
    expect((await post(`${collector.url}/v1/events`, JSON.stringify(event), ingestHeaders)).status).toBe(200);
    const stored = await storedEvent(collector.url, event.id);
    expect(stored!['message']).toBe('paid with [Filtered] (order 1234 5678 9012 3456) from 192.168.17.0 by [Filtered]');
    expect(stored!['attributes']).toEqual({
      password: '[Filtered]',
      nested: { apiKey: '[Filtered]', note: 'mail [Filtered]' },
      ip: '2001:db8:85a3::',
    });
  });

  it('ingests OTLP/HTTP JSON logs, from Logmill and from other SDKs, deduplicated on retry', async () => {
    const exporter = otlpExporter({ url: `${collector.url}/v1/logs`, headers: ingestHeaders });
    const memory = (await import('logmill')).memorySink();
    log.with({ via: 'otlp' }).warn('disk %s at %d%%', '/var', 91);
    const id = memory.events[0]!.id;
    memory.close();
    await exporter.shutdown();
    expect(exporter.exported).toBe(1);
    expect(await storedEvent(collector.url, id)).toMatchObject({ template: 'disk %s at %d%%', message: 'disk /var at 91%', severity: 'WARN' });

    const foreign = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
        scopeLogs: [{ scope: { name: 'otel-js' }, logRecords: [{
          timeUnixNano: '1795600000000000000', severityNumber: 17, severityText: 'ERROR',
          body: { stringValue: 'charge failed' }, traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174',
          attributes: [{ key: 'exception.type', value: { stringValue: 'CardDeclined' } }, { key: 'amount', value: { doubleValue: 12.5 } }],
        }] }],
      }],
    };
    const rowsBefore = await metric(collector.url, 'logmill_storage_rows');
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await post(`${collector.url}/v1/logs`, JSON.stringify(foreign), ingestHeaders);
      expect(response).toMatchObject({ status: 200, body: {} });
    }
    expect(await metric(collector.url, 'logmill_storage_rows')).toBe(rowsBefore + 1);
    // A body past the string limit is kept, truncated, with OTLP's warning form of partial success.
    const truncated = await post(`${collector.url}/v1/logs`, JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x'.repeat(40_000) } }] }] }] }), ingestHeaders);
    expect(truncated.body).toEqual({ partialSuccess: { rejectedLogRecords: 0, errorMessage: '1 records kept with strings truncated to 32768 characters' } });
    const partial = await post(`${collector.url}/v1/logs`, JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'ok' }, attributes: [{ key: 'k'.repeat(40_000), value: { stringValue: 'v' } }] }] }] }] }), ingestHeaders);
    expect(partial.body).toMatchObject({ partialSuccess: { rejectedLogRecords: 1 } });
    expect((await post(`${collector.url}/v1/logs`, '{"nope":1}', ingestHeaders)).status).toBe(400);
  });
});

describe('keys', () => {
  it('refuses missing, unknown and misused keys', async () => {
    const [line] = envelopeLines(1, 'keys');
    expect((await post(`${collector.url}/v1/events`, line!)).body).toMatchObject({ error: 'missing_key' });
    expect((await post(`${collector.url}/v1/events`, line!, { authorization: 'Bearer wrong-key-0123456789' })).status).toBe(401);
    expect((await post(`${collector.url}/v1/events`, line!, { authorization: `Bearer ${keys.read}` })).status).toBe(403);
    const id = JSON.parse(line!).id as string;
    expect((await post(`${collector.url}/v1/events`, line!, { 'x-logmill-key': keys.ingest })).status).toBe(200);
    const read = (key: string) => fetch(`${collector.url}/api/events/${id}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await read(keys.ingest)).status).toBe(403);
    expect((await read(keys.read)).status).toBe(403);
    const stored = await read(keys.admin);
    expect(stored.status).toBe(200);
    // JSON columns as JSON values, as the export gives them, not JSON text inside strings.
    const sent = JSON.parse(line!) as { args: unknown[]; attributes: Record<string, unknown> };
    expect(await stored.json()).toMatchObject({ id, args: sent.args, attributes: sent.attributes, context_vars: expect.any(Object), stack: expect.any(Array) });
    expect((await fetch(`${collector.url}/api/events/${id}?key=${keys.admin}`)).status).toBe(401);
  });
});

describe('CORS', () => {
  it('answers preflights from allowed origins with the methods and headers, never credentials', async () => {
    const response = await fetch(`${collector.url}/v1/events`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-logmill-key' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-logmill-key');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it("accepts a page's simple request (text/plain, the key in the URL) and lets it read Retry-After", async () => {
    const [line] = envelopeLines(1, 'cors-simple');
    const response = await fetch(`${collector.url}/v1/events?key=${keys.ingest}`, { method: 'POST', headers: { origin: 'http://app.example', 'content-type': 'text/plain' }, body: line! });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(response.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
    expect(await storedEvent(collector.url, JSON.parse(line!).id)).toBeDefined();
  });

  it('refuses unknown origins on the preflight and on the request itself', async () => {
    const preflight = await fetch(`${collector.url}/v1/events`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // In the collector's own shape, as every refusal: a reason code and a message.
    expect(await preflight.json()).toEqual({ error: 'origin_not_allowed', message: 'the origin http://evil.example is not allowed' });
    const [line] = envelopeLines(1, 'cors');
    const beacon = await post(`${collector.url}/v1/events?key=${keys.ingest}`, line!, { origin: 'http://evil.example', 'content-type': 'text/plain' });
    expect(beacon).toMatchObject({ status: 403, body: { error: 'origin_not_allowed' } });
    expect(await storedEvent(collector.url, JSON.parse(line!).id)).toBeUndefined();
  });
});

describe('health', () => {
  it('reports liveness, readiness and Prometheus metrics', async () => {
    expect(await (await fetch(`${collector.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${collector.url}/metrics`, { headers: { authorization: `Bearer ${keys.admin}` } })).text();
    for (const name of ['logmill_events_accepted_total', 'logmill_events_duplicate_total', 'logmill_requests_rejected_total', 'logmill_request_duration_seconds_bucket', 'logmill_batch_events_bucket', 'logmill_storage_rows', 'logmill_storage_bytes', 'logmill_client_spool_events', 'logmill_uptime_seconds']) {
      expect(text).toContain(name);
    }
    expect(await metric(collector.url, 'logmill_events_duplicate_total')).toBeGreaterThanOrEqual(100);
    expect(await metric(collector.url, 'logmill_storage_bytes')).toBeGreaterThan(0);
    expect(await metric(collector.url, 'logmill_clients_reporting')).toBeGreaterThanOrEqual(1);
  });
});

describe('metrics for Prometheus', () => {
  it('shows live event counts only to a key with direct access: a reader without one could watch single events arrive', async () => {
    const open = await fetch(`${collector.url}/metrics`);
    expect(open.status).toBe(401);
    const openText = await open.text();
    expect(openText).not.toContain('logmill_events_accepted_total');
    const untrustedRead = await fetch(`${collector.url}/metrics`, { headers: { authorization: `Bearer ${keys.read}` } });
    expect(untrustedRead.status).toBe(403);
    expect(await untrustedRead.text()).toContain('direct access');
    const before = await metric(collector.url, 'logmill_events_accepted_total');
    const line = envelopeLines(1)[0]!;
    expect((await post(`${collector.url}/v1/events`, line, { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' })).status).toBe(200);
    expect(await metric(collector.url, 'logmill_events_accepted_total')).toBe(before + 1);
  });
});

describe('keys from nowhere', () => {
  it('generates keys once, prints them once, and listens on localhost unless a host is asked for', async () => {
    const data = temporaryDirectory('generated');
    const first = await startCollector({ data, withKeys: false });
    await first.stop();
    const printed = /ingest key: (\S+)/.exec(first.output())?.[1];
    expect(printed).toMatch(/^lm_ingest_/);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(first.output()).not.toContain('warning: listening');
    const second = await startCollector({ data, withKeys: false });
    try {
      expect(second.output()).not.toContain('ingest key:');
      const [line] = envelopeLines(1, 'generated');
      expect((await post(`${second.url}/v1/events`, line!, { authorization: `Bearer ${printed}` })).status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('honours an explicit host with generated keys, by flag or environment, and warns that they are reachable', async () => {
    for (const asked of [{ args: ['--host', '0.0.0.0'] }, { env: { LOGMILL_HOST: '0.0.0.0' } }]) {
      const data = temporaryDirectory('generated-host');
      const collector = await startCollector({ data, withKeys: false, ...asked });
      try {
        expect(collector.url).toMatch(/^http:\/\/0\.0\.0\.0:/);
        expect(collector.output()).toMatch(/ingest key: lm_ingest_/);
        expect(collector.output()).toContain(`warning: listening on 0.0.0.0, reachable from the network, with the keys generated in ${data}/keys.json`);
      } finally {
        await collector.stop();
      }
    }
  });
});
