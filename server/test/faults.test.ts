/**
 * Fault tests on real processes: the collector killed with SIGKILL under load, a minute-long
 * outage, and an app that exits while the collector is down. The verdict is read from the DuckDB
 * file itself after the collector has stopped. The outage's minute is the app's own clock, run
 * fast (logging-app.mjs, CLOCK_RATE); no test waits on the wall clock for more than a moment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { type CollectorProcess, freePort, keys, startCollector, temporaryDirectory } from './helpers/collector-process.js';
import { envelopeLines } from './helpers/envelopes.js';
import { runLoggingApp } from './helpers/run-app.js';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function storedIds(data: string): Promise<{ total: number; distinct: Set<string> }> {
  const store = await DuckDBStore.open(data);
  try {
    const rows = await store.read('SELECT id::VARCHAR AS id FROM events');
    return { total: rows.length, distinct: new Set(rows.map((row) => row['id'] as string)) };
  } finally {
    await store.close();
  }
}

function loggedIds(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
}

/** Resolves once `file` lists at least `count` logged ids (the app has got that far). */
async function loggedAtLeast(file: string, count: number, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!existsSync(file) || loggedIds(file).length < count) {
    if (Date.now() > deadline) throw new Error(`${file}: fewer than ${count} ids logged within ${timeout} ms`);
    await sleep(20);
  }
}

/** Sends batches of 100 until each is acknowledged, retrying through outages; returns the acknowledged ids. */
async function retryingClient(url: () => string, batches: number): Promise<string[]> {
  const acknowledged: string[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const lines = envelopeLines(100, `raw-${batch}`);
    for (;;) {
      try {
        const response = await fetch(`${url()}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' },
          body: lines.join('\n'),
          signal: AbortSignal.timeout(5000),
        });
        if (response.status === 200) {
          acknowledged.push(...lines.map((line) => JSON.parse(line).id as string));
          break;
        }
        expect(response.status).toBeGreaterThanOrEqual(500);
      } catch (error) {
        if ((error as Error).name === 'AssertionError') throw error;
      }
      await sleep(50);
    }
  }
  return acknowledged;
}

describe('collector faults', () => {
  it('loses and duplicates nothing when killed with SIGKILL under sustained load', async () => {
    const port = await freePort();
    const data = temporaryDirectory('kill');
    let collector: CollectorProcess = await startCollector({ data, port });
    const work = temporaryDirectory('apps');
    const apps = [0, 1].map((index) =>
      runLoggingApp({
        URL: collector.url, KEY: keys.ingest, SPOOL: join(work, `spool-${index}`), IDS_FILE: join(work, `ids-${index}`),
        COUNT: '15000', PER_TICK: '150', TICK_MS: '20', APP_NAME: `app-${index}`,
      }),
    );
    const raw = retryingClient(() => collector.url, 60);
    // Each kill lands while the apps are logging and sending: a third of the way, then two thirds.
    await loggedAtLeast(join(work, 'ids-0'), 5_000);
    await collector.kill();
    await sleep(300);
    collector = await startCollector({ data, port });
    await loggedAtLeast(join(work, 'ids-0'), 10_000);
    await collector.kill();
    await sleep(300);
    collector = await startCollector({ data, port });
    const statistics = await Promise.all(apps.map((app) => app.done));
    const acknowledged = await raw;
    await collector.stop();

    for (const stats of statistics) expect(stats).toMatchObject({ flushed: true, queued: 0, dropped: 0, refused: 0, delivered: 15_000 });
    // The kills landed while the apps were sending.
    expect(statistics.reduce((sum, stats) => sum + (stats['retries'] as number), 0)).toBeGreaterThan(0);
    const sent = [...loggedIds(join(work, 'ids-0')), ...loggedIds(join(work, 'ids-1')), ...acknowledged];
    expect(sent.length).toBe(36_000);
    const stored = await storedIds(data);
    expect(stored.total).toBe(stored.distinct.size);
    expect(stored.total).toBe(36_000);
    for (const id of sent) expect(stored.distinct.has(id)).toBe(true);
  });

  it('loses nothing while the collector is down for a minute and the app keeps logging', async () => {
    const port = await freePort();
    const data = temporaryDirectory('outage');
    const work = temporaryDirectory('outage-app');
    // 3000 events at 50 a second of the app's clock: it logs for a whole minute with the collector
    // away, backing off and retrying, and the collector starts once the last event is logged. The
    // app's clock runs 60 times the wall's; its flush may wait an hour of it (a minute of the wall)
    // for the collector to come up.
    const app = runLoggingApp({
      URL: `http://127.0.0.1:${port}`, KEY: keys.ingest, SPOOL: join(work, 'spool'), IDS_FILE: join(work, 'ids'),
      COUNT: '3000', PER_TICK: '5', TICK_MS: '100', CLOCK_RATE: '60', FLUSH_TIMEOUT: '3600000',
    });
    await loggedAtLeast(join(work, 'ids'), 3000);
    const collector = await startCollector({ data, port });
    const statistics = await app.done;
    await collector.stop();
    expect(statistics).toMatchObject({ flushed: true, queued: 0, dropped: 0, delivered: 3000 });
    expect(statistics['elapsed']).toBeGreaterThanOrEqual(60_000);
    // Backing off to at most a second, a minute of outage is dozens of attempts.
    expect(statistics['retries']).toBeGreaterThan(10);
    const sent = loggedIds(join(work, 'ids'));
    expect(sent.length).toBe(3000);
    const stored = await storedIds(data);
    expect(stored.total).toBe(3000);
    for (const id of sent) expect(stored.distinct.has(id)).toBe(true);
  });

  it('delivers, from the next start, what an app spooled before exiting during an outage', async () => {
    const port = await freePort();
    const data = temporaryDirectory('adopt');
    const work = temporaryDirectory('adopt-app');
    const spool = join(work, 'spool');
    const first = await runLoggingApp({
      URL: `http://127.0.0.1:${port}`, KEY: keys.ingest, SPOOL: spool, IDS_FILE: join(work, 'ids'),
      COUNT: '2000', PER_TICK: '500', TICK_MS: '5', EXIT_WITHOUT_FLUSH: '1',
    }).done;
    expect(first['queued']).toBe(2000);
    const collector = await startCollector({ data, port });
    const second = await runLoggingApp({
      URL: collector.url, KEY: keys.ingest, SPOOL: spool, IDS_FILE: join(work, 'ids'), COUNT: '10',
    }).done;
    await collector.stop();
    expect(second).toMatchObject({ flushed: true, queued: 0, delivered: 2010 });
    const stored = await storedIds(data);
    expect(stored.total).toBe(2010);
    for (const id of loggedIds(join(work, 'ids'))) expect(stored.distinct.has(id)).toBe(true);
  });
});
