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
  /**
   * Median milliseconds from the previous step. Guarded answers give a blurred median instead: the
   * mean of the 40th, 50th and 60th percentiles with sticky noise (sd 5%), to three significant
   * figures, for cells shown only.
   */
  medianTimeToConvert: number | null;
  noiseSd: number;
  suppressed: boolean;
}

export interface FunnelBreakdownResult {
  breakdown: string | null;
  steps: FunnelStepResult[];
}

/** Users who reached one step within one breakdown value: what is counted and shown per cell. */
export interface FunnelCell {
  breakdown: string | null;
  step: number;
  users: number;
  /** An order-free digest of the cell's users, for the guard's entity-seeded noise. */
  entityDigest: string;
  /** Median milliseconds from the previous step (null for step 0). */
  medianMs: number | null;
  /** The 40th, 50th and 60th percentiles of those times (null for step 0). */
  middleMs: [number, number, number] | null;
}

/** Linear interpolation between order statistics, as SQL's quantile_cont. */
function quantile(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** The cells of outcomes computed in Node (strict and any-order funnels). */
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

export function funnelCells(funnel: FunnelQuery, outcomes: readonly UserOutcome[], digest: (users: string[]) => string): FunnelCell[] {
  const byBreakdown = new Map<string | null, UserOutcome[]>();
  for (const outcome of outcomes) {
    const list = byBreakdown.get(outcome.breakdown);
    if (list === undefined) byBreakdown.set(outcome.breakdown, [outcome]);
    else list.push(outcome);
  }
  const cells: FunnelCell[] = [];
  for (const [breakdown, list] of byBreakdown) {
    for (let step = 0; step < funnel.steps.length; step++) {
      const reached = list.filter((outcome) => outcome.reached >= step);
      if (reached.length === 0) break;
      const times = step === 0 ? [] : reached.map((outcome) => outcome.times[step]! - outcome.times[step - 1]!).sort((a, b) => a - b);
      cells.push({
        breakdown,
        step,
        users: reached.length,
        entityDigest: digest(reached.map((outcome) => outcome.user)),
        medianMs: step === 0 ? null : quantile(times, 0.5),
        middleMs: step === 0 ? null : [quantile(times, 0.4), quantile(times, 0.5), quantile(times, 0.6)],
      });
    }
  }
  return cells;
}

/** To three significant figures: enough to read a duration (3 h stays 3 h), too coarse to pin one person's. */
function threeSignificant(value: number): number {
  if (value === 0) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 2);
  return Math.round(value / magnitude) * magnitude;
}

/** Cells → one result per breakdown value; `count` turns each cell into the number shown. */
export function summarizeFunnel(
  funnel: FunnelQuery,
  cells: readonly FunnelCell[],
  count: (cell: FunnelCell) => { value: number; noiseSd: number; suppressed: boolean },
  exact: boolean,
  /** Guarded answers: the blurred median with the guard's noise (by default, as blurred). */
  noisy: (cell: FunnelCell, blurred: number) => number = (_, blurred) => blurred,
): FunnelBreakdownResult[] {
  const byBreakdown = new Map<string | null, Map<number, FunnelCell>>();
  for (const cell of cells) {
    const steps = byBreakdown.get(cell.breakdown) ?? new Map<number, FunnelCell>();
    steps.set(cell.step, cell);
    byBreakdown.set(cell.breakdown, steps);
  }
  const results: FunnelBreakdownResult[] = [];
  for (const [breakdown, byStep] of [...byBreakdown].sort(([a], [b]) => String(a).localeCompare(String(b)))) {
    let first = 0;
    const steps = funnel.steps.map((step, index): FunnelStepResult => {
      const cell = byStep.get(index) ?? { breakdown, step: index, users: 0, entityDigest: '', medianMs: null, middleMs: null };
      const shown = cell.users === 0 ? { value: 0, noiseSd: 0, suppressed: !exact } : count(cell);
      if (index === 0) first = shown.value;
      const blurred = cell.middleMs === null || shown.suppressed ? null : threeSignificant(noisy(cell, (cell.middleMs[0] + cell.middleMs[1] + cell.middleMs[2]) / 3));
      return {
        step: index,
        name: step.name,
        users: shown.value,
        conversionRate: first === 0 ? 0 : shown.value / first,
        medianTimeToConvert: exact ? cell.medianMs : blurred,
        noiseSd: shown.noiseSd,
        suppressed: shown.suppressed,
      };
    });
    results.push({ breakdown, steps });
  }
  return results;
}
