/**
 * The privacy guard against rephrasings that select the same rows and people: groupings that split
 * nothing, funnel exclusions that exclude nobody, time bounds written another way, and columns a few
 * people hold. The population and the attacker's tools are those of privacy-attacks.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  direct,
  type Json,
  accuracy,
  ask,
  better,
  call,
  cities,
  hour,
  labResult,
  rareColumns,
  rephrasings,
  start,
  untrusted,
  usePopulation,
} from './helpers/attack-population.js';

// Each test asks hundreds of guarded questions, each settled in rounds over every combination
// of its parts: minutes on a busy 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

usePopulation();

describe('rephrasings that select the same rows and people (groupings, exclusions, time bounds)', () => {
  /** Squared mean differences of count and users between two lists of rows asked alike. */
  const meanSquare = (a: Json[], b: Json[]) => {
    const mean = (rows: Json[], field: string) => rows.reduce((sum, row) => sum + Number(row?.[field] ?? 0), 0) / rows.length;
    return (mean(a, 'count') - mean(b, 'count')) ** 2 + (mean(a, 'users') - mean(b, 'users')) ** 2;
  };

  it('gives a grouping by a missing or constant field no fresh noise, and "plan = pro" as a grouping the victim cannot change', async () => {
    // The attacker's difference: positive lab results in the city grouped by a field that splits
    // nothing, against the `pro` row of the same grouped by plan as well (everyone but the victim).
    // Each field name drew fresh noise, so averaging over names found the victim's result.
    const groupings = ['attributes.zz0', 'vars.zz1', 'attributes.city', 'name'];
    const distinct: number[] = [];
    const signals: number[] = [];
    const score = await accuracy(async (city) => {
      const signal = async (result: string) => {
        const [whole, pro]: Json[][] = [[], []];
        for (const field of groupings) {
          const body = labResult(city, result);
          const one = (await ask('/api/query', { ...body, groupBy: [{ field }] }))['rows'] as Json[];
          const two = (await ask('/api/query', { ...body, groupBy: [{ field }, { field: 'attributes.plan' }] }))['rows'] as Json[];
          expect(one).toHaveLength(1);
          whole.push(one[0]!);
          pro.push(two.find((row) => row['attributes.plan'] === 'pro')!);
        }
        distinct.push(new Set(whole.map((row) => `${row['count']} ${row['users']}`)).size);
        signals.push(meanSquare(whole, pro));
        return signals.at(-1)!;
      };
      return better(await signal('positive'), await signal('negative'), city);
    }, cities.slice(0, 8));
    console.info(`grouping difference attack: ${score}`);
    expect(score).toBeLessThanOrEqual(0.7);
    // One question, however it is grouped: the same numbers for every field that splits nothing,
    // and the `pro` row beside a one-person `free` is that answer, so the victim changes nothing.
    expect(new Set(distinct)).toEqual(new Set([1]));
    expect(new Set(signals)).toEqual(new Set([0]));
    // 64 grouped questions, each settling every coarser grouping whatever it finds.
  });

  it('adds no noise for a funnel exclusion that excludes nobody, nor for a breakdown the victim alone changes', async () => {
    // A funnel from the city's page views to a positive lab result; the victim converts or not.
    // Exclusions of events that never happen drew fresh noise for every cell.
    const distinct: number[] = [];
    const signals: number[] = [];
    const score = await accuracy(async (city) => {
      const signal = async (result: string) => {
        const [whole, pro]: Json[][] = [[], []];
        for (let k = 0; k < 3; k++) {
          const funnel = { steps: [{ name: 'page view', where: [{ field: 'attributes.city', value: city }] }, { name: 'lab result', where: [{ field: 'attributes.result', value: result }] }], exclusions: [{ name: `never-${k}`, fromStep: 0, toStep: 1 }] };
          const unbroken = await ask('/api/funnel', funnel);
          const broken = await ask('/api/funnel', { ...funnel, breakdown: 'attributes.plan' });
          whole.push({ users: unbroken['breakdowns'][0]['steps'][1]['users'] });
          pro.push({ users: broken['breakdowns'].find((entry: Json) => entry['breakdown'] === 'pro')['steps'][1]['users'] });
        }
        distinct.push(new Set(whole.map((row) => row['users'])).size);
        signals.push(meanSquare(whole, pro));
        return signals.at(-1)!;
      };
      return better(await signal('positive'), await signal('negative'), city);
    }, cities.slice(0, 8));
    console.info(`funnel exclusion difference attack: ${score}`);
    expect(score).toBeLessThanOrEqual(0.7);
    expect(new Set(distinct)).toEqual(new Set([1]));
    expect(new Set(signals)).toEqual(new Set([0]));
    // 96 funnels, each computed for every combination of its parts (with a breakdown, also without it).
  });

  it('decides low effect once for one set of excluded people, however the time range is written', async () => {
    // `from` cuts the city's first five people (five positive results); `to` moves through the
    // hours after the project's last event. Each `to` drew a fresh threshold, and how often the cut
    // was left out counted the people it excluded. (A `to` moved through hours that hold other rows
    // of the project is another time condition: what a range selects is judged on the project's
    // rows, never on the rows the rest of the question keeps, where the victim's row could be the
    // last.)
    for (const [cityIndex, city] of cities.slice(0, 6).entries()) {
      const from = start + (cityIndex * 27 + 5) * 60_000;
      const answers = new Set<string>();
      for (let k = 0; k < 12; k++) {
        const to = start + 30 * hour + k * 60_000;
        answers.add(JSON.stringify((await ask('/api/query', { ...labResult(city, 'positive'), from, to }))['rows']));
      }
      expect(answers.size, city).toBe(1);
    }
  });

  it('answers a time range of 9 h 59 min and one of 10 h over the same rows once (one grain for what a range selects)', async () => {
    // The cities' events end 10 h 48 min after start and the next come at 19 h: ranges from a few
    // hours after start to 9 h 59 min (snapped to minutes) or 10 h later (snapped to hours) end in
    // that gap, so they select the same rows, and the last of them is not an hour's first minute.
    // Several windows, so that two draws agreeing by chance cannot hide a second grain.
    for (const hours of [1, 2, 3, 4, 5, 6]) {
      const from = start + hours * hour;
      const answers = new Set<string>();
      const exact = new Set<string>();
      for (const to of [from + 9 * hour + 59 * 60_000, from + 10 * hour]) {
        const body = { where: [{ field: 'name', value: 'page view' }], aggregates: [{ fn: 'count' }, { fn: 'users' }], from, to };
        exact.add(JSON.stringify((await ask('/api/query', body, direct))['rows']));
        answers.add(JSON.stringify((await ask('/api/query', body))['rows']));
      }
      expect(exact.size, `${hours} h`).toBe(1);
      expect(answers.size, `${hours} h`).toBe(1);
    }
  });

  it('answers one question written through two fields that select the same rows once', async () => {
    // The app writes the city both as a context variable and as an attribute: each spelling of the
    // city filter drew its own noise, so a reader could average the two (and every other copy).
    for (const city of cities.slice(0, 6)) {
      for (const result of ['positive', 'negative']) {
        const spellings = [labResult(city, result), ...['vars.city', 'attributes.city'].map((field) => ({ ...labResult(city, result), where: [{ field, value: city }, ...labResult(city, result).where.slice(1)] }))];
        for (const groupBy of [[], [{ field: 'attributes.tier' }]]) {
          const answers = new Set<string>();
          for (const body of spellings) answers.add(JSON.stringify((await ask('/api/query', { ...body, where: [...body.where.slice(0, 1), { field: 'attributes.result', value: result }], groupBy }))['rows']));
          expect(answers.size, `${city} ${result} ${groupBy.length}`).toBe(1);
        }
      }
    }
  });

  it('answers one question asked as filters or as rows of groupings once', async () => {
    // "Positive lab results in the city" as two filters, as the positive row of a grouping by
    // result, as the city's row of a grouping by city, and as the row of a grouping by both: a
    // filter was seeded by the people it excluded and a label by its value, so the forms gave
    // three or four answers to one question (24 of 24 cities had more than one).
    const row = (answer: Json, labels: Json) => {
      const found = (answer['rows'] as Json[]).find((candidate) => Object.entries(labels).every(([field, value]) => candidate[field] === value));
      return found === undefined ? undefined : `${found['count']} ${found['users']}`;
    };
    const aggregates = [{ fn: 'count' }, { fn: 'users' }];
    for (const city of cities.slice(0, 6)) {
      for (const cityField of ['attributes.city', 'vars.city']) {
        const named = { field: 'name', value: 'lab result' };
        const inCity = { field: cityField, value: city };
        const positive = { field: 'attributes.result', value: 'positive' };
        const forms = [
          row(await ask('/api/query', { where: [inCity, named, positive], aggregates }), {}),
          row(await ask('/api/query', { where: [inCity, named], groupBy: [{ field: 'attributes.result' }], aggregates }), { 'attributes.result': 'positive' }),
          row(await ask('/api/query', { where: [named, positive], groupBy: [{ field: cityField }], aggregates }), { [cityField]: city }),
          row(await ask('/api/query', { where: [named], groupBy: [{ field: cityField }, { field: 'attributes.result' }], aggregates }), { [cityField]: city, 'attributes.result': 'positive' }),
        ];
        expect(forms.every((form) => form !== undefined), `${city} ${cityField}`).toBe(true);
        expect(new Set(forms).size, `${city} ${cityField}: ${forms.join(' | ')}`).toBe(1);
      }
    }
  });

  it('answers one funnel written through two fields that select the same rows once, its median too', async () => {
    // The same city filter on a funnel's step, as a context variable or as an attribute: each
    // spelling drew its own noise for every cell and the blurred median (21 of 24 cities apart).
    for (const city of cities.slice(0, 6)) {
      const answers = new Set<string>();
      for (const field of ['vars.city', 'attributes.city']) {
        const funnel = { steps: [{ name: 'lab result', where: [{ field, value: city }, { field: 'attributes.result', value: 'positive' }] }, { name: '$exposure' }] };
        answers.add(JSON.stringify((await ask('/api/funnel', funnel))['breakdowns']));
      }
      expect(answers.size, city).toBe(1);
    }
  });

  it('does not redraw a funnel step by a later step, the window or the order, nor converted users by the window', async () => {
    // A later step named after an event that never happens, each of the eight snapped windows and
    // the three orders changed nobody's first step, yet each drew fresh noise for it (and for the
    // blurred median of the steps before).
    for (const city of cities.slice(0, 4)) {
      const first = { name: 'lab result', where: [{ field: 'attributes.city', value: city }, { field: 'attributes.result', value: 'positive' }] };
      const steps0 = new Set<string>();
      const steps1 = new Set<string>();
      const bodies = [
        ...[0, 1, 2].map((k) => ({ steps: [first, { name: '$exposure' }, { name: `never-${k}` }] })),
        ...[3_600_000, 86_400_000, 30 * 86_400_000, 366 * 86_400_000].map((window) => ({ steps: [first, { name: '$exposure' }], window })),
      ];
      for (const body of bodies) {
        const steps = (await ask('/api/funnel', body))['breakdowns'][0]['steps'];
        steps0.add(JSON.stringify(steps[0]));
        steps1.add(JSON.stringify({ ...steps[1], conversionRate: undefined }));
      }
      // A strict order asks the same of both steps here (`any` does not: any step may come first).
      const strict = (await ask('/api/funnel', { steps: [first, { name: '$exposure' }], order: 'strict' }))['breakdowns'][0]['steps'];
      steps0.add(JSON.stringify(strict[0]));
      steps1.add(JSON.stringify({ ...strict[1], conversionRate: undefined }));
      expect(steps0.size, city).toBe(1);
      // Everyone's exposure is 10 ms after their lab result: every window converts the same people.
      expect(steps1.size, city).toBe(1);
    }
    // Exposed and converted counts of the experiment: the report opened a day later converts the
    // same people in every window from seven days on.
    const converted = new Set<string>();
    for (const window of [7, 14, 30, 90, 366].map((days) => days * 86_400_000)) {
      const answer = await ask('/api/experiment', { experiment: 'triage', goal: 'report opened', window });
      converted.add(JSON.stringify(answer['variants'].map((variant: Json) => [variant['variant'], variant['exposed'], variant['converted']])));
    }
    expect(converted.size).toBe(1);
    expect(JSON.parse([...converted][0]!).some(([, , value]: [string, number, number]) => value > 0)).toBe(true);
  });

  it('refuses columns a few people hold whatever their values, with no share in the message', async () => {
    // Each rare column is held by the attacker (north) and one other: a 200 for "the other is north
    // too" and a 403 for "south" told the other's value exactly.
    const answers = await Promise.all(rareColumns.map((_, index) => call('POST', '/api/query', untrusted, { where: [{ field: `attributes.clinic${index}`, value: 'north' }], aggregates: [{ fn: 'users' }] })));
    expect(new Set(rareColumns)).toEqual(new Set(['north', 'south']));
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.body['message']).toContain('singles out people');
      expect(answer.body['message']).not.toMatch(/\d+ ?%/);
    }
  });
});
