/**
 * NDJSON to a file descriptor or a path, without blocking the app: events are encoded straight into
 * 64 KiB buffers, which go out in asynchronous writes, one at a time and in order (the approach of
 * sonic-boom). A buffer that has not reached `minimumWrite` waits up to `flushDelay` for more: a
 * server logging once per request would otherwise start a write (a thread-pool round trip, and a
 * fresh buffer) every turn of the event loop. Small sealed buffers are copied out, so the 64 KiB
 * buffer is reused. If the app never yields to the event loop, asynchronous writes cannot finish; once
 * `maximumQueued` bytes wait, the queue is written synchronously so memory stays bounded. Everything
 * still queued is written synchronously on exit.
 */
import { closeSync, fstatSync, openSync, write as writeAsync, writeSync } from 'node:fs';
import { type SinkOptions, addSink } from '../events.js';
import { checkKnownOptions, checkPositive, invalidArgument } from '../invalid-argument.js';
import { type EnvelopeWriter, envelopePiece, writeEnvelope } from '../logging/envelope.js';

/** A writable stream: anything with Node's `write(chunk, callback)`. */
export interface ChunkStream {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
}

export interface NdjsonOptions extends SinkOptions {
  /** A file descriptor (default 1, stdout), a path to append to, or a writable stream. */
  destination?: number | string | ChunkStream | undefined;
  /** Bytes to collect before a write starts (default 16 KiB). */
  minimumWrite?: number | undefined;
  /** Bytes queued by an app that never yields before they are written synchronously (default 1 MiB). */
  maximumQueued?: number | undefined;
  /**
   * Milliseconds fewer than `minimumWrite` bytes may wait for more before they are written
   * (default 100; 0 writes them at the next turn of the event loop). Exit writes everything.
   */
  flushDelay?: number | undefined;
}

export interface NdjsonSink {
  /** Writes everything collected so far before returning. */
  flushSync(): void;
  /** Resolves when everything collected before the call is written (lines logged meanwhile need not be). */
  flush(): Promise<void>;
  /** Flushes, stops receiving events and closes a file it opened. */
  close(): void;
  /** Bytes dropped because the destination failed. */
  readonly dropped: number;
}

const BUFFER_SIZE = 64 * 1024;
const SMALL_CHUNK = 8 * 1024;
const newline = envelopePiece('\n');

// Buffer#utf8Write skips the argument handling of Buffer#write; it has been on Buffer.prototype in
// every Node release (sonic-boom and others rely on the same family of methods).
type Utf8Writable = Buffer & { utf8Write?: (text: string, offset: number) => number };
const hasUtf8Write = typeof (Buffer.prototype as Utf8Writable).utf8Write === 'function';

/** Opens `path` for appending; a path that cannot be opened is the caller's mistake, said in its words. */
function openForAppend(path: string): number {
  try {
    return openSync(path, 'a', 0o640);
  } catch (error) {
    throw invalidArgument(`ndjsonSink cannot open ${JSON.stringify(path)} for appending: ${(error as Error).message}`);
  }
}

/** A descriptor that is not open would drop every event in silence: refused now instead. */
function checkOpen(fd: number): number {
  try {
    fstatSync(fd);
  } catch {
    throw invalidArgument(`ndjsonSink's destination ${fd} is not an open file descriptor`);
  }
  return fd;
}

