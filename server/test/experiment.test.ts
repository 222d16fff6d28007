/**
 * Experiment results against hand-computed answers (exposure and conversion rules; Wilson
 * intervals and posterior probabilities checked against Python's numbers) and through the API.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentEvent } from '../domain/experiment-model.js';
import { experimentOutcomes, probabilityToBeat, wilsonInterval } from '../analytics/experiment.js';
import { type CollectorProcess, cliPath, keys, startCollector } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

const hour = 3_600_000;
const t0 = Date.UTC(2026, 9, 1);
const query = { experiment: 'checkout-v2', goal: 'order placed', window: 48 * hour };

describe('experiment statistics', () => {
  it('computes Wilson intervals as Python does', () => {
    const [low, high] = wilsonInterval(12, 30);
    expect(low).toBeCloseTo(0.245906, 5);
    expect(high).toBeCloseTo(0.576796, 5);
    expect(wilsonInterval(20, 100)[0]).toBeCloseTo(0.133367, 5);
    expect(wilsonInterval(0, 10)).toEqual([0, expect.closeTo(0.277533, 5)]);
  });

  it('gives the probability to beat control that sampling the posteriors gives', () => {
    // Python: P(Beta(61, 41) > Beta(46, 56)) = 0.983 over 200,000 draws.
    expect(probabilityToBeat({ converted: 60, exposed: 100 }, { converted: 45, exposed: 100 })).toBeCloseTo(0.983, 2);
    expect(probabilityToBeat({ converted: 30, exposed: 100 }, { converted: 30, exposed: 100 })).toBeCloseTo(0.5, 1);
    expect(probabilityToBeat({ converted: 60, exposed: 100 }, { converted: 45, exposed: 100 })).toBe(probabilityToBeat({ converted: 60, exposed: 100 }, { converted: 45, exposed: 100 }));
  });

  it('counts the first exposure and only goals after it, within the window', () => {
    const events: ExperimentEvent[] = [
      { user: 'a', time: t0, exposure: true, variant: 'B' },
      { user: 'a', time: t0 + hour, exposure: true, variant: 'control' },
      { user: 'a', time: t0 + 2 * hour, exposure: false, variant: null },
      { user: 'b', time: t0, exposure: false, variant: null },
      { user: 'b', time: t0 + hour, exposure: true, variant: 'control' },
      { user: 'c', time: t0, exposure: true, variant: 'control' },
      { user: 'c', time: t0 + 49 * hour, exposure: false, variant: null },
      { user: 'd', time: t0, exposure: false, variant: null },
    ];
    expect(Object.fromEntries(experimentOutcomes(events, query))).toEqual({
      a: { variant: 'B', converted: true },
      b: { variant: 'control', converted: false },
      c: { variant: 'control', converted: false },
    });
  });
});

describe('experiments through the API', () => {
  let collector: CollectorProcess;

  beforeAll(async () => {
    collector = await startCollector();
    const lines: string[] = [];
    // control: 100 exposed, 45 convert; B: 100 exposed, 60 convert; C: 2 exposed (too few to show).
    const plan: [string, number, number][] = [['control', 100, 45], ['B', 100, 60], ['C', 2, 1]];
    for (const [variant, exposed, converted] of plan) {
      for (let index = 0; index < exposed; index++) {
        const user = `${variant}-${index}`;
        lines.push(envelope({ userId: user, name: '$exposure', ts: t0 + index * 1000, attributes: { experiment: 'checkout-v2', variant } }));
        if (index < converted) lines.push(envelope({ userId: user, name: 'order placed', ts: t0 + index * 1000 + hour }));
      }
    }
    // Another experiment's exposures and a goal before any exposure do not count.
    lines.push(envelope({ userId: 'B-0', name: '$exposure', ts: t0 - hour, attributes: { experiment: 'other', variant: 'x' } }));
    lines.push(envelope({ userId: 'control-99', name: 'order placed', ts: t0 - hour }));
    await ingestAll(collector.url, keys.ingest, lines);
  }, 120_000);

  afterAll(async () => {
    await collector.stop();
  });

  async function ask(key: string, asked: Record<string, unknown> = query) {
    const response = await fetch(`${collector.url}/api/experiment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(asked),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { exact: boolean; variants: Record<string, any>[] };
  }

  it('reports exact exposures, conversions, intervals and the probability to beat control to direct readers', async () => {
    const answer = await ask(keys.admin);
    expect(answer.exact).toBe(true);
    const byVariant = Object.fromEntries(answer.variants.map((variant) => [variant['variant'], variant]));
    expect(byVariant['control']).toMatchObject({ exposed: 100, converted: 45, conversionRate: 0.45, probabilityToBeatControl: null });
    expect(byVariant['B']).toMatchObject({ exposed: 100, converted: 60, conversionRate: 0.6 });
    expect(byVariant['B']!['probabilityToBeatControl']).toBeCloseTo(0.983, 2);
    expect(byVariant['C']).toMatchObject({ exposed: 2, converted: 1 });
  });

  it('counts only this experiment\'s exposures when the goal is itself an exposure', async () => {
    // Another experiment's `$exposure` was counted as an exposure of this one when the goal was
    // `$exposure` (B-0's exposure to "other" made B-0 exposed an hour earlier, to variant x).
    const answer = await ask(keys.admin, { ...query, goal: '$exposure' });
    const byVariant = Object.fromEntries(answer.variants.map((variant) => [variant['variant'], variant]));
    expect(Object.keys(byVariant).sort()).toEqual(['B', 'C', 'control']);
    expect(byVariant['B']).toMatchObject({ exposed: 100, converted: 0 });
    expect(byVariant['control']).toMatchObject({ exposed: 100, converted: 0 });
  });

  it('prints `logmill experiment` as a table', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [cliPath, 'experiment', '--name', 'checkout-v2', '--goal', 'order placed', '--window', String(48 * 3600), '--url', collector.url, '--key', keys.admin]);
    expect(stdout.split('\n')[0]).toMatch(/^variant\s+exposed\s+converted\s+rate \[95% interval\]\s+beats control$/);
    expect(stdout).toMatch(/\ncontrol\s+100\s+45\s+45\.0% \[35\.6%, 54\.8%\]\s+\(control\)\n/);
    expect(stdout).toMatch(/\nB\s+100\s+60\s+60\.0% \[\d+\.\d%, \d+\.\d%\]\s+98\.\d%\n/);
  });

  it('guards the counts for untrusted readers and hides variants with too few people', async () => {
    const answer = await ask(keys.read);
    expect(answer.exact).toBe(false);
    const byVariant = Object.fromEntries(answer.variants.map((variant) => [variant['variant'], variant]));
    expect(byVariant['C']).toBeUndefined();
    for (const [variant, exposed, converted] of [['control', 100, 45], ['B', 100, 60]] as const) {
      expect(Math.abs(byVariant[variant]!['exposed'] - exposed)).toBeLessThan(6 * byVariant[variant]!['noiseSd']);
      expect(Math.abs(byVariant[variant]!['converted'] - converted)).toBeLessThan(10);
    }
    expect(byVariant['B']!['probabilityToBeatControl']).toBeGreaterThan(0.8);
    expect(await ask(keys.read)).toEqual(answer);
  });
});
