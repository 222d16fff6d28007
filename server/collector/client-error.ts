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
