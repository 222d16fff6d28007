/**
 * What the collector answers, in the forms its readers expect: a person's export as a portability
 * document (JSON values, ISO 8601 UTC times, `logmill export --json`), and `/api/query` time
 * buckets as ISO 8601 UTC for exact and guarded readers alike, which the dashboard reads.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketTime } from '../dashboard/src/format.js';
import { portableEvent } from '../collector/user-export.js';
import { cliPath, keys, startCollector, type CollectorProcess } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

const logmill = (args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, LOGMILL_URL: '', LOGMILL_KEY: '' } });

describe('answers', () => {
  let collector: CollectorProcess;
  const person = 'dora-5c1e0b77';

  beforeAll(async () => {
    collector = await startCollector({ env: { LOGMILL_READ_ACCESS: 'untrusted' } });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
    const lines: string[] = [];
    for (let index = 0; index < 6; index++) lines.push(envelope({ userId: person, template: 'paid %s', args: [`order-${index}`], attributes: { plan: 'gold', tags: ['a', 'b'] }, ts: hour + 60_000 + index }));
    for (let index = 0; index < 60; index++) lines.push(envelope({ userId: `shopper-${index}`, template: 'paid %s', args: [`order-x${index}`], attributes: { plan: 'basic' }, ts: hour + 120_000 + index }));
    await ingestAll(collector.url, keys.ingest, lines);
  }, 60_000);

  afterAll(async () => {
    await collector.stop();
  });

  it('exports a person as JSON values with ISO 8601 UTC times, and `export --json` is accepted', () => {
    const run = logmill(['export', '--user', person, '--json', '--url', collector.url, '--key', keys.admin]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const exported = JSON.parse(run.stdout) as { user: string; project: string; count: number; exportedAt: string; events: Record<string, unknown>[] };
    expect(exported).toMatchObject({ user: person, project: 'default', count: 6 });
    expect(exported.exportedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const [event] = exported.events;
    expect(event).toMatchObject({ user_id: person, template: 'paid %s', args: ['order-0'], attributes: { plan: 'gold', tags: ['a', 'b'] }, stack: [], experiments: {} });
    expect(event!['context_vars']).toEqual({ userId: person });
    for (const column of ['ts', 'received_at']) expect(event![column]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // The instant is the one sent, not shifted by a zone.
    expect(exported.events.map((row) => Date.parse(String(row['ts'])) % 3_600_000)).toEqual([60_000, 60_001, 60_002, 60_003, 60_004, 60_005]);
    // Without --json: the same document, indented for a person to read.
    const indented = logmill(['export', '--user', person, '--url', collector.url, '--key', keys.admin]);
    expect(JSON.parse(indented.stdout).events).toEqual(exported.events);
    expect(indented.stdout).toContain('\n  "events": [');
  });

  it('gives /api/query time buckets as ISO 8601 UTC, exact and guarded, which the dashboard reads', async () => {
    const query = { groupBy: [{ time: 'hour' }], aggregates: [{ fn: 'count' }] };
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000).toISOString();
    for (const key of [keys.admin, keys.read]) {
      const response = await fetch(`${collector.url}/api/query`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(query) });
      const answer = (await response.json()) as { exact: boolean; rows: Record<string, unknown>[] };
      expect(response.status).toBe(200);
      expect(answer.rows.map((row) => row['time:hour'])).toEqual([hour]);
      expect(bucketTime(answer.rows[0]!['time:hour'])).toBe(Date.parse(hour));
    }
    expect(bucketTime('*')).toBeNaN();
    expect(bucketTime(1_796_623_200_000)).toBe(1_796_623_200_000);
  });
});

describe('portableEvent', () => {
  it('gives the same document whichever store answered: DuckDB text, ClickHouse values, a dead letter\'s journal line', () => {
    const expected = { ts: '2026-12-07T06:48:56.000Z', received_at: '2026-12-07T06:48:56.459Z', args: [1, 'x'], attributes: { a: { b: null } }, error: null, message: '{"not":"a json column"}' };
    // DuckDB: JSON columns as text, TIMESTAMP_MS as zone-less UTC text without a zero millisecond part.
    expect(portableEvent({ ts: '2026-12-07 06:48:56', received_at: '2026-12-07 06:48:56.459', args: '[1,"x"]', attributes: '{"a":{"b":null}}', error: null, message: '{"not":"a json column"}' })).toEqual(expected);
    // ClickHouse rows and dead letters: JSON already parsed, times as epoch milliseconds.
    expect(portableEvent({ ts: Date.parse(expected.ts), received_at: String(Date.parse(expected.received_at)), args: [1, 'x'], attributes: { a: { b: null } }, error: null, message: '{"not":"a json column"}' })).toEqual(expected);
  });
});
