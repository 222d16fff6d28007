/**
 * The main job behind `npm start`, end to end: the demo shop compiled by tspc with the
 * transformer, run against a real collector, its events stored in DuckDB with their logical
 * stacks, call sites, context variables and experiment variants.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { cliPath, freePort, temporaryDirectory } from './helpers/collector-process.js';

const runScript = join(cliPath, '../../../../examples/run.mjs');

describe('npm start', () => {
  it('runs the instrumented demo against the collector and stores what it logged', async () => {
    const data = temporaryDirectory('quick-start');
    const { stdout } = await promisify(execFile)(process.execPath, [runScript, '--once'], {
      env: { ...process.env, LOGMILL_DATA: data, LOGMILL_PORT: String(await freePort()) },
      timeout: 120_000,
    });
    const held = Number(/The collector holds (\d+) events/.exec(stdout)?.[1]);
    expect(held).toBeGreaterThan(500);
    expect(stdout).toContain('ingest key: lm_ingest_');
    const store = await DuckDBStore.open(data);
    try {
      const [summary] = await store.read(`
        SELECT count(*) AS events,
               count(*) FILTER (WHERE json_array_length(stack) >= 3) AS with_stack,
               count(*) FILTER (WHERE experiments->>'checkout-v2' IN ('A', 'B')) AS in_experiment,
               count(*) FILTER (WHERE module = 'api/checkout/payment' AND line > 0) AS with_site,
               count(DISTINCT user_id) AS users,
               count(*) FILTER (WHERE name = '$exposure') AS exposures
        FROM events`);
      expect(Number(summary!['events'])).toBe(held);
      expect(Number(summary!['with_stack'])).toBeGreaterThan(held / 2);
      expect(Number(summary!['in_experiment'])).toBeGreaterThan(held / 2);
      expect(Number(summary!['with_site'])).toBeGreaterThan(100);
      expect(Number(summary!['users'])).toBeGreaterThan(50);
      expect(Number(summary!['exposures'])).toBe(203);
    } finally {
      await store.close();
    }
  }, 180_000);
});
