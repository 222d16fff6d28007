/**
 * The "issues" view: one row per message template, like Sentry's issue list. Direct readers see
 * exact counts, affected users, first and last seen, and sample args; guarded readers see noisy
 * counts and users for templates enough people hit, first and last seen to the hour, and no args
 * (args are where identifying values live).
 */
export interface TemplateRow {
  template: string;
  severity: string;
  events: number;
  users: number;
  firstSeen: string;
  lastSeen: string;
  /** Args of a few recent events (direct readers only). */
  sampleArgs: unknown[][] | null;
  noiseSd: { events: number; users: number };
}

export interface TemplateQuery {
  from?: number;
  to?: number;
  /** Only templates of at least this severity number. */
  minimumSeverity?: number;
  limit: number;
}
