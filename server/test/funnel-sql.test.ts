/**
 * The sequential funnel computed in DuckDB against the per-user computation in Node, on random
 * datasets: same users, same steps reached, same times, same breakdowns, same exclusions; and the
 * cells counted in DuckDB against the cells counted in Node from those outcomes.
 */
import { describe, expect, it } from 'vitest';
import { funnelCells, funnelOutcomes } from '../analytics/funnel.js';
import type { FunnelCell, FunnelQuery } from '../domain/funnel-model.js';
import { type Envelope, eventToRow } from '../collector/event-to-row.js';
import { Scrubber } from '../collector/scrub.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { compileSequentialFunnel } from '../store/duckdb/query-sql.js';
import { random } from './helpers/hostile-requests.js';
import { temporaryDirectory } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';

const minute = 60_000;
const t0 = Date.UTC(2026, 9, 1);

describe('sequential funnels in SQL', () => {
  it('agree with the per-user computation on random datasets', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('funnel-sql'), { loadInterval: 3_600_000 });
    const scrubber = new Scrubber();
    try {
      for (let dataset = 0; dataset < 12; dataset++) {
        const next = random(1000 + dataset);
        const project = `p${dataset}`;
        const names = ['A', 'B', 'C', 'X', 'other'];
        const rows = [];
        for (let user = 0; user < 60; user++) {
          const count = 1 + Math.floor(next() * 12);
          for (let index = 0; index < count; index++) {
            const name = names[Math.floor(next() * names.length)]!;
            // Coarse times make ties (same millisecond) common, to test the order within them.
            const ts = t0 + Math.floor(next() * 40) * 5 * minute;
            const line = envelope({ userId: `u${user}`, name, ts, attributes: { variant: next() < 0.5 ? 'one' : 'two' } });
            rows.push(eventToRow(project, JSON.parse(line) as Envelope, ts, scrubber));
          }
        }
        await store.insert(rows);
        const funnels: FunnelQuery[] = [
          { steps: ['A', 'B', 'C'].map((name) => ({ name, where: [] })), window: (5 + Math.floor(next() * 100)) * minute, order: 'sequential', exclusions: [] },
          {
            steps: ['A', 'B', 'C'].map((name) => ({ name, where: [] })), window: 60 * minute, order: 'sequential',
            exclusions: [{ name: 'X', fromStep: 0, toStep: 1 }, { name: 'other', fromStep: 1, toStep: 2 }],
            breakdown: { json: 'attributes', key: 'variant' },
          },
          { steps: [{ name: 'A', where: [] }, { name: 'A', where: [] }], window: 30 * minute, order: 'sequential', exclusions: [], from: t0 + 20 * minute, to: t0 + 150 * minute },
        ];
        for (const funnel of funnels) {
          const inNode = funnelOutcomes(await store.funnelEvents(project, funnel, 'user_id'), funnel).sort((a, b) => a.user.localeCompare(b.user));
          const { sql, parameters } = compileSequentialFunnel(project, funnel, 'user_id');
          const inSql = (await store.read(sql, parameters))
            .map((row) => ({ user: String(row['user_key']), breakdown: (row['breakdown'] ?? null) as string | null, reached: Number(row['reached']), times: (row['times'] as unknown[]).filter((time) => time !== null).map(Number) }))
            .sort((a, b) => a.user.localeCompare(b.user));
          expect(inSql).toEqual(inNode);
          expect(inNode.length).toBeGreaterThan(5);
          // The digests differ by design (SQL hashes with DuckDB's hash, Node with SHA-256).
          const withoutDigest = (cells: FunnelCell[]) => cells.map(({ entityDigest: _, ...cell }) => cell).sort((a, b) => String(a.breakdown).localeCompare(String(b.breakdown)) || a.step - b.step);
          const cellsInSql = withoutDigest(await store.sequentialFunnelCells(project, funnel, 'user_id'));
          const cellsInNode = withoutDigest(funnelCells(funnel, inNode, () => ''));
          expect(cellsInSql.map(({ middleMs, ...cell }) => ({ ...cell, middleMs: middleMs?.map((value) => Math.round(value * 1000) / 1000) ?? null })))
            .toEqual(cellsInNode.map(({ middleMs, ...cell }) => ({ ...cell, middleMs: middleMs?.map((value) => Math.round(value * 1000) / 1000) ?? null })));
        }
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});
