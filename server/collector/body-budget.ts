/**
 * The bytes of request bodies held at once, across every connection. Each body is bounded by
 * `bodyBytes`, but bodies are held until their request is answered, and a client that sends most
 * of a body and then stalls holds it as long as the connection lives: two hundred such connections
 * of 4 MB took the collector from 190 MB to 900 MB, and more would have taken all memory. Past the
 * budget a body is refused with 503 and `Retry-After` (clients keep the batch and send it again);
 * a body that arrives while nothing else is held is always taken, so any body within `bodyBytes`
 * gets through. The request timeout (app.ts) ends the stalled connections that hold the budget.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** The collector holds as many body bytes as it may: the request is to be sent again shortly. */
export class CollectorBusyError extends Error {
  readonly reason = 'busy';
  readonly statusCode = 503;
}

export class BodyBudget {
  #held = 0;

  /** At least one whole body: a body alone is never refused. */
  readonly limit: number;

  constructor(limit: number, bodyBytes: number) {
    this.limit = Math.max(limit, bodyBytes);
  }

  get held(): number {
    return this.#held;
  }

  /** Whether `bytes` more may be held now by a body that holds `own` already. */
  #fits(bytes: number, own = 0): boolean {
    return this.#held === own || this.#held + bytes <= this.limit;
  }

  /** Refuses at once a body whose declared length does not fit. */
  checkDeclared(bytes: number): void {
    if (bytes > 0 && !this.#fits(bytes)) throw this.#busy();
  }

  /**
   * A stream that counts the body's bytes against the budget as they pass, and fails once they do
   * not fit; `release` returns what it counted (call it once the request is answered or gone).
   */
  meter(): { stream: Transform; release: () => void } {
    let counted = 0;
    let released = false;
    const stream = new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) => {
        if (released) return callback(null, chunk);
        // A body alone always fits (it is bounded by bodyBytes): progress is never blocked.
        if (!this.#fits(chunk.length, counted)) return callback(this.#busy());
        counted += chunk.length;
        this.#held += chunk.length;
        callback(null, chunk);
      },
    });
    const release = (): void => {
      if (released) return;
      released = true;
      this.#held -= counted;
    };
    return { stream, release };
  }

  #busy(): CollectorBusyError {
    return new CollectorBusyError(`the collector holds ${Math.round(this.#held / 1048576)} MiB of request bodies, its limit (limits.bodiesInFlightBytes); send the batch again shortly`);
  }
}
