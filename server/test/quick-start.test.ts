/**
 * The main job behind `npm start`, end to end: the demo shop compiled by tspc with the
 * transformer, run against a real collector, its events stored in DuckDB with their logical
 * stacks, call sites, context variables and experiment variants.
 */
import { execFile, spawn } from 'node:child_process';
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

  it('stops the collector and the live shop promptly on Ctrl-C, the shop delivering its last events first', async () => {
    const data = temporaryDirectory('quick-start-stop');
    const port = await freePort();
    // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    const run = spawn(process.execPath, [runScript], {
      env: { ...process.env, LOGMILL_DATA: data, LOGMILL_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => run.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      run.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('Ctrl-C stops them')) resolve();
      });
      run.once('close', () => reject(new Error(`npm start ended early:\n${stdout}\n${stderr}`)));
    });
    // Let the live shop serve a few requests first.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const interrupted = performance.now();
    process.kill(-run.pid!, 'SIGINT');
    await exited;
    expect(performance.now() - interrupted).toBeLessThan(10_000);
    expect(stderr).not.toMatch(/failed|retrying|spooled/);
    // Nothing is left running: neither the script's group nor the collector.
    expect(() => process.kill(-run.pid!, 0)).toThrow();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 180_000);
});
