/**
 * One validated, scrubbed event flattened into the columns the stores keep. Analytics filter and
 * group on the columns; everything else stays as JSON text.
 */
export interface EventRow {
  project: string;
  id: string;
  /** Event time, milliseconds since the epoch. */
  ts: number;
  receivedAt: number;
  kind: 'log' | 'event';
  name: string | null;
  severity: string;
  severityNumber: number;
  template: string;
  message: string;
  /** JSON text. */
  args: string;
  attributes: string;
  contextVars: string;
  stack: string;
  /** Experiment name → variant, from the context's `experiments` (or `experiment`/`variant`). JSON text. */
  experiments: string;
  userId: string | null;
  sessionId: string | null;
  module: string | null;
  file: string | null;
  line: number | null;
  functionName: string | null;
  errorType: string | null;
  /** JSON text or null. */
  error: string | null;
  service: string | null;
  traceId: string | null;
  spanId: string | null;
}

/** The column names, in the order every store lays them out. */
export const eventColumns = [
  'project', 'id', 'ts', 'received_at', 'kind', 'name', 'severity', 'severity_number', 'template', 'message',
  'args', 'attributes', 'context_vars', 'stack', 'experiments', 'user_id', 'session_id', 'module', 'file', 'line',
  'function_name', 'error_type', 'error', 'service', 'trace_id', 'span_id',
] as const;
