/** What the context page (context-app.ts) hands to its test, shared by both sides. */

/** What one point of the page saw. */
export interface Seen {
  label: string;
  requestId: unknown;
  stack: string[];
  traceId: string | null;
  spanId: string | null;
}

/** A finished span, as the page hands it to the test. */
export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parent: string | null;
}

/** An uncaught-error report, as the page hands it to the test. */
export interface Report {
  template: string;
  message: string;
  mechanism: unknown;
  requestId: unknown;
  stack: string[];
  breadcrumbs: { level: string; message: string }[];
  sessionId: string | undefined;
  cause: string | undefined;
}
