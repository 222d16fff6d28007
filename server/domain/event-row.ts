/**
 * One validated, scrubbed event flattened into the columns the stores keep, keyed by column name
 * (so one `JSON.stringify` makes the journal line a store loads). Analytics filter and group on
 * the scalar columns; the JSON columns hold the rest.
 */
export interface EventRow {
  project: string;
  id: string;
  /** Event time, milliseconds since the epoch. */
  ts: number;
  received_at: number;
  kind: 'log' | 'event';
  name: string | null;
  severity: string;
  severity_number: number;
  template: string;
  message: string;
  args: unknown[];
  attributes: Record<string, unknown>;
  context_vars: Record<string, unknown>;
  stack: unknown[];
  /** Experiment name → variant, from the context's `experiments` (or `experiment` and `variant`). */
  experiments: Record<string, string>;
  user_id: string | null;
  session_id: string | null;
  module: string | null;
  file: string | null;
  line: number | null;
  function_name: string | null;
  error_type: string | null;
  error: unknown;
  service: string | null;
  trace_id: string | null;
  span_id: string | null;
}

/** Each column and its type, in the order every store lays them out. */
export const eventColumns = {
  project: 'text', id: 'uuid', ts: 'time', received_at: 'time', kind: 'text', name: 'text', severity: 'text',
  severity_number: 'small', template: 'text', message: 'text', args: 'json', attributes: 'json', context_vars: 'json',
  stack: 'json', experiments: 'json', user_id: 'text', session_id: 'text', module: 'text', file: 'text', line: 'integer',
  function_name: 'text', error_type: 'text', error: 'json', service: 'text', trace_id: 'text', span_id: 'text',
} as const satisfies Record<keyof EventRow, string>;
