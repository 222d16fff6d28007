/**
 * Node's on-disk spool: each sealed batch is one NDJSON file, written (to a temporary name, then
 * renamed) before it is sent and deleted only after the collector acknowledged it, so a crash or a
 * collector outage loses nothing that reached the disk. Each process owns a subdirectory; a new
 * process adopts the batches of owners that are no longer running and sent to the same collector
 * with the same key (the spool's identity), never another's. Directories are 0700 and files 0600:
 * batches hold messages, arguments and user ids.
 */
import { createHash } from 'node:crypto';
import {
  existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Spool, SpooledBatch } from './spool.js';

const privateDirectory = 0o700;
const privateFile = 0o600;

/**
 * Who may adopt a spool's batches: a digest of the collector URL and the ingest key (the key itself
 * is never written to disk), so a process with another key or collector leaves them alone.
 */
export function spoolIdentity(url: string, key: string): string {
  return createHash('sha256').update(`${url}\n${key}`).digest('hex').slice(0, 32);
}

/**
 * The default spool root: `logmill-<uid>` under the OS temp dir, private to the user. The temp dir
 * is shared by every user, so a directory someone else created first (or a symlink, or one others
 * can enter) is refused rather than written to: the return is then the reason, for the caller to
 * report, and delivery keeps its batches in memory.
 */
export function privateSpoolRoot(identity: string): { directory: string } | { refused: string } {
  const uid = process.getuid?.();
  const base = join(tmpdir(), `logmill-${uid ?? userInfo().username}`);
  try {
    mkdirSync(base, { recursive: true, mode: privateDirectory });
    const status = lstatSync(base);
    if (!status.isDirectory()) return { refused: `${base} is not a directory` };
    if (uid !== undefined && status.uid !== uid) return { refused: `${base} belongs to uid ${status.uid}, not to this user (${uid})` };
    if (uid !== undefined && (status.mode & 0o077) !== 0) return { refused: `${base} is open to other users (mode ${(status.mode & 0o777).toString(8)})` };
  } catch (error) {
    return { refused: `${base}: ${(error as Error).message}` };
  }
  return { directory: join(base, 'spool', identity) };
}

export interface DiskBatch extends SpooledBatch {
  readonly file: string;
  /** Set until the file is on disk; dropped afterwards so waiting batches cost no memory. */
  body: string | undefined;
  written: Promise<void>;
  onDisk: boolean;
}

const ownerFile = 'owner.json';
const batchName = /^(\d{12})-(\d+)\.ndjson$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DurableSpool implements Spool<DiskBatch> {
  #batches: DiskBatch[] = [];
  #sequence = 0;
  events = 0;
  bytes = 0;
  /** The directory this process writes to. */
  readonly directory: string;

  /** `identity` (see `spoolIdentity`) says whose batches this process may adopt. */
  constructor(root: string, private readonly maxBytes: number, private readonly identity: string) {
    mkdirSync(root, { recursive: true, mode: privateDirectory });
    this.directory = join(root, `p${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(this.directory, { recursive: true, mode: privateDirectory });
    writeFileSync(join(this.directory, ownerFile), JSON.stringify({ pid: process.pid, identity }), { mode: privateFile });
    this.#adopt(root);
  }

  /**
   * Takes over batches left by processes that are gone (crashed, killed, or exited mid-outage) and
   * that sent to the same collector with the same key.
   */
  #adopt(root: string): void {
    for (const entry of readdirSync(root).sort()) {
      const directory = join(root, entry);
      if (directory === this.directory) continue;
      let owner: { pid?: unknown; identity?: unknown };
      try {
        owner = JSON.parse(readFileSync(join(directory, ownerFile), 'utf8')) as typeof owner;
      } catch {
        continue;
      }
      if (owner.identity !== this.identity || typeof owner.pid !== 'number') continue;
      const pid = owner.pid;
      if (pid !== process.pid && alive(pid)) continue;
      let files: string[];
      try {
        files = readdirSync(directory).sort();
      } catch {
        continue;
      }
      for (const file of files) {
        const match = batchName.exec(file);
        if (match === null) continue;
        const target = this.#nextFile(Number(match[2]));
        try {
          renameSync(join(directory, file), target);
        } catch {
          continue; // another process adopted it first
        }
        const bytes = readFileSync(target).length;
        this.#track({ file: target, events: Number(match[2]), bytes, body: undefined, written: Promise.resolve(), onDisk: true });
      }
      try {
        for (const file of readdirSync(directory)) unlinkSync(join(directory, file)); // owner file, partial writes
        rmdirSync(directory);
      } catch {
        // Left for a later start.
      }
    }
  }

  #nextFile(events: number): string {
    return join(this.directory, `${String(this.#sequence++).padStart(12, '0')}-${events}.ndjson`);
  }

  #track(batch: DiskBatch): void {
    this.#batches.push(batch);
    this.events += batch.events;
    this.bytes += batch.bytes;
  }

  add(lines: readonly string[]): number {
    const body = `${lines.join('\n')}\n`;
    const file = this.#nextFile(lines.length);
    const batch: DiskBatch = { file, events: lines.length, bytes: Buffer.byteLength(body), body, written: Promise.resolve(), onDisk: false };
    batch.written = writeFile(`${file}.partial`, body, { mode: privateFile })
      .then(() => rename(`${file}.partial`, file))
      .then(
        () => {
          batch.onDisk = true;
          // The head batch is read again soon; the others need not stay in memory.
          if (this.#batches[0] !== batch) batch.body = undefined;
        },
        () => undefined, // a full or read-only disk: the batch still goes out from memory
      );
    this.#track(batch);
    return this.#bound();
  }

  /** Drops the oldest batches (never the head, which may be in flight) until within bound. */
  #bound(): number {
    let dropped = 0;
    while (this.bytes > this.maxBytes && this.#batches.length > 2) {
      const [oldest] = this.#batches.splice(1, 1);
      this.events -= oldest!.events;
      this.bytes -= oldest!.bytes;
      dropped += oldest!.events;
      void oldest!.written.then(() => unlink(oldest!.file).catch(() => undefined));
    }
    return dropped;
  }

  first(): DiskBatch | undefined {
    return this.#batches[0];
  }

  async read(batch: DiskBatch): Promise<string> {
    return batch.body ?? (await readFile(batch.file, 'utf8'));
  }

  async remove(batch: DiskBatch): Promise<void> {
    const index = this.#batches.indexOf(batch);
    if (index !== -1) {
      this.#batches.splice(index, 1);
      this.events -= batch.events;
      this.bytes -= batch.bytes;
    }
    await batch.written;
    await unlink(batch.file).catch(() => undefined);
  }

  /** On exit: writes synchronously every batch (and the unsealed lines) not yet on disk. */
  saveSync(unsealed: readonly string[]): void {
    if (unsealed.length > 0) this.add(unsealed);
    for (const batch of this.#batches) {
      if (batch.onDisk || batch.body === undefined) continue;
      try {
        writeFileSync(batch.file, batch.body, { mode: privateFile });
      } catch {
        // Nothing more can be done while exiting.
      }
    }
  }

  /** Removes this process's directory if nothing is left in it (a clean shutdown). */
  release(): void {
    if (this.#batches.length > 0 || !existsSync(this.directory)) return;
    try {
      for (const file of readdirSync(this.directory)) unlinkSync(join(this.directory, file));
      rmdirSync(this.directory);
    } catch {
      // A later process adopts whatever is left.
    }
  }
}