export function ndjsonSink(options: NdjsonOptions = {}): NdjsonSink {
  // Standard output unless told otherwise, as pino writes.
  const destination = options?.destination ?? 1;
  const valid = (typeof destination === 'number' && Number.isInteger(destination) && destination >= 0)
    || (typeof destination === 'string' && destination !== '')
    || (typeof destination === 'object' && destination !== null && typeof (destination as { write?: unknown }).write === 'function');
  if (!valid) throw invalidArgument('ndjsonSink({ destination }) takes a file descriptor, a file path or a writable stream');
  checkKnownOptions(options, ['destination', 'level', 'minimumWrite', 'maximumQueued', 'flushDelay'], 'ndjsonSink');
  checkPositive(options, ['minimumWrite', 'maximumQueued']);
  const flushDelay = options.flushDelay ?? 100;
  if (typeof flushDelay !== 'number' || !(flushDelay >= 0) || !Number.isFinite(flushDelay)) {
    throw invalidArgument('ndjsonSink({ flushDelay }) takes a number of milliseconds, 0 or more');
  }
  const stream = typeof destination === 'object' ? destination : undefined;
  const ownsFile = typeof destination === 'string';
  const fd = typeof destination === 'string' ? openForAppend(destination) : typeof destination === 'number' ? checkOpen(destination) : -1;
  const minimumWrite = options.minimumWrite ?? 16 * 1024;
  const maximumQueued = options.maximumQueued ?? 1024 * 1024;
  let buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  let used = 0;
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  let writing = false;
  let dropped = 0;
  // Bytes ever sealed into the queue, and where the write in flight starts: flush() waits for the
  // bytes collected before it, not for a quiet moment, which a busy server may never have.
  let sealedBytes = 0;
  let inFlightStart = 0;
  // Where the chunks start that flushSync handed to a stream and it has not called back for (in
  // order: a stream keeps it).
  const handedStarts: number[] = [];
  let waiters: Array<{ upTo: number; resolve: () => void }> = [];
  let scheduled = false;

  /** Where the written prefix ends: before the first chunk still being written, else where the queue starts. */
  const writtenUpTo = (): number => Math.min(writing ? inFlightStart : Infinity, handedStarts[0] ?? Infinity, sealedBytes - queuedBytes);

  const release = (): void => {
    if (waiters.length === 0) return;
    const upTo = writtenUpTo();
    const waiting: typeof waiters = [];
    for (const waiter of waiters) upTo >= waiter.upTo ? waiter.resolve() : waiting.push(waiter);
    waiters = waiting;
  };

  /** Moves the filled part of the buffer to the queue and starts a fresh buffer of at least `room`. */
  const seal = (room = 0): void => {
    if (used > 0 && used <= SMALL_CHUNK && room <= buffer.length) {
      // A few lines: copied out, and the buffer written again from its start.
      queue.push(Buffer.from(buffer.subarray(0, used)));
      queuedBytes += used;
      sealedBytes += used;
      used = 0;
    } else if (used > 0) {
      queue.push(buffer.subarray(0, used));
      queuedBytes += used;
      sealedBytes += used;
      buffer = Buffer.allocUnsafe(Math.max(BUFFER_SIZE, room));
      used = 0;
    } else if (room > buffer.length) {
      buffer = Buffer.allocUnsafe(room);
    }
  };

  const piece = (text: string): void => {
    // UTF-8 needs at most three bytes per UTF-16 code unit.
    if (used + text.length * 3 > buffer.length) seal(text.length * 3);
    used += hasUtf8Write ? (buffer as Utf8Writable).utf8Write!(text, used) : buffer.write(text, used);
  };
  // Cached pieces arrive already encoded: copying their bytes is cheaper than encoding them again.
  const writer: EnvelopeWriter = {
    text: piece,
    piece(value) {
      const bytes = value.bytes;
      if (used + bytes.length > buffer.length) seal(bytes.length);
      buffer.set(bytes, used);
      used += bytes.length;
    },
  };

  const startWrite = (): void => {
    if (writing) return;
    if (queue.length === 0) seal();
    const chunk = queue.shift();
    if (chunk === undefined) return;
    queuedBytes -= chunk.length;
    writing = true;
    inFlightStart = sealedBytes - queuedBytes - chunk.length;
    const done = (): void => {
      writing = false;
      release();
      if (queue.length > 0) startWrite();
      else if (used > 0) schedule();
    };
    if (stream !== undefined) {
      // A stream keeps the order and does the buffering; one write in flight keeps memory honest.
      stream.write(chunk, (error) => {
        if (error) dropped += chunk.length;
        done();
      });
      return;
    }
    const writeFrom = (offset: number): void => {
      writeAsync(fd, chunk, offset, chunk.length - offset, null, (error, written) => {
        if (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return void setTimeout(() => writeFrom(offset), 1);
          dropped += chunk.length - offset;
        } else if (offset + written < chunk.length) {
          return writeFrom(offset + written);
        }
        done();
      });
    };
    writeFrom(0);
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    const write = (): void => {
      scheduled = false;
      startWrite();
    };
    if (flushDelay === 0) setImmediate(write);
    // The timer keeps no process alive: exit writes what is left synchronously.
    else setTimeout(write, flushDelay).unref();
  };

  const flushSync = (): void => {
    // An asynchronous write in flight keeps its bytes; everything still queued goes now.
    seal();
    while (queue.length > 0) {
      const chunk = queue.shift()!;
      queuedBytes -= chunk.length;
      if (stream !== undefined) {
        // A stream cannot be written synchronously; hand it everything, in order.
        handedStarts.push(sealedBytes - queuedBytes - chunk.length);
        stream.write(chunk, (error) => {
          if (error) dropped += chunk.length;
          handedStarts.shift();
          release();
        });
        continue;
      }
      let offset = 0;
      while (offset < chunk.length) {
        try {
          offset += writeSync(fd, chunk, offset);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
            dropped += chunk.length - offset;
            break;
          }
        }
      }
      release();
    }
  };

  const remove = addSink((event) => {
    const before = used;
    try {
      writeEnvelope(event, writer);
      writer.piece(newline);
    } catch {
      // A half-written line must not corrupt the stream: drop it.
      used = Math.min(used, before);
      return;
    }
    if (used >= minimumWrite) {
      seal();
      if (queuedBytes >= maximumQueued) flushSync();
      else startWrite();
    } else {
      schedule();
    }
  }, options);
  const onExit = (): void => flushSync();
  process.on('exit', onExit);

  return {
    flushSync,
    flush: () =>
      new Promise<void>((resolve) => {
        // What is collected now goes now, not after flushDelay on a timer that keeps no process alive.
        seal();
        if (writtenUpTo() >= sealedBytes) return resolve();
        waiters.push({ upTo: sealedBytes, resolve });
        startWrite();
      }),
    close() {
      remove();
      process.off('exit', onExit);
      flushSync();
      if (ownsFile) closeSync(fd);
    },
    get dropped() {
      return dropped;
    },
  };
}
