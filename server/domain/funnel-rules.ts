/**
 * The funnel's rules for one user, shared by every path that computes a funnel (analytics in Node,
 * a store's one pass over its sorted layout): from a user's events in time order, the best attempt
 * (the one reaching the furthest step, the earliest among equals) decides the step they reached,
 * the times between steps, and their breakdown value (the value on the attempt's first step).
 */
import type { FunnelEvent, FunnelQuery } from './funnel-model.js';

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

/**
 * How far an attempt in order from `start` gets: the steps' times and indexes are written into
 * `times` and `indexes` (scratch lists, overwritten), and their count returned. Most starts are
 * not the best attempt, so nothing is allocated for them.
 */
function sequentialReach(events: readonly FunnelEvent[], start: number, funnel: FunnelQuery, strict: boolean, times: number[], indexes: number[]): number {
  times[0] = events[start]!.time;
  indexes[0] = start;
  let reached = 1;
  const deadline = events[start]!.time + funnel.window;
  for (let index = start + 1; index < events.length && reached < funnel.steps.length; index++) {
    const event = events[index]!;
    if (event.time > deadline) break;
    if (event.steps & (1 << reached)) {
      times[reached] = event.time;
      indexes[reached] = index;
      reached++;
    } else if (strict) {
      break;
    }
  }
  return reached;
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
  const times: number[] = [];
  const indexes: number[] = [];
  for (let start = 0; start < events.length; start++) {
    const event = events[start]!;
    if (funnel.from !== undefined && event.time < funnel.from) continue;
    if (funnel.to !== undefined && event.time >= funnel.to) break;
    const startsHere = funnel.order === 'any' ? event.steps !== 0 : (event.steps & 1) !== 0;
    if (!startsHere) continue;
    if (funnel.order === 'any') {
      const attempt = unorderedAttempt(events, start, funnel);
      if (best === undefined || attempt.times.length > best.times.length) best = attempt;
    } else {
      const reached = sequentialReach(events, start, funnel, funnel.order === 'strict', times, indexes);
      if (best === undefined || reached > best.times.length) best = { times: times.slice(0, reached), indexes: indexes.slice(0, reached) };
    }
    if (best.times.length === funnel.steps.length) break;
  }
  if (best === undefined || excluded(events, best, funnel)) return undefined;
  return { user: events[0]!.user, breakdown: events[best.indexes[0]!]!.breakdown, reached: best.times.length - 1, times: best.times };
}

/** Splits events (ordered by user, then time) into each user's outcome. */
export function funnelOutcomes(events: readonly FunnelEvent[], funnel: FunnelQuery): UserOutcome[] {
  const outcomes: UserOutcome[] = [];
  let start = 0;
  for (let index = 1; index <= events.length; index++) {
    if (index < events.length && events[index]!.user === events[start]!.user) continue;
    const outcome = userOutcome(events.slice(start, index), funnel);
    if (outcome !== undefined) outcomes.push(outcome);
    start = index;
  }
  return outcomes;
}
