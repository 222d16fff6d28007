/**
 * The Node HTTP sink's protocol against a scripted HTTP server on loopback: batching, gzip,
 * retries with Retry-After, final 4xx, partial refusals, and the spool bound.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeliveryProblem, describeDeliveryProblem, httpSink, log } from '../../runtime/node.js';
import { chunkLines } from '../../runtime/delivery/browser-sink.js';
import { backoffDelay, retryAfterMilliseconds } from '../../runtime/delivery/retry-policy.js';

interface Received {
  at: number;
  events: string[];
  headers: IncomingMessage['headers'];
}

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function scriptedCollector(answers: (attempt: number, events: string[]) => Answer): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const events = body.toString('utf8').split('\n').filter((line) => line !== '');
      received.push({ at: Date.now(), events, headers: request.headers });
      const answer = answers(received.length - 1, events);
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as { port: number }).port}`, received };
}

const spoolDirectory = () => mkdtempSync(join(tmpdir(), 'logmill-sink-'));

describe('httpSink', () => {
  it('batches by count, gzips large bodies and sends the key and a spool report', async () => {
    const collector = await scriptedCollector(() => ({ status: 200, body: { accepted: 10 } }));
    const sink = httpSink({ url: collector.url, key: 'ingest-key', spool: spoolDirectory(), maxBatchEvents: 10, flushInterval: 50 });
    for (let index = 0; index < 25; index++) log.info('event %d with a long enough message to make the body worth compressing', index);
    expect(await sink.close()).toBe(true);
    expect(collector.received.map((request) => request.events.length)).toEqual([10, 10, 5]);
    expect(collector.received[0]!.headers['content-encoding']).toBe('gzip');
    expect(collector.received[0]!.headers['authorization']).toBe('Bearer ingest-key');
    expect(collector.received[0]!.headers['x-logmill-client']).toMatch(/^instance=[0-9a-f-]{36}; spool=\d+; dropped=0$/);
    expect(collector.received.flatMap((request) => request.events.map((line) => JSON.parse(line).args[0]))).toEqual([...Array(25).keys()]);
    expect(sink.statistics).toMatchObject({ delivered: 25, queued: 0, retries: 0 });
  });

  it('retries 503, 429 and 408, waiting at least Retry-After, then delivers once', async () => {
    const collector = await scriptedCollector((attempt) =>
      [{ status: 503, headers: { 'retry-after': '1' } }, { status: 429 }, { status: 408 }][attempt] ?? { status: 200 },
    );
    const sink = httpSink({ url: collector.url, key: 'k', spool: false, flushInterval: 10, initialBackoff: 10, maxBackoff: 20 });
    log.info('retried');
    expect(await sink.close(10_000)).toBe(true);
    expect(collector.received).toHaveLength(4);
    expect(collector.received[1]!.at - collector.received[0]!.at).toBeGreaterThanOrEqual(950);
    expect(new Set(collector.received.map((request) => JSON.parse(request.events[0]!).id)).size).toBe(1);
    expect(sink.statistics).toMatchObject({ delivered: 1, retries: 3, refused: 0 });
  });

  it('does not resend after a final 4xx, and counts what a partial refusal refused', async () => {
    const collector = await scriptedCollector((attempt, events) =>
      attempt === 0 ? { status: 400, body: { error: 'invalid_events' } } : { status: 422, body: { accepted: events.length - 2 } },
    );
    const sink = httpSink({ url: collector.url, key: 'k', spool: false, maxBatchEvents: 5, onProblem: () => undefined });
    for (let index = 0; index < 10; index++) log.info('event %d', index);
    // Refused events are gone: close (a flush) says so rather than reporting success.
    expect(await sink.close()).toBe(false);
    expect(collector.received).toHaveLength(2);
    expect(sink.statistics).toMatchObject({ refused: 7, delivered: 3, retries: 0 });
  });

  it('sends the batches it adopted as soon as it starts, before it logs anything', async () => {
    const spool = spoolDirectory();
    let up = false;
    const collector = await scriptedCollector(() => ({ status: up ? 200 : 503 }));
    const away = httpSink({ url: collector.url, key: 'k', spool, initialBackoff: 5_000, onProblem: () => undefined });
    for (let index = 0; index < 5; index++) log.info('logged while the collector was away %d', index);
    expect(await away.close(50)).toBe(false);
    // Its attempt may still be on its way (a loaded machine): answered 503 before the collector comes back.
    while (collector.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    up = true;
    collector.received.length = 0;
    const back = httpSink({ url: collector.url, key: 'k', spool });
    // No flush: the adopted batches go on their own. Wait on the client's own account of the
    // acknowledgement (the server records a request before the client has read the answer).
    const deadline = Date.now() + 10_000;
    while (back.statistics.delivered < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(back.statistics).toMatchObject({ delivered: 5, queued: 0 });
    expect(collector.received.flatMap((request) => request.events)).toHaveLength(5);
    expect(await back.close()).toBe(true);
  });

  it('keeps the spool within its bound while the collector is unreachable, counting what it drops', async () => {
    const problems: DeliveryProblem[] = [];
    const sink = httpSink({
      url: 'http://127.0.0.1:9', key: 'k', spool: spoolDirectory(), maxBatchEvents: 10, maxSpoolBytes: 8 * 1024,
      initialBackoff: 5_000, onProblem: (problem) => problems.push(problem),
    });
    for (let index = 0; index < 500; index++) log.info('event %d while the collector is away', index);
    await sink.flush(50);
    const { dropped, queued, spoolBytes } = sink.statistics;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + queued).toBe(500);
    expect(spoolBytes).toBeLessThanOrEqual(8 * 1024 + 4 * 1024);
    const drops = problems.filter((problem) => problem.kind === 'dropped');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.at(-1)).toMatchObject({ total: dropped });
    expect(describeDeliveryProblem(drops[0]!)).toMatch(/^logmill: the delivery spool is full; dropped the \d+ oldest events/);
    await sink.close(10);
  });
});

describe('retry policy', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMilliseconds('3')).toBe(3000);
    expect(retryAfterMilliseconds(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(3500);
    expect(retryAfterMilliseconds('soon')).toBeUndefined();
    expect(retryAfterMilliseconds(null)).toBeUndefined();
    expect(retryAfterMilliseconds('')).toBeUndefined();
    expect(retryAfterMilliseconds(' 7 ')).toBe(7000);
    expect(retryAfterMilliseconds(new Date(Date.now() - 5000).toUTCString())).toBe(0);
  });

  it('draws backoff with full jitter under a doubling ceiling, never below Retry-After', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const delay = backoffDelay(attempt, 100, 10_000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(Math.min(10_000, 100 * 2 ** attempt));
    }
    expect(backoffDelay(0, 100, 10_000, 2000)).toBeGreaterThanOrEqual(2000);
  });
});

describe('keepalive chunks', () => {
  it('groups lines into bodies under the budget, each with its UTF-8 size', () => {
    const lines = Array.from({ length: 500 }, (_, index) => JSON.stringify({ index, text: 'é'.repeat(100 + (index % 50)) }));
    const chunks = chunkLines(lines, 16 * 1024);
    expect(chunks.length).toBeGreaterThan(1);
    for (const [body, bytes] of chunks) {
      expect(bytes).toBe(new TextEncoder().encode(body).length);
      expect(bytes).toBeLessThanOrEqual(16 * 1024);
    }
    expect(chunks.map(([body]) => body).join('').trimEnd().split('\n')).toEqual(lines);
  });

  it('sends a line over the budget alone', () => {
    const long = 'x'.repeat(100);
    expect(chunkLines(['a', long, 'b'], 50).map(([body]) => body)).toEqual(['a\n', `${long}\n`, 'b\n']);
  });
});
