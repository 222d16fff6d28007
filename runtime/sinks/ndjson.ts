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
  let pending = '';
  let writing = false;
  let dropped = 0;
  let waiters: Array<() => void> = [];
  let scheduled = false;

  const settle = (): void => {
    if (!writing && pending.length === 0) {
      const resolved = waiters;
      waiters = [];
      for (const resolve of resolved) resolve();
    }
  };

  const startWrite = (): void => {
    if (writing || pending.length === 0) return settle();
    writing = true;
    const chunk = pending;
    pending = '';
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
        if (pending.length >= minimumWrite) startWrite();
        else if (pending.length > 0) schedule();
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
    // An asynchronous write in flight keeps its bytes; only what is still pending goes now.
    if (pending.length === 0) return;
    const buffer = Buffer.from(pending);
    pending = '';
    let offset = 0;
    while (offset < buffer.length) {
      try {
        offset += writeSync(fd, buffer, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
          dropped++;
          return;
        }
      }
    }
  };

  const remove = addSink((event) => {
    pending += `${envelopeJson(event)}\n`;
    if (pending.length >= minimumWrite) startWrite();
    else schedule();
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
