import type { QueryError, QueryErrorReason } from '../domain/query-error.js';

/** A refusal the client caused: answered with its 4xx status and a JSON body naming the problem. */
export class ClientError extends Error {
  constructor(
    readonly statusCode: number,
    /** Stable, machine-readable code: `invalid_json`, `body_too_large`, `unknown_key` ... */
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The status of each domain refusal: a question that does not parse is a 400, one the reader's access level forbids a 403. */
const queryErrorStatus: Record<QueryErrorReason, number> = {
  invalid_query: 400,
  invalid_funnel: 400,
  invalid_experiment: 400,
  not_allowed: 403,
  isolating_column: 403,
};

/** A domain refusal as the HTTP answer it becomes: its status, its reason as `error`, its details in the body. */
export function clientErrorOf(error: QueryError): ClientError {
  return new ClientError(queryErrorStatus[error.reason], error.reason, error.message, error.details);
}
