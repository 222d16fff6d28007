/**
 * Request bodies for the ingest routes: gzip (or deflate) decoded as a stream that stops at the
 * body limit (a compression bomb costs at most the limit), strict UTF-8 (a wrongly encoded body
 * is refused rather than silently patched with U+FFFD), and JSON, NDJSON or `text/plain` (what
 * `navigator.sendBeacon` sends without a CORS preflight).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { type BodyBudget, CollectorBusyError } from './body-budget.js';
import { ClientError } from './client-error.js';

/** What the parser hands the route: the decoded text and whether it was declared NDJSON. */
export interface RawBody {
  text: string;
  ndjson: boolean;
}

class LimitedStream extends Transform {
  #seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.limit) callback(new ClientError(413, 'body_too_large', `the decompressed body exceeds ${this.limit} bytes`));
    else callback(null, chunk);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function registerBodyParsing(app: FastifyInstance, bodyLimit: number, budget: BodyBudget): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    const declared = Number(request.headers['content-length']);
    if (declared > bodyLimit) {
      // Read (and discard) a moderately oversized body so the client, still writing, gets to read
      // the 413; beyond four times the limit the connection is simply closed.
      if (declared <= bodyLimit * 4) for await (const _chunk of payload) void _chunk;
      throw new ClientError(413, 'body_too_large', `the body of ${declared} bytes exceeds the limit of ${bodyLimit}`);
    }
    // No body (a GET, the live tail's stream among them): nothing to decode or hold.
    if (request.headers['transfer-encoding'] === undefined && (request.headers['content-length'] === undefined || declared === 0)) return payload;
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
    let decoder: Transform | undefined;
    if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
    else if (encoding === 'deflate') decoder = createInflate();
    else if (encoding !== 'identity') throw new ClientError(415, 'unsupported_encoding', `Content-Encoding "${encoding}" is not supported (use gzip or deflate)`);
    // Held bodies count against the collector's budget until their request is answered or its
    // connection is gone. A body refused as busy is read on and discarded, so that the client,
    // still writing, reads the 503.
    const discard = (): void => {
      payload.unpipe();
      payload.resume();
    };
    if (encoding === 'identity' && Number.isFinite(declared)) {
      try {
        budget.checkDeclared(declared);
      } catch (error) {
        discard();
        throw error;
      }
    }
    const meter = budget.meter();
    reply.raw.once('close', meter.release);
    const metered = meter.stream as Transform & { receivedEncodedLength?: number };
    metered.on('error', (error) => {
      if (error instanceof CollectorBusyError) discard();
    });
    payload.on('error', (error) => metered.destroy(error));
    // Undecoded, the bytes Fastify counts are the bytes received, which it compares with Content-Length.
    if (decoder === undefined) return payload.pipe(metered);
    const limited = new LimitedStream(bodyLimit);
    decoder.on('error', (error) => limited.destroy(new ClientError(400, 'invalid_compression', `the body is not valid ${encoding}: ${error.message}`)));
    limited.on('error', (error) => metered.destroy(error));
    payload.on('error', (error) => decoder.destroy(error));
    // Fastify compares this with Content-Length: the bytes received, not the bytes decoded.
    let received = 0;
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      metered.receivedEncodedLength = received;
    });
    return payload.pipe(decoder).pipe(limited).pipe(metered);
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'text/plain'],
    { parseAs: 'buffer', bodyLimit },
    (request, body: Buffer, done) => {
      const type = String(request.headers['content-type'] ?? '').toLowerCase();
      // A parameter's value may be quoted (RFC 9110): charset="utf-8" is UTF-8.
      const charset = /charset=\s*"?([^;\s"]+)"?/.exec(type)?.[1];
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        done(new ClientError(415, 'unsupported_charset', `charset "${charset}" is not supported; send UTF-8`));
        return;
      }
      let text: string;
      try {
        text = strictUtf8.decode(body);
      } catch {
        done(new ClientError(400, 'invalid_encoding', 'the body is not valid UTF-8'));
        return;
      }
      done(null, { text, ndjson: /ndjson|jsonl/.test(type) } satisfies RawBody);
    },
  );
}
