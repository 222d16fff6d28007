/**
 * NDJSON to a file descriptor or a path, without blocking the app: lines collect in memory and go
 * out in large asynchronous writes, one at a time and in order (the approach of sonic-boom), with a
 * synchronous flush on exit so nothing accepted is lost.
 */
import { closeSync, openSync, write as writeAsync, writeSync } from 'node:fs';
import { type SinkOptions, addSink } from '../events.js';
import { envelopeJson } from '../logging/envelope.js';

export interface NdjsonOptions extends SinkOptions {
  /** A file descriptor (1 for stdout) or a path to append to. */
  destination: number | string;
  /** Bytes to collect before a write starts (default 16 KiB). */
  minimumWrite?: number;
  /**
   * When this much is queued because the app has not yielded to the event loop (so asynchronous
   * writes cannot finish), the queue is written synchronously instead of growing (default 1 MiB).
   */
  maximumQueued?: number;
}

export interface NdjsonSink {
  /** Writes everything collected so far before returning. */
  flushSync(): void;
  /** Resolves when everything collected so far is written. */
  flush(): Promise<void>;
  /** Flushes, stops receiving events and closes a file it opened. */
  close(): void;
  /** Lines dropped because the destination failed. */
  readonly dropped: number;
}

export function ndjsonSink(options: NdjsonOptions): NdjsonSink {
  const ownsFile = typeof options.destination === 'string';
  const fd = typeof options.destination === 'string' ? openSync(options.destination, 'a') : options.destination;
  const minimumWrite = options.minimumWrite ?? 16 * 1024;
  const maximumQueued = options.maximumQueued ?? 1024 * 1024;
  let queuedLength = 0;
  // Lines collect in `current`; every `minimumWrite` characters they move to `queue` as one flat
  // chunk. Chunks, not one ever-growing string: a long rope is slow to encode and to collect.
  let current: string[] = [];
  let currentLength = 0;
  const queue: string[] = [];
  let writing = false;
  let dropped = 0;
  let waiters: Array<() => void> = [];
  let scheduled = false;

  const settle = (): void => {
    if (!writing && queue.length === 0 && currentLength === 0) {
      const resolved = waiters;
      waiters = [];
      for (const resolve of resolved) resolve();
    }
  };

  const seal = (): void => {
    if (currentLength > 0) {
      // One join flattens the lines in a single pass; repeated += would build a deep rope.
      queue.push(current.join(''));
      queuedLength += currentLength;
      current = [];
      currentLength = 0;
    }
  };

  const startWrite = (): void => {
    if (writing) return;
    if (queue.length === 0) seal();
    const chunk = queue.shift();
    if (chunk === undefined) return settle();
    queuedLength -= chunk.length;
    writing = true;
    const buffer = Buffer.from(chunk);
    const writeFrom = (offset: number): void => {
      writeAsync(fd, buffer, offset, buffer.length - offset, null, (error, written) => {
        if (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return void setTimeout(() => writeFrom(offset), 1);
          dropped += chunk.split('\n').length - 1;
        } else if (offset + written < buffer.length) {
          return writeFrom(offset + written);
        }
        writing = false;
        if (queue.length > 0) startWrite();
        else if (currentLength > 0) schedule();
        else settle();
      });
    };
    writeFrom(0);
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      startWrite();
    });
  };

  const flushSync = (): void => {
    // An asynchronous write in flight keeps its bytes; everything still queued goes now.
    seal();
    while (queue.length > 0) {
      const chunk = queue.shift()!;
      queuedLength -= chunk.length;
      const buffer = Buffer.from(chunk);
      let offset = 0;
      while (offset < buffer.length) {
        try {
          offset += writeSync(fd, buffer, offset);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
            dropped++;
            break;
          }
        }
      }
    }
  };

  const remove = addSink((event) => {
    const line = `${envelopeJson(event)}\n`;
    current.push(line);
    currentLength += line.length;
    if (currentLength >= minimumWrite) {
      seal();
      if (queuedLength >= maximumQueued) flushSync();
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
        waiters.push(resolve);
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
