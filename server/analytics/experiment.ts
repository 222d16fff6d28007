/**
 * Experiment results: who was exposed to which variant (the first `$exposure` event of the
 * experiment per user, as `experiment()` records it), who converted (did the goal event after
 * that exposure, within the window), and per variant the conversion rate with a 95% Wilson
 * interval and the probability that it beats the control (Beta(1 + converted, 1 + others)
 * posteriors, compared by a seeded Monte Carlo, so the same data gives the same probability).
 */
import type { ExperimentEvent, ExperimentQuery, VariantResult } from '../domain/experiment-model.js';
import { seededRandom } from './seeded-random.js';

/** Per user: the first exposure's variant, and whether the goal followed it within the window. */
export function experimentOutcomes(events: readonly ExperimentEvent[], query: ExperimentQuery): Map<string, { variant: string; converted: boolean }> {
  const outcomes = new Map<string, { variant: string; converted: boolean; exposedAt: number }>();
  for (const event of events) {
    const outcome = outcomes.get(event.user);
    if (event.exposure) {
      if (outcome === undefined && event.variant !== null) outcomes.set(event.user, { variant: event.variant, converted: false, exposedAt: event.time });
    } else if (outcome !== undefined && !outcome.converted && event.time >= outcome.exposedAt && event.time <= outcome.exposedAt + query.window) {
      outcome.converted = true;
    }
  }
  return new Map([...outcomes].map(([user, { variant, converted }]) => [user, { variant, converted }]));
}

export function wilsonInterval(successes: number, trials: number, z = 1.959964): [number, number] {
  if (trials <= 0) return [0, 1];
  const p = Math.min(1, Math.max(0, successes / trials));
  const denominator = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denominator;
  return [Math.max(0, centre - margin), Math.min(1, centre + margin)];
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Marsaglia–Tsang gamma(shape, 1). */
function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function beta(a: number, b: number, random: () => number): number {
  const x = gamma(a, random);
  return x / (x + gamma(b, random));
}

/** P(rate of variant > rate of control) under uniform priors, by 20,000 seeded draws. */
export function probabilityToBeat(variant: { converted: number; exposed: number }, control: { converted: number; exposed: number }, seed = 1): number {
  const random = seededRandom(seed);
  const draws = 20_000;
  let wins = 0;
  for (let draw = 0; draw < draws; draw++) {
    const a = beta(1 + variant.converted, 1 + Math.max(0, variant.exposed - variant.converted), random);
    const b = beta(1 + control.converted, 1 + Math.max(0, control.exposed - control.converted), random);
    if (a > b) wins++;
  }
  return wins / draws;
}

/** Results per variant from the (possibly guarded) exposed and converted counts. */
export function experimentResults(
  counts: { variant: string; exposed: number; converted: number; noiseSd: number; suppressed: boolean }[],
  control: string | undefined,
): VariantResult[] {
  const sorted = [...counts].sort((a, b) => a.variant.localeCompare(b.variant));
  const controlName = control ?? (sorted.some((entry) => entry.variant === 'control') ? 'control' : sorted[0]?.variant);
  const controlCounts = sorted.find((entry) => entry.variant === controlName);
  return sorted.map((entry) => {
    const converted = Math.min(entry.converted, entry.exposed);
    return {
      variant: entry.variant,
      exposed: entry.exposed,
      converted,
      conversionRate: entry.exposed === 0 ? 0 : converted / entry.exposed,
      interval: wilsonInterval(converted, entry.exposed),
      probabilityToBeatControl:
        entry.variant === controlName || controlCounts === undefined || entry.suppressed || controlCounts.suppressed
          ? null
          : probabilityToBeat({ converted, exposed: entry.exposed }, controlCounts),
      noiseSd: entry.noiseSd,
      suppressed: entry.suppressed,
    };
  });
}
