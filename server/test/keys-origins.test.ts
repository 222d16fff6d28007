/**
 * Keys and origins as an attacker tries them: a read or admin key in the URL (where it would end
 * in logs and history) is refused even where an ingest key would do, and an `Origin` that equals
 * the `Host` the client chose (DNS rebinding) is checked against the allowlist like any other.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, keys, post, startCollector } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';

let collector: CollectorProcess;

beforeAll(async () => {
  collector = await startCollector({ env: { LOGMILL_ALLOWED_ORIGINS: 'http://app.example' } });
}, 60_000);

afterAll(async () => {
  await collector.stop();
});

/** A request with a Host header of the client's choosing (fetch does not let one set it). */
function withHost(path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; allowOrigin: string | undefined }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${collector.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text, allowOrigin: response.headers['access-control-allow-origin'] as string | undefined }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('keys in URLs', () => {
  it('takes only ingest keys from ?key=', async () => {
    const line = envelope({ template: 'via url' });
    expect((await post(`${collector.url}/v1/events?key=${keys.ingest}`, line, { 'content-type': 'text/plain' })).status).toBe(200);
    for (const key of [keys.admin, keys.read]) {
      const answer = await post(`${collector.url}/v1/events?key=${key}`, envelope({ template: 'via url' }), { 'content-type': 'text/plain' });
      expect(answer.status).toBe(401);
      expect(answer.body['error']).toBe('key_in_url');
    }
    // Read routes never look at the URL.
    expect((await fetch(`${collector.url}/api/whoami?key=${keys.admin}`)).status).toBe(401);
    expect((await fetch(`${collector.url}/api/users/u/export?key=${keys.admin}`)).status).toBe(401);
    // A wrong path never echoes the key a caller put in its URL.
    const lost = await fetch(`${collector.url}/v1/event?key=${keys.admin}`);
    expect(lost.status).toBe(404);
    expect(await lost.text()).not.toContain(keys.admin);
    // The same keys in a header work.
    expect((await post(`${collector.url}/v1/events`, envelope({ template: 'via header' }), { authorization: `Bearer ${keys.admin}` })).status).toBe(200);
  });
});

describe('origins whatever the Host', () => {
  it('refuses an origin that only matches the Host the client sent (DNS rebinding)', async () => {
    const line = envelope({ template: 'rebound' });
    const rebound = await withHost(`/v1/events?key=${keys.ingest}`, { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'text/plain' }, line);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: 'origin_not_allowed' });
    const preflight = await new Promise<number>((resolve, reject) => {
      const outgoing = request(`${collector.url}/v1/events`, { method: 'OPTIONS', headers: { host: 'evil.example:4318', origin: 'http://evil.example:4318', 'access-control-request-method': 'POST' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(preflight).toBe(403);
  });

  it('names a refused origin once on stderr, with the setting that lets it in, and never echoes an unprintable one', async () => {
    const page = 'http://localhost:5173';
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const refused = await post(`${collector.url}/v1/events?key=${keys.ingest}`, envelope({ template: 'from a dev server' }), { 'content-type': 'text/plain', origin: page });
      expect(refused.status).toBe(403);
    }
    const hostile = await post(`${collector.url}/v1/events?key=${keys.ingest}`, envelope({ template: 'x' }), { 'content-type': 'text/plain', origin: 'http://a.example/\u009b2J' });
    expect(hostile.status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = collector.output().split('\n').filter((line) => line.includes(page) || line.includes('a.example'));
    expect(lines).toEqual([
      `logmill collector: refused a request from the origin ${page}, which is not allowed (a page there sees a CORS error); `
      + 'to accept its events, add it to allowedOrigins (LOGMILL_ALLOWED_ORIGINS) or to the origins of its ingest key',
    ]);
  });

  it('still treats the collector on a loopback name as its own origin, and allows listed origins', async () => {
    const port = new URL(collector.url).port;
    const own = await withHost(`/v1/events?key=${keys.ingest}`, { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, 'content-type': 'text/plain' }, envelope({ template: 'own' }));
    expect(own.status).toBe(200);
    expect(own.allowOrigin).toBeUndefined();
    const local = await withHost(`/v1/events?key=${keys.ingest}`, { host: `localhost:${port}`, origin: `http://localhost:${port}`, 'content-type': 'text/plain' }, envelope({ template: 'own' }));
    expect(local.status).toBe(200);
    const listed = await withHost(`/v1/events?key=${keys.ingest}`, { host: 'app.example', origin: 'http://app.example', 'content-type': 'text/plain' }, envelope({ template: 'listed' }));
    expect(listed.status).toBe(200);
    expect(listed.allowOrigin).toBe('http://app.example');
  });
});
