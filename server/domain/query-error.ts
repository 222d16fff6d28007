/**
 * A question refused by the domain: a query, funnel or experiment that does not parse, or that
 * the reader's access level does not allow. It names the problem with a stable reason code and
 * knows nothing of HTTP; the collector decides which status each reason becomes.
 */
export type QueryErrorReason =
  /** The query does not parse (an unknown field, operator, time...). */
  | 'invalid_query'
  | 'invalid_funnel'
  | 'invalid_experiment'
  /** The reader's access level does not allow what the query asks. */
  | 'not_allowed'
  /** The query uses a column that singles out people, which guarded readers cannot. */
  | 'isolating_column';

export class QueryError extends Error {
  constructor(
    readonly reason: QueryErrorReason,
    message: string,
    /** Machine-readable details, such as the JSON `path` of the part at fault. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
