/**
 * The Node sink against a real collector whose limits are below the sink's batch size (500 events,
 * 512 KiB): `limits.eventsPerBatch` and `limits.bodyBytes` answer 413, and the sink splits the
 * batch until each part fits, so every event that fits on its own is stored. Only an event larger
 * than a whole request may be is refused, and stderr names the limit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpSink, log, memorySink } from 'logmill';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CollectorProcess, keys, metric, startCollector, storedEvent, temporaryDirectory } from './helpers/collector-process.js';

let collector: CollectorProcess;
beforeAll(async () => {
  const data = temporaryDirectory('limits');
  const config = join(data, 'config.json');
  writeFileSync(config, JSON.stringify({ limits: { eventsPerBatch: 100, bodyBytes: 65_536 } }));
  collector = await startCollector({ data, args: ['--config', config] });
});
afterAll(async () => {
  await collector.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('a collector whose limits are below the batch size', () => {
  it('gets every event, in parts that fit eventsPerBatch and bodyBytes', async () => {
    const memory = memorySink();
    const rowsBefore = await metric(collector.url, 'logmill_storage_rows');
    const sink = httpSink({ url: collector.url, key: keys.ingest, spool: temporaryDirectory('limits-spool'), onProblem: () => undefined });
    // 300 events of about 600 bytes: one batch of 180 KB, three times eventsPerBatch and bodyBytes.
    for (let index = 0; index < 300; index++) log.info('batch limit %d %s', index, 'p'.repeat(300));
    expect(await sink.flush(20_000)).toBe(true);
    expect(sink.statistics).toMatchObject({ delivered: 300, refused: 0, queued: 0 });
    // The next batch goes out in parts of the size learnt, and arrives too.
    for (let index = 0; index < 150; index++) log.info('batch limit again %d %s', index, 'q'.repeat(300));
    expect(await sink.close(20_000)).toBe(true);
    expect(sink.statistics).toMatchObject({ delivered: 450, refused: 0 });
    memory.close();
    expect(await metric(collector.url, 'logmill_storage_rows')).toBe(rowsBefore + 450);
    for (const event of [memory.events[0]!, memory.events[299]!, memory.events[449]!]) {
      expect(await storedEvent(collector.url, event.id)).toMatchObject({ id: event.id });
    }
  });

  it('refuses only an event larger than a request may be, delivers its batch\'s other events, and names the limit on stderr', async () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
    const memory = memorySink();
    const sink = httpSink({ url: collector.url, key: keys.ingest, spool: temporaryDirectory('limits-spool'), compress: false });
    for (let index = 0; index < 40; index++) {
      if (index === 17) log.info('too large %s %s %s', 'x'.repeat(30_000), 'y'.repeat(30_000), 'z'.repeat(30_000));
      else log.info('beside the large one %d', index);
    }
    expect(await sink.flush(20_000)).toBe(false);
    expect(sink.statistics).toMatchObject({ delivered: 39, refused: 1, queued: 0 });
    // The one large event does not make every later request carry a single event.
    const requestsBefore = await metric(collector.url, 'logmill_batch_events_count');
    for (let index = 0; index < 60; index++) log.info('after the large one %d', index);
    expect(await sink.close(20_000)).toBe(true);
    expect(await metric(collector.url, 'logmill_batch_events_count') - requestsBefore).toBeLessThanOrEqual(3);
    memory.close();
    expect(sink.statistics).toMatchObject({ delivered: 99, refused: 1, queued: 0 });
    expect(await storedEvent(collector.url, memory.events[17]!.id)).toBeUndefined();
    for (const index of [0, 16, 18, 39]) expect(await storedEvent(collector.url, memory.events[index]!.id)).toBeDefined();
    expect(stderr.join('')).toMatch(/logmill: the collector at .*\/v1\/events refused 1 events, each larger on its own than one request may be \(HTTP 413: .*65536.*limits\.bodyBytes/);
  });
});
