/**
 * One long string must not lose a whole event (a logged response body, SQL statement or HTML
 * page): the collector keeps the event with the string cut to the limit and a marker, says so in
 * its answer and a metric, and what it still refuses (a key over the limit) reaches the app's
 * stderr with the collector's reason: which event, which field, which limit.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { checkStructure, defaultLimits, truncateString } from '../collector/limits.js';
import { type CollectorProcess, keys, post, startCollector } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';

/** The server package, whose dependencies include the runtime that apps import. */
const serverPackage = fileURLToPath(new URL('..', import.meta.url));
const limit = defaultLimits.stringLength;
const marker = /… \[truncated from (\d+) characters\]$/;

describe('truncating a long string', () => {
  it('cuts to the limit exactly, names the original length, and never splits a surrogate pair', () => {
    const cut = truncateString('y'.repeat(40_000), limit);
    expect(cut).toHaveLength(limit);
    expect(marker.exec(cut)?.[1]).toBe('40000');
    const emoji = '🙂'.repeat(20_000);
    const cutEmoji = truncateString(emoji, limit);
    expect(cutEmoji.length).toBeLessThanOrEqual(limit);
    expect(cutEmoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(truncateString('abcdefghijklmnop', 5)).toBe('abcde');
  });

  it('keeps the event and truncates its string values in place, while a key over the limit is still refused with its path', () => {
    const event = { template: 'body %s', args: ['y'.repeat(limit + 1), { sql: 'x'.repeat(100_000) }], message: `body ${'y'.repeat(limit + 1)}` };
    const truncations = { strings: 0 };
    expect(checkStructure(event, defaultLimits, false, truncations)).toBeUndefined();
    expect(truncations.strings).toBe(3);
    expect((event.args[0] as string).length).toBe(limit);
    expect(marker.test((event.args[1] as { sql: string }).sql)).toBe(true);
    expect(checkStructure({ args: [{ ['k'.repeat(limit + 1)]: 1 }] }, defaultLimits)).toMatchObject({ reason: 'string_too_long', path: '/args/0' });
  });
});

describe('the collector and the client', () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollector();
  }, 60_000);
  afterAll(async () => {
    await collector.stop();
  });

  it('accepts an event with a string over the limit, says how many it truncated, and counts them', async () => {
    const long = JSON.parse(envelope({ template: 'page %s', args: ['<html>'.repeat(10_000)] })) as Record<string, unknown>;
    const lines = [envelope({ template: 'small' }), JSON.stringify(long)].join('\n');
    const answer = await post(`${collector.url}/v1/events`, lines, { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ accepted: 2, truncated: 1, truncatedBeyond: limit });
    const metrics = await (await fetch(`${collector.url}/metrics`, { headers: { authorization: `Bearer ${keys.admin}` } })).text();
    expect(metrics).toMatch(/^logmill_strings_truncated_total 1$/m);
  });

  it("keeps a pino-style app's long event and prints the collector's reason for what it refuses", async () => {
    const script = `
      import { log, httpSink } from 'logmill';
      const sink = httpSink({ url: process.env.U, key: process.env.K });
      log.info('small before');
      log.info('response body %s', 'y'.repeat(40000));
      log.info('bad key %s', { ['k'.repeat(40000)]: 1 });
      log.error('small after %d', 1);
      await sink.flush(20000);
      console.log(JSON.stringify(sink.statistics));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: serverPackage, env: { ...process.env, U: collector.url, K: keys.ingest }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    expect(JSON.parse(stdout)).toMatchObject({ delivered: 3, refused: 1 });
    expect(stderr).toMatch(/refused 1 events \(HTTP 422: 1 of 4 events refused; first at index 2, \/args\/0: a key exceeds the string length limit \(string_too_long\)\)/);

    const query = { where: [{ field: 'template', value: 'response body %s' }], groupBy: [{ field: 'message' }] };
    const response = await fetch(`${collector.url}/api/query`, { method: 'POST', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(query) });
    const rows = ((await response.json()) as { rows: { message: string }[] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.message).toHaveLength(limit);
    expect(rows[0]!.message.startsWith('response body yyyy')).toBe(true);
    expect(marker.exec(rows[0]!.message)?.[1]).toBe('40014');
  });
});
