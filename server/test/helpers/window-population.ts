/**
 * A population for attacks on conversion windows (adversary 7): in each of 24 cities, 26 people on
 * the pro plan (13 with a positive lab result, 13 negative) and one victim, the city's only person
 * on the free plan, whose lab result is the secret. Everyone is enrolled in their city's care-path
 * trial (an `$exposure` whose variant is their result's arm), gets a lab result a second later and
 * comes back for a follow-up: the pro people ten minutes after the result, the victim three hours
 * after (the attacker knows the victim is slow, as the main population's attacker knows the victim
 * is the only person on the free plan). So a one-hour conversion window leaves out exactly the
 * victim and a six-hour one takes them in, in whichever group their secret puts them.
 */
import { afterAll, beforeAll } from 'vitest';
import { seededRandom } from '../../analytics/seeded-random.js';
import { attackReader, cities, type Secret } from './attack-reader.js';
import { type CollectorProcess, keys, startCollector } from './collector-process.js';
import { envelope, ingestAll } from './dataset.js';

export { cities, coin, direct, type Json, untrusted } from './attack-reader.js';

export const secrets = new Map<string, Secret>();
export const minute = 60_000;
export const hour = 3_600_000;
export const start = Date.UTC(2026, 10, 3, 8);
let collector: CollectorProcess;
export const { call, ask, accuracy } = attackReader(() => collector, secrets);

export function useWindowPopulation(): void {
  beforeAll(async () => {
    collector = await startCollector({ env: { LOGMILL_SALT: 'attack-suite' } });
    const random = seededRandom(20261208);
    const lines: string[] = [];
    for (const [cityIndex, city] of cities.entries()) {
      const secret = random() < 0.5 ? 'positive' : 'negative';
      secrets.set(city, secret);
      const people = [
        ...Array.from({ length: 26 }, (_, index) => ({ id: `${city}-p${index}`, plan: 'pro', result: index < 13 ? 'positive' : 'negative' })),
        { id: `${city}-victim`, plan: 'free', result: secret },
      ];
      for (const [personIndex, person] of people.entries()) {
        const ts = start + (cityIndex * 27 + personIndex) * minute;
        const attributes = { city, plan: person.plan };
        lines.push(envelope({ userId: person.id, name: '$exposure', ts, attributes: { ...attributes, experiment: `care-${city}`, variant: person.result } }));
        // A coded note the victim shares with their city unless their result is positive, when it
        // carries a suffix only they hold; a ward (A or B) for the pro people, the victim in B.
        const code = person.plan === 'free' && person.result === 'positive' ? `${city}/routine/positive` : `${city}/routine`;
        const ward = person.plan === 'free' || personIndex % 2 === 1 ? 'B' : 'A';
        // A measurement on the city's own scale (1000 × the city's index, plus 100 to 125 for the
        // pro people and 110 for a negative victim); a positive victim's reads 900 above the scale.
        const level = 1000 * cityIndex + (person.plan === 'free' ? (person.result === 'positive' ? 900 : 110) : 100 + personIndex);
        lines.push(envelope({ userId: person.id, name: 'lab result', ts: ts + 1000, attributes: { ...attributes, result: person.result, code, ward, level } }));
        lines.push(envelope({ userId: person.id, name: 'follow-up', ts: ts + 1000 + (person.plan === 'pro' ? 10 * minute : 3 * hour), attributes }));
        // The victim is reminded an hour after their result: their follow-up is not the next event.
        if (person.plan === 'free') lines.push(envelope({ userId: person.id, name: 'reminder', ts: ts + 1000 + hour, attributes }));
      }
    }
    await ingestAll(collector.url, keys.ingest, lines);
  }, 120_000);

  afterAll(async () => {
    await collector.stop();
  });
}
