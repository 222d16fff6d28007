/**
 * Funnels with PostHog's semantics: ordered steps (an event name plus optional filters), a
 * conversion window (default 14 days), an order mode, exclusion steps, and a breakdown by a field
 * or an experiment's variant (`experiments.NAME`).
 *
 * - `sequential`: each step after the previous one, other events allowed in between;
 * - `strict`: each step the user's very next event after the previous step;
 * - `any`: the steps in any order.
 *
 * Every step must happen within the window from the first. A user who does an exclusion event
 * between the two steps it names, in the attempt that counts, leaves the funnel entirely.
 */
import { QueryError } from './query-error.js';
import { type Field, type Filter, parseField, parseQuery } from './query-model.js';

export interface FunnelStep {
  name: string;
  where: Filter[];
}

export interface FunnelExclusion {
  name: string;
  /** Step indexes (0-based): the exclusion counts between these two steps. */
  fromStep: number;
  toStep: number;
}

export type FunnelOrder = 'sequential' | 'strict' | 'any';

export interface FunnelQuery {
  steps: FunnelStep[];
  /** Milliseconds (default 14 days). */
  window: number;
  order: FunnelOrder;
  exclusions: FunnelExclusion[];
  breakdown?: Field;
  /** The first step must happen in [from, to). */
  from?: number;
  to?: number;
}

const fourteenDays = 14 * 86_400_000;

function invalid(message: string): QueryError {
  return new QueryError('invalid_funnel', message);
}

export function parseFunnel(input: unknown): FunnelQuery {
  if (typeof input !== 'object' || input === null) throw invalid('the funnel must be a JSON object');
  const raw = input as Record<string, unknown>;
  const steps = raw['steps'];
  if (!Array.isArray(steps) || steps.length < 2 || steps.length > 20) throw invalid('a funnel has 2 to 20 steps');
  const range = parseQuery({ from: raw['from'], to: raw['to'] });
  const parsedSteps = steps.map((step: unknown, index) => {
    const { name, where = [] } = (step ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || name === '' || name.length > 200) throw invalid(`step ${index} needs an event name`);
    return { name, where: parseQuery({ where }).where };
  });
  const exclusions = (Array.isArray(raw['exclusions']) ? raw['exclusions'] : []).map((exclusion: unknown) => {
    const { name, fromStep = 0, toStep = parsedSteps.length - 1 } = (exclusion ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') throw invalid('an exclusion needs an event name');
    if (!Number.isInteger(fromStep) || !Number.isInteger(toStep) || (fromStep as number) < 0 || (toStep as number) >= parsedSteps.length || (fromStep as number) >= (toStep as number)) {
      throw invalid('an exclusion spans two steps: 0 <= fromStep < toStep < steps');
    }
    return { name, fromStep: fromStep as number, toStep: toStep as number };
  });
  const order = raw['order'] ?? 'sequential';
  if (order !== 'sequential' && order !== 'strict' && order !== 'any') throw invalid('order is sequential, strict or any');
  const window = raw['window'] ?? fourteenDays;
  if (typeof window !== 'number' || !Number.isFinite(window) || window <= 0 || window > 366 * 86_400_000) throw invalid('window is milliseconds, at most a year');
  return {
    steps: parsedSteps,
    window,
    order,
    exclusions,
    breakdown: raw['breakdown'] === undefined ? undefined : parseField(raw['breakdown']),
    from: range.from,
    to: range.to,
  };
}

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

/** A funnel's cells per breakdown value, and those of the same funnel without its breakdown (`whole`, breakdown null). */
export interface FunnelCellsAndWhole {
  cells: FunnelCell[];
  whole: FunnelCell[];
  /** The same funnel with another window, from the same read, where it was asked for. */
  alsoWindow?: FunnelCellsAndWhole;
}

/** A funnel's cells and whole cells from `read`, and with `alsoWindow` the same funnel's with that window (read again). */
export async function cellsAndWholeEach(funnel: FunnelQuery, alsoWindow: number | undefined, read: (funnel: FunnelQuery) => Promise<FunnelCellsAndWhole>): Promise<FunnelCellsAndWhole> {
  const asked = await read(funnel);
  return alsoWindow === undefined ? asked : { ...asked, alsoWindow: await read({ ...funnel, window: alsoWindow }) };
}

export interface FunnelAnswer {
  exact: boolean;
  breakdowns: FunnelBreakdownResult[];
}
