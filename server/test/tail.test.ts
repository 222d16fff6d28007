/**
 * The live tail end to end: `logmill tail` (a real process) prints an acknowledged event within a
 * second, filtered by severity; guarded readers cannot tail raw events.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, cliPath, keys, startCollector } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

let collector: CollectorProcess;
beforeAll(async () => {
  collector = await startCollector();
});
afterAll(async () => {
  await collector.stop();
});

describe('live tail', () => {
  it('prints matching events within a second of their acknowledgement', async () => {
    const child = spawn(process.execPath, [cliPath, 'tail', '--json', '--severity', 'WARN', '--url', collector.url, '--key', keys.admin], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      // Until the tail is connected, posted events are not for it: keep posting a marker until one shows.
      let marker = 0;
      while (!output.includes('ready-marker')) {
        await ingestAll(collector.url, keys.ingest, [envelope({ userId: 'u', severity: 'WARN', template: `ready-marker ${marker++}` })]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (marker > 100) throw new Error('the tail never connected');
      }
      const posted = Date.now();
      await ingestAll(collector.url, keys.ingest, [
        envelope({ userId: 'u1', severity: 'INFO', template: 'quiet info' }),
        envelope({ userId: 'u2', severity: 'ERROR', template: 'card declined for %s', args: ['o-1'], attributes: { orderId: 'o-1' } }),
      ]);
      while (!output.includes('card declined')) {
        if (Date.now() - posted > 1000) throw new Error(`not shown within a second:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const rows = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(rows.find((row) => row['template'] === 'card declined for %s')).toMatchObject({ severity: 'ERROR', user_id: 'u2', attributes: { orderId: 'o-1' } });
      expect(output).not.toContain('quiet info');
    } finally {
      child.kill();
    }
  });

  it('answers a parameter given twice with 400 naming it, not a stream left open (or a 503 elsewhere)', async () => {
    for (const path of ['/api/tail?q=a&q=b', '/api/tail?severity=WARN&severity=ERROR', '/api/templates?severity=WARN&severity=ERROR', '/api/count?from=1&from=2']) {
      const response = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${keys.admin}` }, signal: AbortSignal.timeout(5_000) });
      expect([path, response.status, await response.json()]).toEqual([path, 400, { error: 'invalid_query', message: expect.stringMatching(/is given more than once/) }]);
    }
  });

  it('is refused to guarded readers', async () => {
    await expect(promisify(execFile)(process.execPath, [cliPath, 'tail', '--url', collector.url, '--key', keys.read])).rejects.toThrow(/403/);
  });
});
