/**
 * One question in the forms an analyst (or an attacker averaging them) can write it: a number
 * filtered as `eq` or as the one-value range around it, a row of an hourly or daily series and the
 * same question asked over that hour or day, and a funnel's first step against the query for the
 * same people. Each pair selects the same rows and people; each drew its own noise, so a reader
 * could average two or three draws of one number.
 */
import { describe, expect, it, vi } from 'vitest';
import { type Json, ask, cities, direct, hour, start, usePopulation } from './helpers/attack-population.js';

// Each test asks hundreds of guarded questions, each settled in rounds over every combination
// of its parts: minutes on a busy 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

usePopulation();

const aggregates = [{ fn: 'count' }, { fn: 'users' }];
const inCity = (city: string) => ({ field: 'attributes.city', value: city });
const pageViews = { field: 'name', value: 'page view' };
const numbers = (row: Json | undefined) => (row === undefined ? 'none' : `${row['count']} ${row['users']}`);

describe('one question in equivalent forms gets one answer', () => {
  it('answers a whole number filtered as eq, as in and as the one-wide range around it alike', async () => {
    // Each age is held by two people per city (48 in all, 72 with the victims of age 20): page
    // views of one age, and of one age on its tier (silver below 25).
    for (const age of [20, 21, 25, 30, 32]) {
      for (const tier of [[], [{ field: 'attributes.tier', value: age < 25 ? 'silver' : 'gold' }]]) {
        const forms: Json[] = [
          { where: [pageViews, ...tier, { field: 'attributes.age', value: age }], aggregates },
          { where: [pageViews, ...tier, { field: 'attributes.age', op: 'gte', value: age }, { field: 'attributes.age', op: 'lt', value: age + 1 }], aggregates },
          { where: [{ field: 'attributes.age', op: 'lt', value: age + 1 }, ...tier, pageViews, { field: 'attributes.age', op: 'gte', value: age }], aggregates },
        ];
        const answers = new Set<string>();
        for (const body of forms) answers.add(numbers((await ask('/api/query', body))['rows'][0]));
        // The exact answer is the same for each form, so the guard has no reason to differ.
        const exact = new Set<string>();
        for (const body of forms) exact.add(numbers((await ask('/api/query', body, direct))['rows'][0]));
        expect(exact.size, `${age} ${tier.length}`).toBe(1);
        expect([...answers], `${age} ${tier.length}`).toHaveLength(1);
        expect([...answers][0]).not.toBe('none');
      }
    }
  });

  it('answers an hour of a series and the same question over that hour alike', async () => {
    // Page views in two-city batches: each hour of the series holds several people.
    let compared = 0;
    for (const city of cities.slice(0, 8)) {
      const body = { where: [inCity(city), pageViews], aggregates, from: start, to: start + 12 * hour };
      const series = (await ask('/api/query', { ...body, groupBy: [{ time: 'hour' }] }))['rows'] as Json[];
      for (const row of series) {
        const bucket = Date.parse(String(row['time:hour']));
        expect(Number.isFinite(bucket), JSON.stringify(row)).toBe(true);
        const ranged = (await ask('/api/query', { ...body, from: bucket, to: bucket + hour }))['rows'] as Json[];
        expect(row['users']).toBeGreaterThan(0);
        expect(numbers(ranged[0]), `${city} ${new Date(bucket).toISOString()}`).toBe(numbers(row));
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(8);
  });

  it('answers a funnel over a range alike wherever its `from` lies in the empty past', async () => {
    // The range stands (its end leaves out the city's later people), so it seeds the noise: by
    // the minutes it holds, not by its bounds, or each `from` would draw afresh.
    for (const [cityIndex, city] of cities.slice(0, 6).entries()) {
      const to = start + (cityIndex * 27 + 14) * 60_000;
      const answers = new Set<string>();
      for (const days of [1, 2, 3, 5]) {
        const body = { from: start - days * 86_400_000, to, steps: [{ name: 'page view', where: [{ field: 'attributes.city', value: city }] }, { name: 'lab result' }] };
        answers.add(JSON.stringify((await ask('/api/funnel', body))['breakdowns']));
      }
      expect(answers.size, city).toBe(1);
      expect(JSON.parse([...answers][0]!)[0]['steps'][0]['users']).toBeGreaterThan(0);
    }
  });

  it('answers a funnel\'s first step and the query for the people who did it alike', async () => {
    for (const city of cities.slice(0, 8)) {
      const step = { name: 'lab result', where: [{ field: 'attributes.city', value: city }] };
      const query = (extra: Json = {}) => ask('/api/query', { where: [step.where[0], { field: 'name', value: step.name }], aggregates: [{ fn: 'users' }], ...extra });
      // Plain, and broken down by tier against the query grouped by tier. (A funnel over a range is
      // another question: a query's time range is seeded by its group's rows.)
      const plain = await ask('/api/funnel', { steps: [step, { name: '$exposure' }] });
      expect(plain['breakdowns'][0]['steps'][0]['users'], city).toBeGreaterThan(0);
      expect(plain['breakdowns'][0]['steps'][0]['users'], city).toBe((await query())['rows'][0]['users']);
      const broken = await ask('/api/funnel', { steps: [step, { name: '$exposure' }], breakdown: 'attributes.tier' });
      const grouped = (await query({ groupBy: [{ field: 'attributes.tier' }] }))['rows'] as Json[];
      for (const tier of ['silver', 'gold']) {
        const cell = broken['breakdowns'].find((entry: Json) => entry['breakdown'] === tier);
        const row = grouped.find((entry) => entry['attributes.tier'] === tier);
        expect(row?.['users'], `${city} ${tier}`).toBeGreaterThan(0);
        expect(cell?.['steps'][0]['users'], `${city} ${tier}`).toBe(row?.['users']);
      }
    }
  });
});
