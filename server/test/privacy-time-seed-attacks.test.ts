/**
 * Adversary 7: a time range's seed read through one person's row outside the group. A time range
 * was seeded by the first and last minutes holding rows of the whole project, so two ranges over
 * the same people (positive lab results in a city, the minute after them added or not) answered
 * alike unless one person's row filled that minute: a positive victim's retest, outside the group
 * asked about. Now a range seeds as the minutes of the group's own rows.
 *
 * (The same file's first attack, watching an ungrouped answer while the victim's event arrives,
 * is not fixed and not in the suite: see docs/analytics-and-privacy.md, "Watching data arrive".)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../analytics/seeded-random.js';
import { type CollectorProcess, keys, startCollector } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

// Each test asks hundreds of guarded questions, each settled in rounds over every combination
// of its parts: minutes on a busy 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

const cities = Array.from({ length: 24 }, (_, index) => `city-${index}`);
const secrets = new Map<string, string>();
const untrusted = { authorization: `Bearer ${keys.read}` };
const direct = { authorization: `Bearer ${keys.admin}` };
const start = Date.UTC(2026, 10, 2, 8);
let collector: CollectorProcess;

beforeAll(async () => {
  collector = await startCollector({ env: { LOGMILL_SALT: 'attack-suite' } });
  const random = seededRandom(20261209);
  const lines: string[] = [];
  for (const [cityIndex, city] of cities.entries()) {
    secrets.set(city, random() < 0.5 ? 'positive' : 'negative');
    for (let index = 0; index < 26; index++) {
      const attributes = { city, plan: 'pro', result: index < 13 ? 'positive' : 'negative' };
      lines.push(envelope({ userId: `${city}-p${index}`, name: 'lab result', ts: start + (cityIndex * 27 + index) * 60_000, attributes }));
    }
    // A positive victim is called back for a retest, logged in the minute after their city's
    // results (a minute no other row of the project is in).
    if (secrets.get(city) === 'positive') lines.push(envelope({ userId: `${city}-victim`, name: 'retest', ts: start + (cityIndex * 27 + 26) * 60_000 + 5_000, attributes: { city } }));
  }
  await ingestAll(collector.url, keys.ingest, lines);
}, 120_000);

afterAll(async () => {
  await collector.stop();
});

describe('a time range\'s seed with a read key', () => {
  it('does not tell whether one person has a row in a minute outside the group, through a time range\'s seed', async () => {
    // A time range is seeded by the first and last minutes that hold rows of the project: two ranges
    // over the same 13 positive results of a city, ending before or after the minute of the
    // victim's retest, are one question when there is no retest and two when there is.
    const positives = async (city: string, minutes: number, headers: Record<string, string>) => {
      const first = start + Number(city.slice(5)) * 27 * 60_000;
      const response = await fetch(`${collector.url}/api/query`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ from: first, to: first + minutes * 60_000, where: [{ field: 'name', value: 'lab result' }, { field: 'attributes.result', value: 'positive' }], aggregates: [{ fn: 'count' }, { fn: 'users' }] }),
      });
      expect(response.status).toBe(200);
      return JSON.stringify(((await response.json()) as { rows: unknown[] }).rows);
    };
    let right = 0;
    for (const city of cities) {
      // The same people either way: the 13 positive pro people of the city.
      expect(await positives(city, 27, direct)).toBe(await positives(city, 26, direct));
      const guess = (await positives(city, 26, untrusted)) !== (await positives(city, 27, untrusted)) ? 'positive' : 'negative';
      if (guess === secrets.get(city)) right++;
    }
    expect(right / cities.length).toBeLessThanOrEqual(0.7);
  }, 240_000);
});
