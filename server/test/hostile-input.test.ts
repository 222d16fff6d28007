/**
 * Ten thousand bad requests against a real collector: every one is answered with a 4xx (never a
 * 5xx), the process stays up with bounded memory, and nothing stored before changes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { keys, post, startCollector, temporaryDirectory } from './helpers/collector-process.js';
import { envelopeLines } from './helpers/envelopes.js';
import { badRequests } from './helpers/hostile-requests.js';

async function checksum(data: string): Promise<string> {
  const store = await DuckDBStore.open(data);
  try {
    const [row] = await store.read(
      `SELECT count(*)::VARCHAR || ':' || coalesce(md5(string_agg(id::VARCHAR || message || attributes::VARCHAR || context_vars::VARCHAR, ',' ORDER BY id)), '') AS digest FROM events`,
    );
    return row!['digest'] as string;
  } finally {
    await store.close();
  }
}

function residentMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

describe('hostile input', () => {
  it('answers 10,000 bad requests with 4xx, stays up, keeps memory bounded, and changes nothing stored', async () => {
    const data = temporaryDirectory('hostile');
    let collector = await startCollector({ data });
    const good = envelopeLines(200, 'before-attack');
    expect((await post(`${collector.url}/v1/events`, good.join('\n'), { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' })).status).toBe(200);
    await collector.stop();
    const before = await checksum(data);
    expect(before.startsWith('200:')).toBe(true);

    collector = await startCollector({ data });
    const requests = badRequests(10_000);
    const statuses = new Map<string, Map<number, number>>();
    let peakMegabytes = residentMegabytes(collector.child.pid!);
    const startMegabytes = peakMegabytes;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const response = await fetch(`${collector.url}${request.path ?? '/v1/events'}`, { method: 'POST', headers: request.headers, body: request.body as unknown as string });
        await response.arrayBuffer();
        const byStatus = statuses.get(request.kind) ?? new Map<number, number>();
        byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
        statuses.set(request.kind, byStatus);
        if (next % 500 === 0) peakMegabytes = Math.max(peakMegabytes, residentMegabytes(collector.child.pid!));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    const unexpected = [...statuses].flatMap(([kind, byStatus]) =>
      [...byStatus].filter(([status]) => status < 400 || status >= 500).map(([status, times]) => `${kind}: HTTP ${status} × ${times}`));
    expect(unexpected).toEqual([]);
    // Each kind gets the status that names its problem.
    const only = (kind: string) => [...statuses.get(kind)!.keys()].sort();
    expect(statuses.size).toBe(24);
    expect(only('huge-body')).toEqual([413]);
    expect(only('gzip-bomb')).toEqual([413]);
    expect(only('many-events')).toEqual([413]);
    expect(only('proto')).toEqual([400]);
    expect(only('deep')).toEqual([400]);
    expect(only('charset')).toEqual([415]);
    expect(only('content-type')).toEqual([415]);
    expect(only('invalid-utf8')).toEqual([400]);
    expect(only('auth').every((status) => status === 401 || status === 403)).toBe(true);
    expect([...statuses.values()].reduce((sum, byStatus) => sum + [...byStatus.values()].reduce((a, b) => a + b, 0), 0)).toBe(requests.length);
    expect(collector.child.exitCode).toBeNull();
    expect(await (await fetch(`${collector.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
    // Bounded: parsing garbage must not accumulate; 5 MiB bodies and 64 MiB bombs come and go.
    expect(peakMegabytes - startMegabytes).toBeLessThan(300);
    await collector.stop();
    expect(await checksum(data)).toBe(before);
  }, 300_000);
});
