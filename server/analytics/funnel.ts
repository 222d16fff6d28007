/**
 * Computing a funnel from each user's events, in time order: the user's best attempt (the one
 * reaching the furthest step, the earliest among equals) decides the step they reached, the times
 * between steps, and their breakdown value (the value on the attempt's first step). Users are then
 * counted per (breakdown, step): exactly for direct readers, through the privacy guard otherwise.
 */
import type { FunnelQuery } from './funnel-model.js';

/** One event of one user, as the store returns it for a funnel. */
export interface FunnelEvent {
  user: string;
  time: number;
  /** Bit i set: the event matches step i. */
  steps: number;
  /** Bit j set: the event matches exclusion j. */
  exclusions: number;
  breakdown: string | null;
}

export interface UserOutcome {
  user: string;
  breakdown: string | null;
  /** The last step reached (0-based); -1 never happens (users without step 0 are not returned). */
  reached: number;
  /** Time of each step reached. */
  times: number[];
}

interface Attempt {
  times: number[];
  indexes: number[];
}

function sequentialAttempt(events: readonly FunnelEvent[], start: number, funnel: FunnelQuery, strict: boolean): Attempt {
  const times = [events[start]!.time];
  const indexes = [start];
  const deadline = events[start]!.time + funnel.window;
  for (let index = start + 1; index < events.length && times.length < funnel.steps.length; index++) {
    const event = events[index]!;
    if (event.time > deadline) break;
    if (event.steps & (1 << times.length)) {
      times.push(event.time);
      indexes.push(index);
    } else if (strict) {
      break;
    }
  }
  return { times, indexes };
}

function unorderedAttempt(events: readonly FunnelEvent[], start: number, funnel: FunnelQuery): Attempt {
  // Any order: count the distinct steps done within the window from this event; times by step.
  const times: number[] = [];
  const indexes: number[] = [];
  const deadline = events[start]!.time + funnel.window;
  const seen = new Array<number | undefined>(funnel.steps.length);
  for (let index = start; index < events.length && events[index]!.time <= deadline; index++) {
    for (let step = 0; step < funnel.steps.length; step++) {
      if (seen[step] === undefined && events[index]!.steps & (1 << step)) {
        seen[step] = index;
        break;
      }
    }
  }
  const done = seen.filter((index) => index !== undefined) as number[];
  done.sort((a, b) => a - b);
  for (const index of done) {
    times.push(events[index]!.time);
    indexes.push(index);
  }
  return { times, indexes };
}

function excluded(events: readonly FunnelEvent[], attempt: Attempt, funnel: FunnelQuery): boolean {
  return funnel.exclusions.some((exclusion, bit) => {
    const from = attempt.indexes[exclusion.fromStep];
    if (from === undefined) return false;
    // Between the two steps; when the later step was not reached, up to the end of the window.
    const to = attempt.indexes[exclusion.toStep];
    const deadline = events[attempt.indexes[0]!]!.time + funnel.window;
    for (let index = from + 1; index < events.length; index++) {
      if (to !== undefined ? index >= to : events[index]!.time > deadline) break;
      if (events[index]!.exclusions & (1 << bit)) return true;
    }
    return false;
  });
}

/** One user's events (time order) → their outcome, or undefined if they never start or are excluded. */
export function userOutcome(events: readonly FunnelEvent[], funnel: FunnelQuery): UserOutcome | undefined {
  let best: Attempt | undefined;
  for (let start = 0; start < events.length; start++) {
    const event = events[start]!;
    if (funnel.from !== undefined && event.time < funnel.from) continue;
    if (funnel.to !== undefined && event.time >= funnel.to) break;
    const startsHere = funnel.order === 'any' ? event.steps !== 0 : (event.steps & 1) !== 0;
    if (!startsHere) continue;
    const attempt = funnel.order === 'any' ? unorderedAttempt(events, start, funnel) : sequentialAttempt(events, start, funnel, funnel.order === 'strict');
    if (best === undefined || attempt.times.length > best.times.length) best = attempt;
    if (best.times.length === funnel.steps.length) break;
  }
  if (best === undefined || excluded(events, best, funnel)) return undefined;
  return { user: events[0]!.user, breakdown: events[best.indexes[0]!]!.breakdown, reached: best.times.length - 1, times: best.times };
}

export interface FunnelStepResult {
  step: number;
  name: string;
  /** Users who reached this step. */
  users: number;
  /** Share of the first step's users who reached this one. */
  conversionRate: number;
  /** Median milliseconds from the previous step (exact answers only). */
  medianTimeToConvert: number | null;
  noiseSd: number;
  suppressed: boolean;
}

export interface FunnelBreakdownResult {
  breakdown: string | null;
  steps: FunnelStepResult[];
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Groups outcomes by breakdown value; `count` turns each (breakdown, step) user set into a shown number. */
export function summarizeFunnel(
  funnel: FunnelQuery,
  outcomes: readonly UserOutcome[],
  count: (breakdown: string | null, step: number, users: string[]) => { value: number; noiseSd: number; suppressed: boolean },
  exact: boolean,
): FunnelBreakdownResult[] {
  const byBreakdown = new Map<string | null, UserOutcome[]>();
  for (const outcome of outcomes) {
    const list = byBreakdown.get(outcome.breakdown) ?? [];
    list.push(outcome);
    byBreakdown.set(outcome.breakdown, list);
  }
  const results: FunnelBreakdownResult[] = [];
  for (const [breakdown, list] of [...byBreakdown].sort(([a], [b]) => String(a).localeCompare(String(b)))) {
    let first = 0;
    const steps = funnel.steps.map((step, index) => {
      const reached = list.filter((outcome) => outcome.reached >= index);
      const shown = count(breakdown, index, reached.map((outcome) => outcome.user));
      if (index === 0) first = shown.value;
      return {
        step: index,
        name: step.name,
        users: shown.value,
        conversionRate: first === 0 ? 0 : shown.value / first,
        medianTimeToConvert: exact && index > 0 ? median(reached.map((outcome) => outcome.times[index]! - outcome.times[index - 1]!)) : null,
        noiseSd: shown.noiseSd,
        suppressed: shown.suppressed,
      };
    });
    results.push({ breakdown, steps });
  }
  return results;
}
