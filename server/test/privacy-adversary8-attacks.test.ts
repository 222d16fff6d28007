/**
 * Adversary 8: a prefix or a numeric range that selects one person's row more than another
 * spelling of the question, inside the group asked about.
 *
 * A prefix or range is seeded by the values it matches in the group's rows, so that two spellings
 * selecting the same rows are one question with one answer. Then two spellings that select the same
 * rows but for the victim's answered alike exactly when the victim had no such row: `prefix
 * "CITY/routine"` against `eq "CITY/routine"` over every lab result (a positive victim's note reads
 * `CITY/routine/positive`, a value nobody else holds), or the levels [1000k, 1000k + 500) against
 * [1000k, 1000k + 1000), as filters or as rows of groupings in bins (a positive victim's level is
 * 1000k + 900, everyone else's in the city below 1000k + 126). Before, the two answers told 23,
 * 24 and 24 of 24 victims' results in queries, and 24 and 21 of 24 in funnel steps. Now a prefix drops a
 * tail of values too few people hold where it is of low effect (so it is the `eq`), and a bin
 * narrows to the narrower bin that holds all but a low effect of its people (so both bins are the
 * bin the city's pro people hold, without the victim's row): the answers are alike either way.
 * Population: helpers/window-population.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { type Json, accuracy, ask, cities, coin, direct, useWindowPopulation } from './helpers/window-population.js';

// A few dozen guarded questions per test, each settled in rounds: seconds, more on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

useWindowPopulation();

const aggregates = [{ fn: 'count' }, { fn: 'users' }];
const labResult = { field: 'name', value: 'lab result' };
const code = (city: string, op: 'eq' | 'prefix') => ({ field: 'attributes.code', op, value: `${city}/routine` });
const levels = (city: string, width: number) => {
  const low = 1000 * Number(city.slice(5));
  return [{ field: 'attributes.level', op: 'gte', value: low }, { field: 'attributes.level', op: 'lt', value: low + width }];
};
/** A positive victim adds `expected` to the wider spelling's numbers: guess by which side of half of it the difference lies. */
const fromDifference = (difference: number, expected: number, city: string): 'positive' | 'negative' =>
  difference > expected / 2 ? 'positive' : difference < expected / 2 ? 'negative' : coin(city);

describe('a prefix or range one person\'s row widens, inside the group', () => {
  it('query: answers prefix "CITY/routine" and eq "CITY/routine" over every lab result alike', async () => {
    const asked = (city: string, op: 'eq' | 'prefix', headers?: Record<string, string>) => ask('/api/query', { where: [labResult, code(city, op)], aggregates }, headers);
    // The exact answers differ by the victim exactly when they are positive: the secret is there.
    const exact = await accuracy(async (city) => (JSON.stringify((await asked(city, 'prefix', direct))['rows']) === JSON.stringify((await asked(city, 'eq', direct))['rows']) ? 'negative' : 'positive'));
    expect(exact).toBe(1);
    let differing = 0;
    const score = await accuracy(async (city) => {
      const [prefix, eq] = [await asked(city, 'prefix'), await asked(city, 'eq')];
      // Alike: as far as the answers tell, no longer note (the best guess against the old guard).
      if (JSON.stringify(prefix['rows']) === JSON.stringify(eq['rows'])) return 'negative';
      differing++;
      return 'positive';
    });
    console.info(`prefix against eq in the group: ${score} (${differing} of ${cities.length} answered apart)`);
    // Before: 23 of 24. The victim's value is a tail of one person, which goes: one answer.
    expect(score).toBeLessThanOrEqual(0.7);
    expect(differing).toBe(0);
  });

  it('query: answers two bins whose rows differ by the victim\'s value alike, as filters and as groupings', async () => {
    const filtered = (city: string, width: number, headers?: Record<string, string>) => ask('/api/query', { where: levels(city, width), aggregates }, headers);
    const grouped = async (width: number, headers?: Record<string, string>) => {
      const answer = await ask('/api/query', { where: [labResult], groupBy: [{ field: 'attributes.level', bin: width }], aggregates }, headers);
      return new Map((answer['rows'] as Json[]).map((row) => [Number(row[`attributes.level/${width}`]), [row['count'], row['users']]]));
    };
    const low = (city: string) => 1000 * Number(city.slice(5));
    const [narrowRows, wideRows, exactNarrow, exactWide] = [await grouped(500), await grouped(1000), await grouped(500, direct), await grouped(1000, direct)];
    // Exact answers: the wider bin holds one more person and row exactly when the victim is positive.
    expect(await accuracy(async (city) => (JSON.stringify(exactNarrow.get(low(city))) === JSON.stringify(exactWide.get(low(city))) ? 'negative' : 'positive'))).toBe(1);
    let alike = 0;
    const score = await accuracy(async (city) => {
      const [narrow, wide] = [await filtered(city, 500), await filtered(city, 1000)];
      const sameRows = JSON.stringify(narrowRows.get(low(city))) === JSON.stringify(wideRows.get(low(city)));
      // The `0` row of bins of 1000 and the filter 0 ≤ level < 1000 are one question.
      expect(JSON.stringify([wide['rows'][0]?.['count'], wide['rows'][0]?.['users']]), city).toBe(JSON.stringify(wideRows.get(low(city))));
      if (JSON.stringify(narrow['rows']) === JSON.stringify(wide['rows']) && sameRows) {
        alike++;
        return 'negative';
      }
      return 'positive';
    });
    console.info(`two bins in the group: ${score} (${alike} of ${cities.length} answered alike, filtered and grouped)`);
    // Before: 24 of 24 by filters and 24 of 24 by groupings, by equality alone. Both bins narrow to
    // the bin the city's pro people hold, the victim's value a tail of one that goes.
    expect(score).toBeLessThanOrEqual(0.7);
    expect(alike).toBe(cities.length);
  });

  it('funnel: answers a step\'s prefix and eq alike, and two bins of a step whose rows differ by the victim\'s value alike', async () => {
    const funnel = (where: Json[]) => ask('/api/funnel', { steps: [{ name: 'lab result', where }, { name: 'follow-up' }] });
    const users = (answer: Json) => (answer['breakdowns'][0]?.['steps'] as Json[] | undefined ?? []).reduce((sum, step) => sum + Number(step['users']), 0);
    let differing = 0;
    const prefixScore = await accuracy(async (city) => {
      const [prefix, eq] = [await funnel([code(city, 'prefix')]), await funnel([code(city, 'eq')])];
      if (JSON.stringify(prefix['breakdowns']) === JSON.stringify(eq['breakdowns'])) return 'negative';
      differing++;
      return 'positive';
    });
    let apart = 0;
    const binScore = await accuracy(async (city) => {
      const [narrow, wide] = [await funnel(levels(city, 500)), await funnel(levels(city, 1000))];
      if (JSON.stringify(narrow['breakdowns']) === JSON.stringify(wide['breakdowns'])) return 'negative';
      apart++;
      // A positive victim starts the funnel and converts (their follow-up is within the window).
      return fromDifference(users(wide) - users(narrow), 2, city);
    });
    console.info(`funnel steps: prefix against eq ${prefixScore} (${differing} of ${cities.length} apart), two bins ${binScore} (${apart} of ${cities.length} apart)`);
    // Before: 24 and 21 of 24, by equality.
    expect(prefixScore).toBeLessThanOrEqual(0.7);
    expect(differing).toBe(0);
    expect(binScore).toBeLessThanOrEqual(0.7);
    expect(apart).toBe(0);
  });
});
