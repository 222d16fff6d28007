/**
 * The CLI at first use: `--version`/`-V`, bare `logmill`, an unreachable collector named with its
 * address and cause, and a short key refused in plain words with the minimum.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, temporaryDirectory } from './helpers/collector-process.js';

const logmill = (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
  spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 30_000, cwd: options.cwd, env: { ...process.env, LOGMILL_URL: '', LOGMILL_KEY: '', ...options.env } });

function occupiedPort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server }));
  });
}

describe('the CLI', () => {
  it('answers --version and -V with the versions, and bare `logmill` with its help, exit 0', () => {
    const version = (path: string) => (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const run = logmill([flag]);
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`@logmill/server ${version('../package.json')} (logmill ${version('../../package.json')}, Node ${process.versions.node})\n`);
    }
    const bare = logmill([]);
    expect(bare.status).toBe(0);
    expect(bare.stdout).toMatch(/^Usage: logmill \[options\] \[command\]/);
    expect(bare.stdout).toContain('serve [options]');
    expect(bare.stderr).toBe('');
  });

  it('names the address and the cause when the collector cannot be reached, and refuses a URL without a scheme', async () => {
    const { port, server } = await occupiedPort();
    server.close();
    await new Promise((resolve) => server.once('close', resolve));
    for (const command of [['count'], ['export', '--user', 'x'], ['tail']]) {
      const run = logmill([...command, '--url', `http://127.0.0.1:${port}`, '--key', 'some-key']);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`logmill: cannot reach the collector at http://127.0.0.1:${port}: connection refused, nothing listens there (ECONNREFUSED)\n`);
    }
    const unknownHost = logmill(['count', '--url', 'http://collector.invalid:4318', '--key', 'some-key']);
    expect(unknownHost.stderr).toMatch(/^logmill: cannot reach the collector at http:\/\/collector\.invalid:4318: (no such host \(ENOTFOUND\)|the host name could not be resolved now \(EAI_AGAIN\))\n$/);
    const noScheme = logmill(['count', '--url', 'localhost:4318', '--key', 'some-key']);
    expect(noScheme.stderr).toBe('logmill: the collector\'s URL is http://HOST:PORT (or https://), not "localhost:4318"\n');
  });

  it("refuses a short key in plain words, naming the minimum, and recognises the manual's placeholder", () => {
    const config = join(temporaryDirectory('short-key'), 'logmill.json');
    writeFileSync(config, JSON.stringify({ keys: { ingest: [{ key: 'lm_ingest_…' }], admin: ['an-admin-key-long-enough'] } }));
    const run = logmill(['serve', '--config', config, '--data', temporaryDirectory('short-key-data'), '--port', '0']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('logmill: an ingest key must be at least 16 characters long; one configured has 11 (the manual\'s "…" stands for a secret of your own). Generate one with: openssl rand -base64 24\n');
    const read = logmill(['serve', '--data', temporaryDirectory('short-key-data'), '--port', '0'], { env: { LOGMILL_READ_KEY: 'short' } });
    expect(read.stderr).toContain('logmill: a read key must be at least 16 characters long; one configured has 5.');
  });
});
