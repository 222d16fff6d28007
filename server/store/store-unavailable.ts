/**
 * A store that cannot answer now, said plainly: the collector answers 503 with this message
 * (and Retry-After), so a reader learns why instead of getting a partial or generic answer.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
