/**
 * Whose batches a spool holds and who can read them: a process adopts only the batches of gone
 * owners that sent to the same collector with the same key; spool directories are 0700 and batch
 * files 0600; the default spool lives in a per-user directory that is refused when someone else
 * made it first; and flush() reports refused events as a failure, not as success.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spoolIdentity } from '../../runtime/delivery/durable-spool.js';
import { httpSink, log, uuidv7 } from '../../runtime/node.js';

let server: Server | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A collector that answers `status(key)` for each batch and records the events it stored. */
async function collector(status: (authorization: string) => number): Promise<{ url: string; stored: Array<{ key: string; args: unknown[] }> }> {
  const stored: Array<{ key: string; args: unknown[] }> = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const key = String(request.headers['authorization']).replace(/^Bearer /, '');
      const code = status(key);
      if (code === 200) {
        for (const line of Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean)) stored.push({ key, args: (JSON.parse(line) as { args: unknown[] }).args });
      }
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(code === 200 ? '{}' : '{"error":"unauthorized"}');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as { port: number }).port}`, stored };
}

const goodKey = 'lm_ingest_good_good_good_good';
const otherKey = 'lm_ingest_other_other_other_ot';

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? [join(directory, entry.name), ...filesUnder(join(directory, entry.name))] : [join(directory, entry.name)]);
}

describe('spool ownership', () => {
  it('a process with another key leaves the batches of a gone owner alone; one with the owner\'s key sends them', async () => {
    let up = false;
    let attempts = 0;
    const target = await collector((key) => (attempts++, !up ? 503 : key === goodKey ? 200 : 401));
    const spool = mkdtempSync(join(tmpdir(), 'logmill-owned-'));
    const crashed = httpSink({ url: target.url, key: goodKey, spool, initialBackoff: 5_000, onProblem: () => undefined });
    log.info('from the first app %s', 'A');
    // Long enough for its one attempt (503) to end, well short of the 5 s backoff: it leaves as a crashed app would.
    expect(await crashed.close(1_000)).toBe(false);
    // On a loaded machine the attempt may arrive after that: it is answered 503 before the collector comes back.
    while (attempts === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    up = true;

    const stranger = httpSink({ url: target.url, key: otherKey, spool, onProblem: () => undefined });
    expect(stranger.statistics.queued).toBe(0);
    log.info('from a misconfigured script %s', 'B');
    // Its own event is refused (wrong key): flush says so.
    expect(await stranger.flush(5_000)).toBe(false);
    expect(stranger.statistics).toMatchObject({ refused: 1, delivered: 0 });
    await stranger.close();

    const owner = httpSink({ url: target.url, key: goodKey, spool });
    expect(owner.statistics.queued).toBe(1);
    expect(await owner.close(5_000)).toBe(true);
    expect(target.stored).toEqual([{ key: goodKey, args: ['A'] }]);
  });

  it('a process sending to another collector does not adopt them either', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'logmill-owned-'));
    const down = await collector(() => 503);
    const first = httpSink({ url: down.url, key: goodKey, spool, initialBackoff: 5_000, onProblem: () => undefined });
    log.info('for the first collector');
    expect(await first.close(1_000)).toBe(false);
    const elsewhere = httpSink({ url: 'http://127.0.0.1:9/other', key: goodKey, spool, onProblem: () => undefined });
    expect(elsewhere.statistics.queued).toBe(0);
    await elsewhere.close(10);
  });

  it('a second sink in the same process (as each worker thread makes) neither adopts nor deletes a live sink\'s batches; it adopts them once that sink closed', async () => {
    let up = false;
    const target = await collector(() => (up ? 200 : 503));
    const spool = mkdtempSync(join(tmpdir(), 'logmill-siblings-'));
    const first = httpSink({ url: target.url, key: goodKey, spool, initialBackoff: 5_000, onProblem: () => undefined });
    log.info('held by the first sink %s', 'A');
    expect(await first.flush(300)).toBe(false);
    const firstBatches = readdirSync(first.spoolDirectory!).filter((file) => file.endsWith('.ndjson'));
    expect(firstBatches).toHaveLength(1);

    const second = httpSink({ url: target.url, key: goodKey, spool, initialBackoff: 5_000, onProblem: () => undefined });
    expect(second.spoolDirectory).not.toBe(first.spoolDirectory);
    expect(second.statistics.queued).toBe(0);
    expect(readdirSync(first.spoolDirectory!).filter((file) => file.endsWith('.ndjson'))).toEqual(firstBatches);
    expect(first.statistics.queued).toBe(1);

    // Closed during the outage: its batch is left for the next sink with this collector and key.
    expect(await first.close(300)).toBe(false);
    await second.close(10);
    up = true;
    const third = httpSink({ url: target.url, key: goodKey, spool });
    expect(await third.close(5_000)).toBe(true);
    expect(target.stored.filter((event) => event.args[0] === 'A')).not.toHaveLength(0);
    expect(readdirSync(spool)).toEqual([]);
  });

  it('adopts the batches of an owner whose pid is alive but belongs to a process started at another time (a reused pid, pid 1 in a container)', async () => {
    const target = await collector(() => 200);
    const spool = mkdtempSync(join(tmpdir(), 'logmill-reused-'));
    const identity = spoolIdentity(`${target.url}/v1/events`, goodKey);
    const envelope = (text: string): string => JSON.stringify({ id: uuidv7(), ts: Date.now(), kind: 'log', severity: 'INFO', severityNumber: 9, template: '%s', args: [text], attributes: {}, context: { vars: {}, stack: [] } });
    // This process's pid and its parent's, both alive, recorded with another start.
    for (const [name, pid] of [['ours', process.pid], ['parent', process.ppid]] as const) {
      const directory = join(spool, `p${pid}-t0-${name}`);
      mkdirSync(directory, { mode: 0o700 });
      writeFileSync(join(directory, 'owner.json'), JSON.stringify({ identity, pid, started: 'another-boot:1', thread: 0, instance: name }));
      writeFileSync(join(directory, '000000000000-1.ndjson'), `${envelope(name)}\n`);
    }
    const sink = httpSink({ url: target.url, key: goodKey, spool });
    expect(sink.statistics.queued).toBe(2);
    expect(await sink.close(5_000)).toBe(true);
    expect(target.stored.map((event) => event.args[0]).sort()).toEqual(['ours', 'parent']);
  });

  it('writes directories 0700 and files 0600, whatever the umask lets through', async () => {
    const spool = join(mkdtempSync(join(tmpdir(), 'logmill-modes-')), 'nested', 'spool');
    const down = await collector(() => 503);
    const sink = httpSink({ url: down.url, key: goodKey, spool, initialBackoff: 5_000, onProblem: () => undefined });
    for (let index = 0; index < 3; index++) log.info('private %d', index);
    expect(await sink.close(1_000)).toBe(false);
    const entries = [spool, ...filesUnder(spool)];
    expect(entries.some((entry) => entry.endsWith('.ndjson'))).toBe(true);
    for (const entry of entries) {
      const status = statSync(entry);
      expect((status.mode & 0o777).toString(8), entry).toBe(status.isDirectory() ? '700' : '600');
    }
    // The owner file names the collector and key only by a digest: the key is not on disk.
    const ownerFiles = entries.filter((entry) => entry.endsWith('owner.json'));
    expect(ownerFiles).toHaveLength(1);
    expect(readFileSync(ownerFiles[0]!, 'utf8')).not.toContain(goodKey);
  });
});

describe('the default spool location', () => {
  const uid = process.getuid!();

  it('is a per-user directory under the temp dir, private, one per collector and key', async () => {
    const temporary = mkdtempSync(join(tmpdir(), 'logmill-tmp-'));
    vi.stubEnv('TMPDIR', temporary);
    const down = await collector(() => 503);
    const sink = httpSink({ url: down.url, key: goodKey, initialBackoff: 5_000, onProblem: () => undefined });
    const other = httpSink({ url: down.url, key: otherKey, initialBackoff: 5_000, onProblem: () => undefined });
    expect(sink.spoolDirectory!.startsWith(join(temporary, `logmill-${uid}`, 'spool'))).toBe(true);
    expect(other.spoolDirectory!.split('/').at(-2)).not.toBe(sink.spoolDirectory!.split('/').at(-2));
    expect((statSync(join(temporary, `logmill-${uid}`)).mode & 0o777).toString(8)).toBe('700');
    await Promise.all([sink.close(10), other.close(10)]);
  });

  it('is refused when it is open to other users or belongs to someone else: events then wait in memory, and stderr says why', async () => {
    const temporary = mkdtempSync(join(tmpdir(), 'logmill-tmp-'));
    vi.stubEnv('TMPDIR', temporary);
    const planted = join(temporary, `logmill-${uid}`);
    mkdirSync(planted);
    chmodSync(planted, 0o777);
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
    const open = httpSink({ url: 'http://127.0.0.1:9', key: goodKey, onProblem: () => undefined });
    expect(open.spoolDirectory).toBeUndefined();
    expect(stderr.join('')).toContain(`logmill: not spooling to disk: ${planted} is open to other users (mode 777)`);
    await open.close(10);
    expect(readdirSync(planted)).toEqual([]);
    if (uid === 0) {
      // Root can play the other user: the directory now belongs to uid 4242.
      chmodSync(planted, 0o700);
      chownSync(planted, 4242, 4242);
      const foreign = httpSink({ url: 'http://127.0.0.1:9', key: goodKey, onProblem: () => undefined });
      expect(foreign.spoolDirectory).toBeUndefined();
      expect(stderr.join('')).toContain(`${planted} belongs to uid 4242`);
      await foreign.close(10);
    }
  });
});

describe('flush and refusals', () => {
  it.each([
    [401, 'the ingest key is not accepted'],
    [403, 'the key may not ingest'],
    [404, 'no collector answers at this URL'],
  ])('resolves false when the collector answers %d, and stderr names the collector and the reason', async (status, reason) => {
    const target = await collector(() => status);
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
    const sink = httpSink({ url: `${target.url}/logmill`, key: goodKey, spool: false });
    log.info('refused %d', status);
    expect(await sink.flush(5_000)).toBe(false);
    expect(sink.statistics).toMatchObject({ refused: 1, delivered: 0, queued: 0 });
    expect(stderr.join('')).toContain(`logmill: the collector at ${target.url}/logmill/v1/events refused 1 events (HTTP ${status}: ${reason}); they are not resent`);
    // A later flush with nothing refused in it succeeds again.
    expect(await sink.flush(100)).toBe(true);
    await sink.close();
  });
});
