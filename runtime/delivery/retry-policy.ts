/**
 * When to resend a batch and how long to wait: 5xx, 408, 429 and network failures are retried
 * with exponential backoff and full jitter (so clients that failed together do not return
 * together), never sooner than the server's `Retry-After`; any other 4xx is final.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** `Retry-After` (seconds or an HTTP date) in milliseconds, or undefined when absent or unreadable. */
export function retryAfterMilliseconds(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const wait = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - now;
  return Number.isNaN(wait) ? undefined : Math.max(0, wait);
}

/** The wait before attempt `attempt + 1` (0-based): uniform in [0, min(maximum, initial · 2^attempt)]. */
export function backoffDelay(attempt: number, initial: number, maximum: number, retryAfter?: number): number {
  const ceiling = Math.min(maximum, initial * 2 ** Math.min(attempt, 30));
  const jittered = Math.random() * ceiling;
  return retryAfter === undefined ? jittered : Math.max(retryAfter, jittered);
}
