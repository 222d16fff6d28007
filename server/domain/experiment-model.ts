/**
 * An experiment's question (its exposures, the goal event and the window in which the goal
 * counts), the events a store returns for it, and the per-variant result readers get.
 */
import { QueryError } from './query-error.js';

export interface ExperimentQuery {
  experiment: string;
  /** The goal: an event name. */
  goal: string;
  /** Milliseconds after the exposure in which the goal counts (default 14 days). */
  window: number;
  /** The control variant (default `control` if present, else the first variant by name). */
  control?: string;
}

export interface ExperimentEvent {
  user: string;
  time: number;
  exposure: boolean;
  variant: string | null;
}

export interface VariantResult {
  variant: string;
  exposed: number;
  converted: number;
  conversionRate: number;
  /** 95% Wilson interval of the conversion rate. */
  interval: [number, number];
  /** Probability that this variant's true rate exceeds the control's (null for the control). */
  probabilityToBeatControl: number | null;
  noiseSd: number;
  suppressed: boolean;
}

export function parseExperiment(input: unknown): ExperimentQuery {
  const raw = (input ?? {}) as Record<string, unknown>;
  const { experiment, goal, window = 14 * 86_400_000, control } = raw;
  if (typeof experiment !== 'string' || experiment === '' || experiment.length > 200) throw new QueryError('invalid_experiment', 'name the experiment');
  if (typeof goal !== 'string' || goal === '' || goal.length > 200) throw new QueryError('invalid_experiment', 'name the goal event');
  if (typeof window !== 'number' || !(window > 0)) throw new QueryError('invalid_experiment', 'window is milliseconds');
  if (control !== undefined && typeof control !== 'string') throw new QueryError('invalid_experiment', 'control is a variant name');
  return { experiment, goal, window, control };
}
