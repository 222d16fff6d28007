/**
 * A funnel in one pass over each user's events in (user, time) order, as a store streams them from
 * a layout sorted that way: each user's outcome is decided by `userOutcome` (the same rules as
 * every other funnel path: best attempt, window, order, exclusions, breakdown on the attempt's
 * first step), then folded straight into the cells, so no per-user list outlives the user. Only the
 * step times of users who reached a step are kept, for the exact median and middle percentiles.
 * A user's outcome does not depend on the breakdown (it only labels the best attempt), so the
 * funnel without its breakdown can be tallied in the same pass (`whole`).
 */
import { userOutcome } from '../domain/funnel-rules.js';
import type { FunnelCell, FunnelEvent } from '../domain/funnel-model.js';
import type { FunnelQuery } from '../domain/funnel-model.js';

interface BreakdownTally {
  users: number[];
  digests: bigint[];
  /** Per step after the first, milliseconds from the previous step. */
  durations: number[][];
}

/** Linear interpolation between order statistics, as SQL's quantile_cont. */
function quantile(sorted: ArrayLike<number>, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

function emptyTally(steps: number): BreakdownTally {
  return { users: new Array<number>(steps).fill(0), digests: new Array<bigint>(steps).fill(0n), durations: Array.from({ length: steps }, () => []) };
}

function addOutcome(tally: BreakdownTally, reached: number, times: readonly number[], digest: bigint): void {
  for (let step = 0; step <= reached; step++) {
    tally.users[step]!++;
    tally.digests[step]! ^= digest;
    if (step > 0) tally.durations[step]!.push(times[step]! - times[step - 1]!);
  }
}

function cellsOf(breakdown: string | null, tally: BreakdownTally): FunnelCell[] {
  const cells: FunnelCell[] = [];
  for (let step = 0; step < tally.users.length && tally.users[step]! > 0; step++) {
    // A typed array sorts numbers as numbers, without a comparison callback.
    const durations = Float64Array.from(tally.durations[step]!).sort();
    const middle = step === 0 ? null : ([quantile(durations, 0.4), quantile(durations, 0.5), quantile(durations, 0.6)] as [number, number, number]);
    cells.push({ breakdown, step, users: tally.users[step]!, entityDigest: tally.digests[step]!.toString(), medianMs: middle?.[1] ?? null, middleMs: middle });
  }
  return cells;
}

export class FunnelPass {
  readonly #funnel: FunnelQuery;
  readonly #tallies = new Map<string | null, BreakdownTally>();
  /** The funnel without its breakdown, when asked for. */
  readonly #whole: BreakdownTally | undefined;
  /** The current user's events: the first \`#count\` of a list whose objects are reused from user to user. */
  readonly #events: FunnelEvent[] = [];
  #count = 0;
  #digest = 0n;
  /** The same funnel with another window, folded from the same events (`alsoWindow`). */
  readonly #other: FunnelPass | undefined;

  constructor(funnel: FunnelQuery, options: { whole?: boolean; alsoWindow?: number } = {}) {
    this.#funnel = funnel;
    this.#whole = options.whole === true ? emptyTally(funnel.steps.length) : undefined;
    this.#other = options.alsoWindow === undefined ? undefined : new FunnelPass({ ...funnel, window: options.alsoWindow }, { whole: options.whole });
  }

  /** The next user begins; `digest` is their portable 64-bit digest (see privacy-guard.ts). */
  startUser(digest: bigint): void {
    this.#finishUser();
    this.#digest = digest;
  }

  /** One event of the current user, in time order: the step and exclusion bits it matches. */
  event(time: number, steps: number, exclusions: number, breakdown: string | null): void {
    const events = this.#events;
    if (this.#count === events.length) {
      events.push({ user: '', time, steps, exclusions, breakdown });
    } else {
      const event = events[this.#count]!;
      event.time = time;
      event.steps = steps;
      event.exclusions = exclusions;
      event.breakdown = breakdown;
    }
    this.#count++;
  }

  #finishUser(): void {
    if (this.#count === 0) return;
    const events = this.#events;
    // A user with more events than any before keeps the list at their length; most have fewer.
    const user = this.#count === events.length ? events : events.slice(0, this.#count);
    this.#count = 0;
    if (this.#other !== undefined) this.#other.#fold(user, this.#digest);
    this.#fold(user, this.#digest);
  }

  #fold(user: readonly FunnelEvent[], digest: bigint): void {
    const outcome = userOutcome(user, this.#funnel);
    if (outcome === undefined) return;
    let tally = this.#tallies.get(outcome.breakdown);
    if (tally === undefined) {
      tally = emptyTally(this.#funnel.steps.length);
      this.#tallies.set(outcome.breakdown, tally);
    }
    addOutcome(tally, outcome.reached, outcome.times, digest);
    if (this.#whole !== undefined) addOutcome(this.#whole, outcome.reached, outcome.times, digest);
  }

  /** The cells: per (breakdown, step) reached by anyone, users, their digest and step times. */
  cells(): FunnelCell[] {
    this.#finishUser();
    return [...this.#tallies].flatMap(([breakdown, tally]) => cellsOf(breakdown, tally));
  }

  /** The cells of the funnel without its breakdown (breakdown null), as a pass without it gives them; empty unless asked for. */
  wholeCells(): FunnelCell[] {
    this.#finishUser();
    return this.#whole === undefined ? [] : cellsOf(null, this.#whole);
  }

  /** The cells and whole cells of the funnel with the other window, if asked for. */
  alsoWindow(): { cells: FunnelCell[]; whole: FunnelCell[] } | undefined {
    this.#finishUser();
    return this.#other === undefined ? undefined : { cells: this.#other.cells(), whole: this.#other.wholeCells() };
  }
}
