/**
 * The privacy guard's low-effect merge against an attacker holding only a read key: with three
 * grouped dimensions, the third splitting everyone apart, every group is suppressed and merged into
 * a row per city, which must answer "A" and "A and plan = pro" alike (the population and the
 * attacker's tools: helpers/attack-population.ts). In a file of its own: its 24 questions, each
 * asking every merge level, take a worker's time on their own.
 */
import { describe, expect, it, vi } from 'vitest';
import { type Json, accuracy, ask, cities, labResult, usePopulation } from './helpers/attack-population.js';

// Each test asks hundreds of guarded questions, each settled in rounds over every combination
// of its parts: minutes on a busy 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

usePopulation();

describe('attacks with a read key on merged rows', () => {
  it('defeats the difference on the rows of the low-effect merge (three dimensions, the third splitting everyone apart)', async () => {
    const pro = { field: 'attributes.plan', value: 'pro' };
    // Each person's lab result falls in a minute of its own, so every minute group is one person:
    // all are suppressed and merged into the row (city, lab result, *).
    const merged = async (city: string, extra: Json[] = []) => {
      const answer = await ask('/api/query', { ...labResult(city, 'positive', extra), groupBy: [{ field: 'attributes.city' }, { field: 'name' }, { time: 'minute' }] });
      return answer['rows'] as Json[];
    };
    let shown = 0;
    const score = await accuracy(async (city) => {
      const [a, b] = [await merged(city), await merged(city, [pro])];
      shown += a.length;
      // Why it fails: the merged row is settled like any group, so "plan = pro", which excludes the
      // victim or nobody from it, goes and both questions get the same row.
      expect(b, city).toEqual(a);
      return JSON.stringify(a) === JSON.stringify(b) ? 'negative' : 'positive';
      // Twelve victims: each must get two equal answers, a stricter test than the score, and each
      // pair of three-dimension questions costs seconds.
    }, cities.slice(0, 12));
    expect(score).toBeLessThanOrEqual(0.7);
    expect(shown).toBeGreaterThan(0);
    // 24 three-dimension questions, each asking every merge level whatever it finds.
  });
});
