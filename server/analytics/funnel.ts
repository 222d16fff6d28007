/**
 * Computing a funnel from each user's events, in time order: the user's best attempt (the one
 * reaching the furthest step, the earliest among equals) decides the step they reached, the times
 * between steps, and their breakdown value (the value on the attempt's first step). Users are then
 * counted per (breakdown, step): exactly for direct readers, through the privacy guard otherwise.
 */
import type { FunnelBreakdownResult, FunnelCell, FunnelQuery, FunnelStepResult } from '../domain/funnel-model.js';
import type { UserOutcome } from '../domain/funnel-rules.js';

export { type UserOutcome, funnelOutcomes, userOutcome } from '../domain/funnel-rules.js';

/** Linear interpolation between order statistics, as SQL's quantile_cont. */
function quantile(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** The cells of outcomes computed in Node (strict and any-order funnels). */
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
