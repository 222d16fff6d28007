/**
 * A hostile client against the collector's connections rather than its parser: uploads that send
 * part of a body and stall (slowloris), so many held bodies that memory runs out, and live-tail
 * subscriptions that never read. Each is bounded: a stalled request ends at `requestSeconds` with a
 * 408, bodies past `bodiesInFlightBytes` are refused with 503 and `Retry-After` (and taken once the
 * stalled ones are gone), and tails past the most served are refused, while other clients are served.
 */
import { writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, keys, post, startCollector, temporaryDirectory } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';
import { maxSubscribers } from '../collector/live-tail.js';

const kib = 1024;
/** Bodies of at most 1 MiB, 2 MiB of them at once. */
let collector: CollectorProcess;
/** The same, and requests end after a second. */
let impatient: CollectorProcess;

function withLimits(limits: Record<string, number>): Promise<CollectorProcess> {
  const config = join(temporaryDirectory('hostile-connections'), 'logmill.json');
  writeFileSync(config, JSON.stringify({ limits: { bodyBytes: 1024 * kib, bodiesInFlightBytes: 2048 * kib, ...limits } }));
  return startCollector({ args: ['--config', config] });
}

beforeAll(async () => {
  [collector, impatient] = await Promise.all([withLimits({}), withLimits({ requestSeconds: 1 })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([collector.stop(), impatient.stop()]);
});

/** A raw connection that sends the request head and `sent` bytes of a body declared `declared` long, then stalls. */
function stalledUpload(declared: number, sent: number, to = collector): { socket: Socket; answer: Promise<string> } {
  const socket = connect(to.port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.write(`POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${keys.ingest}\r\nContent-Length: ${declared}\r\n\r\n`);
  socket.write(Buffer.alloc(sent, 0x20));
  return { socket, answer };
}

function firstLine(text: string): string {
  return text.split('\r\n')[0] ?? '';
}

function bodyOf(text: string): unknown {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}

/** Sends raw bytes and returns everything answered until the collector closes the connection. */
function exchange(raw: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(collector.port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    socket.end(raw);
  });
}

/** A batch of `count` events of about 20 KiB each. */
function batch(count: number, tag: string): string {
  return `[${Array.from({ length: count }, (_, index) => envelope({ template: `${tag} %s`, args: ['x'.repeat(20 * kib - 20)], attributes: { index } })).join(',')}]`;
}

describe('a stalled upload', () => {
  it('is answered 408 and closed at requestSeconds, while other clients are served', async () => {
    const started = Date.now();
    const stalled = stalledUpload(10 * kib, 100, impatient);
    // Another client meanwhile.
    expect((await post(`${impatient.url}/v1/events`, batch(1, 'beside a stalled upload'), { authorization: `Bearer ${keys.ingest}` })).status).toBe(200);
    const answered = await Promise.race([stalled.answer, new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 8_000))]);
    stalled.socket.destroy();
    expect(firstLine(answered)).toBe('HTTP/1.1 408 Request Timeout');
    expect(bodyOf(answered)).toEqual({ error: 'request_timeout', message: 'the request did not arrive within 1 s (limits.requestSeconds)' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe('requests that are not valid HTTP', () => {
  it('are answered in the collector\'s shape, naming what is wrong', async () => {
    const head = `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${keys.ingest}\r\nContent-Type: application/json\r\n`;
    const cases: [string, string, string, RegExp][] = [
      ['two lengths', `${head}Content-Length: 2\r\nContent-Length: 3\r\n\r\n[]`, 'HTTP/1.1 400 Bad Request', /invalid_http.*Duplicate Content-Length/],
      ['length and chunks', `${head}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 'HTTP/1.1 400 Bad Request', /invalid_http.*Transfer-Encoding/],
      ['a header flood', `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${Array.from({ length: 1000 }, (_, index) => `X-Flood-${index}: ${'v'.repeat(20)}`).join('\r\n')}\r\n\r\n`, 'HTTP/1.1 431 Request Header Fields Too Large', /headers_too_large.*exceed \d+ bytes/],
      ['a path that is not UTF-8', `GET /api/users/%E0%A4%A/export?key=secret HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'HTTP/1.1 400 Bad Request', /invalid_url.*\/api\/users\/%E0%A4%A\/export is not valid/],
    ];
    for (const [what, raw, status, message] of cases) {
      const answer = await exchange(raw);
      expect([what, firstLine(answer)]).toEqual([what, status]);
      expect([what, JSON.stringify(bodyOf(answer))]).toEqual([what, expect.stringMatching(message)]);
      expect(answer).not.toContain('secret');
    }
  });
});

describe('bodies held at once', () => {
  it('are bounded: past the budget a body is refused with 503 and Retry-After, and taken once the stalled ones are gone', async () => {
    // Two uploads hold 1600 KiB of the 2048 and stall.
    const holders = [stalledUpload(900 * kib, 800 * kib), stalledUpload(900 * kib, 800 * kib)];
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      // A small batch still fits beside them: stalled clients starve no one while the budget lasts.
      expect((await post(`${collector.url}/v1/events`, batch(1, 'small'), { authorization: `Bearer ${keys.ingest}` })).status).toBe(200);
      // One of 600 KiB does not: it is refused as busy, for the client to send again.
      const large = batch(30, 'large');
      const refused = await post(`${collector.url}/v1/events`, large, { authorization: `Bearer ${keys.ingest}` });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body).toMatchObject({ error: 'busy' });
      expect(String(refused.body['message'])).toMatch(/bodiesInFlightBytes/);
      for (const holder of holders) holder.socket.destroy();
      await Promise.all(holders.map((holder) => holder.answer));
      // What the stalled uploads held is free again: the same batch is taken.
      let retried = await post(`${collector.url}/v1/events`, large, { authorization: `Bearer ${keys.ingest}` });
      for (let attempt = 0; retried.status === 503 && attempt < 20; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        retried = await post(`${collector.url}/v1/events`, large, { authorization: `Bearer ${keys.ingest}` });
      }
      expect(retried).toMatchObject({ status: 200, body: { accepted: 30 } });
    } finally {
      for (const holder of holders) holder.socket.destroy();
    }
  });
});

describe('live tails that never read', () => {
  it(`are refused past ${maxSubscribers} at once, and ingest goes on beside the ones open`, async () => {
    const tails: Socket[] = [];
    const open = (): Promise<string> => new Promise((resolve) => {
      const socket = connect(collector.port, '127.0.0.1');
      tails.push(socket);
      socket.on('error', () => undefined);
      socket.once('data', (chunk: Buffer) => {
        socket.pause();
        resolve(chunk.toString());
      });
      socket.write(`GET /api/tail HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${keys.admin}\r\n\r\n`);
    });
    try {
      const answers = await Promise.all(Array.from({ length: maxSubscribers }, open));
      expect(answers.map(firstLine)).toEqual(Array.from({ length: maxSubscribers }, () => 'HTTP/1.1 200 OK'));
      const refused = await open();
      expect(firstLine(refused)).toBe('HTTP/1.1 503 Service Unavailable');
      expect(refused).toContain('"error":"busy"');
      // Events of 20 KiB, which every open tail matches and none reads.
      for (let round = 0; round < 5; round++) {
        expect((await post(`${collector.url}/v1/events`, batch(20, `tailed ${round}`), { authorization: `Bearer ${keys.ingest}` })).status).toBe(200);
      }
    } finally {
      for (const socket of tails) socket.destroy();
    }
  });
});
