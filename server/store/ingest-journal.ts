/**
 * The ingest journal: acknowledged rows, appended as NDJSON to segment files and synced to disk
 * (group commit: one write and one fdatasync for every request waiting) before the collector
 * answers. Stores load sealed segments in bulk afterwards, so a request waits for an fsync, not
 * for a database transaction, and the database sees few large inserts instead of many small ones.
 * A segment is deleted only after its rows are in the database; one that is loaded twice (after a
 * crash between the load and the delete) is harmless, because loads skip ids already stored.
 * Segments set aside by earlier versions (`quarantine/`, whole segments that once failed to load)
 * are taken back at open and loaded again, row by row where needed, so their good rows are stored.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GroupCommit } from './group-commit.js';

const segmentName = /^(\d{12})\.ndjson$/;

/**
 * A crash in the middle of a write leaves a last line without its newline. Nothing in it was
 * acknowledged (the answer waits for the whole write and its sync), so it is cut off rather than
 * loaded or kept as a dead letter.
 */
function dropTornLine(path: string): void {
  const stat = statSync(path);
  // What is not a regular file is left for the loader to report.
  if (!stat.isFile() || stat.size === 0) return;
  const size = stat.size;
  const descriptor = openSync(path, 'r+');
  try {
    const last = Buffer.alloc(1);
    readSync(descriptor, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    const text = readFileSync(descriptor);
    const end = text.lastIndexOf(0x0a) + 1;
    ftruncateSync(descriptor, end);
    fsyncSync(descriptor);
    process.stderr.write(`logmill journal: cut ${size - end} bytes of an unacknowledged, torn last line from ${path}\n`);
  } finally {
    closeSync(descriptor);
  }
}

export interface Segment {
  path: string;
  rows: number;
}

export class IngestJournal {
  readonly #directory: string;
  readonly #appends: GroupCommit<never, void>;
  #sequence = 0;
  #current: { path: string; handle: FileHandle; rows: number; bytes: number } | undefined;
  #sealed: Segment[] = [];
  /**
   * Lines are encoded as they are appended, into the buffer the next write takes whole; the write
   * in flight holds the other one. The lines' strings die at once instead of living until their
   * group is written, which was a good part of what the collector's young generation copied.
   */
  #filling = { buffer: Buffer.allocUnsafe(1024 * 1024), length: 0, rows: 0 };
  #spare = Buffer.allocUnsafe(1024 * 1024);
  /** Rows acknowledged and not yet loaded. */
  pendingRows = 0;

  constructor(directory: string, private readonly maxSegmentBytes = 64 * 1024 * 1024) {
    this.#directory = directory;
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    // Segments left by an earlier run (stopped or crashed) are loaded first, in order.
    for (const file of readdirSync(directory).sort()) {
      // A part of a segment being split when the process stopped: the segment itself is still here.
      if (file.endsWith('.part')) rmSync(join(directory, file), { force: true });
      const match = segmentName.exec(file);
      if (match === null) continue;
      this.#sequence = Math.max(this.#sequence, Number(match[1]) + 1);
      dropTornLine(join(directory, file));
      this.#sealed.push({ path: join(directory, file), rows: -1 });
    }
    const quarantine = join(directory, 'quarantine');
    if (existsSync(quarantine)) {
      for (const file of readdirSync(quarantine).sort()) {
        const path = join(directory, `${String(this.#sequence++).padStart(12, '0')}.ndjson`);
        renameSync(join(quarantine, file), path);
        this.#sealed.push({ path, rows: -1 });
      }
      rmdirSync(quarantine);
    }
    this.#appends = new GroupCommit<never, void>(async (submissions) => {
      await this.#write();
      return submissions.map(() => undefined);
    });
  }

  /** Appends rows (one JSON line each); resolves once they are on disk. */
  append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    // Encoded now, submitted in the same turn: the commit that carries this submission is the
    // one that takes the buffer holding these bytes.
    this.#encode(lines);
    return this.#appends.submit([]);
  }

  /**
   * Encodes the lines, each followed by a newline, into the filling buffer: no joined string, no
   * separate measuring pass.
   */
  #encode(lines: readonly string[]): void {
    const filling = this.#filling;
    let offset = filling.length;
    for (const line of lines) {
      // UTF-8 takes at most three bytes per UTF-16 code unit.
      const room = offset + line.length * 3 + 1;
      if (room > filling.buffer.length) {
        const larger = Buffer.allocUnsafe(Math.max(room, filling.buffer.length * 2));
        filling.buffer.copy(larger, 0, 0, offset);
        filling.buffer = larger;
      }
      offset += filling.buffer.write(line, offset, 'utf8');
      filling.buffer[offset++] = 0x0a;
    }
    filling.length = offset;
    filling.rows += lines.length;
  }

  async #write(): Promise<void> {
    // Taken before anything is awaited: appends from here on fill the spare buffer, for the next write.
    const { buffer, length, rows } = this.#filling;
    this.#filling = { buffer: this.#spare, length: 0, rows: 0 };
    try {
      if (this.#current === undefined) {
        const path = join(this.#directory, `${String(this.#sequence++).padStart(12, '0')}.ndjson`);
        this.#current = { path, handle: await open(path, 'a', 0o600), rows: 0, bytes: 0 };
      }
      const current = this.#current;
      // A short write is an error here: the segment would be torn. It does not happen on regular
      // files short of a full disk, which fails the whole group (the clients retry).
      const { bytesWritten } = await current.handle.write(buffer, 0, length);
      if (bytesWritten !== length) throw new Error(`short write to ${current.path}`);
      await current.handle.datasync();
      current.rows += rows;
      current.bytes += bytesWritten;
      this.pendingRows += rows;
      if (current.bytes >= this.maxSegmentBytes) await this.#sealCurrent();
    } finally {
      this.#spare = buffer;
    }
  }

  async #sealCurrent(): Promise<void> {
    const current = this.#current;
    if (current === undefined) return;
    this.#current = undefined;
    await current.handle.close();
    this.#sealed.push({ path: current.path, rows: current.rows });
  }

  /**
   * Seals the segment being written (waiting for appends in flight to finish, so everything
   * acknowledged so far is in a sealed segment) and returns the sealed segments, oldest first.
   */
  async seal(): Promise<Segment[]> {
    await this.#appends.idle();
    await this.#sealCurrent();
    return [...this.#sealed];
  }

  /** Forgets a loaded segment and deletes its file. */
  async loaded(segment: Segment, rows: number): Promise<void> {
    this.#sealed = this.#sealed.filter((candidate) => candidate !== segment);
    this.pendingRows = Math.max(0, this.pendingRows - rows);
    await unlink(segment.path).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.#appends.idle();
    await this.#sealCurrent();
  }
}
