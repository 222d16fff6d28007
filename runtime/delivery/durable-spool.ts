/**
 * Node's on-disk spool: each sealed batch is one NDJSON file, written (to a temporary name, then
 * renamed) before it is sent and deleted only after the collector acknowledged it, so a crash or a
 * collector outage loses nothing that reached the disk. Each sink owns a subdirectory, recorded with
 * its process (pid and start time), thread and a random instance id; a new sink adopts the batches
 * of owners that are gone (their process ended, or, in its own process, the sink closed or its
 * thread exited) and sent to the same collector with the same key (the spool's identity), never
 * another's: sinks in worker threads share a pid and must not take each other's batches.
 * Directories are 0700 and files 0600: batches hold messages, arguments and user ids.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
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

/** What an owner file records: whose directory it is, and whether that sink is done with it. */
interface OwnerRecord {
  identity: string;
  pid: number;
  /** The process's start: the kernel's start time on Linux (exact), else milliseconds since the epoch. */
  started: string | number;
  thread: number;
  instance: string;
  /** Set when the sink closed or its thread exited: its batches are then anyone's to adopt. */
  released?: true;
}

/**
 * A process's start where Linux has it: the boot's id and the start time in clock ticks since boot
 * (field 22 of /proc/<pid>/stat). The boot id matters for spools on disks that outlive a reboot,
 * where a service can start again with the same pid at about the same tick.
 */
function linuxStartTime(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return ticks === undefined ? undefined : `${boot}:${ticks}`;
  } catch {
    return undefined;
  }
}

/** This process's start, the same in every thread (process.uptime counts from the process's start). */
const processStarted: string | number = linuxStartTime('self') ?? Math.round(Date.now() - process.uptime() * 1000);

function sameStart(recorded: unknown, current: string | number | undefined): boolean {
  if (typeof recorded === 'number' && typeof current === 'number') return Math.abs(recorded - current) < 5_000;
  return recorded === current;
}

/** Whether the process that wrote `owner` still runs: its pid is alive and was not reused since. */
function ownerProcessRuns(owner: OwnerRecord): boolean {
  if (owner.pid === process.pid) return sameStart(owner.started, processStarted);
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A recorded Linux start time that differs: the pid now belongs to another process.
  return typeof owner.started !== 'string' || sameStart(owner.started, linuxStartTime(owner.pid) ?? owner.started);
}

/** Whether a directory's owner is gone: its process ended, or, in this process, it released the directory. */
function ownerGone(owner: OwnerRecord): boolean {
  return !ownerProcessRuns(owner) || owner.released === true;
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
    const instance = randomUUID();
    this.#owner = { identity, pid: process.pid, started: processStarted, thread: threadId, instance };
    // Unique per sink, not per process: worker threads share the pid, and a thread may hold several sinks.
    this.directory = join(root, `p${process.pid}-t${threadId}-${instance}`);
    mkdirSync(this.directory, { recursive: true, mode: privateDirectory });
    writeFileSync(join(this.directory, ownerFile), JSON.stringify(this.#owner), { mode: privateFile });
    this.#adopt(root);
  }

  readonly #owner: OwnerRecord;

  /**
   * Takes over batches left by processes that are gone (crashed, killed, or exited mid-outage) and
   * that sent to the same collector with the same key.
   */
  #adopt(root: string): void {
    for (const entry of readdirSync(root).sort()) {
      const directory = join(root, entry);
      if (directory === this.directory) continue;
      let owner: OwnerRecord;
      try {
        owner = JSON.parse(readFileSync(join(directory, ownerFile), 'utf8')) as OwnerRecord;
      } catch {
        continue; // no owner file yet (a sink being created) or not a spool directory: never touched
      }
      if (owner.identity !== this.identity || typeof owner.pid !== 'number' || !ownerGone(owner)) continue;
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

  /**
   * On exit: writes synchronously every batch (and the unsealed lines) not yet on disk; returns how
   * many events could not be written (lost with the process).
   */
  saveSync(unsealed: readonly string[]): number {
    if (unsealed.length > 0) this.add(unsealed);
    let unsaved = 0;
    for (const batch of this.#batches) {
      if (batch.onDisk || batch.body === undefined) continue;
      try {
        writeFileSync(batch.file, batch.body, { mode: privateFile });
        batch.onDisk = true;
      } catch {
        unsaved += batch.events;
      }
    }
    return unsaved;
  }

  /** The files of the batches on disk, oldest first: what a process ending by `process.exit()` sends last. */
  filesOnDisk(): string[] {
    return this.#batches.filter((batch) => batch.onDisk).map((batch) => batch.file);
  }

  /** Forgets the batches whose files are gone (sent and removed by that last send). */
  forgetRemovedSync(): void {
    const [kept, removed] = [this.#batches.filter((batch) => existsSync(batch.file)), this.#batches.filter((batch) => !existsSync(batch.file))];
    this.#batches = kept;
    for (const batch of removed) {
      this.events -= batch.events;
      this.bytes -= batch.bytes;
    }
  }

  /**
   * The sink is done (closed, or its thread or process is ending): removes its directory if nothing
   * is left in it, else marks it released so that the next sink with the same identity, in this
   * process or a later one, adopts what is left.
   */
  release(): void {
    if (!existsSync(this.directory)) return;
    if (this.#batches.length > 0) {
      try {
        writeFileSync(join(this.directory, ownerFile), JSON.stringify({ ...this.#owner, released: true }), { mode: privateFile });
      } catch {
        // The process's end makes the directory adoptable anyway.
      }
      return;
    }
    try {
      for (const file of readdirSync(this.directory)) unlinkSync(join(this.directory, file));
      rmdirSync(this.directory);
    } catch {
      // A later process adopts whatever is left.
    }
  }
}
