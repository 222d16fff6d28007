/**
 * Starts the real collector (`logmill serve`, the built CLI) as a child process on loopback, the
 * way users run it, and reads its address from what it prints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export const keys = {
  ingest: 'test-ingest-key-0123456789',
  read: 'test-read-key-0123456789',
  admin: 'test-admin-key-0123456789',
};

export interface CollectorProcess {
  url: string;
  port: number;
  data: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill(): Promise<void>;
}

export interface StartOptions {
  data?: string;
  port?: number;
  env?: Record<string, string>;
  args?: string[];
  /** Configure the test keys through the environment (default true). */
  withKeys?: boolean;
  /** The working directory of `logmill serve` (default: this process's). */
  cwd?: string;
}

/** A free loopback port (for restarting a collector on the same address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `logmill-${prefix}-`));
}

export async function startCollector(options: StartOptions = {}): Promise<CollectorProcess> {
  const data = options.data ?? temporaryDirectory('data');
  const env: Record<string, string> = { ...process.env as Record<string, string>, ...options.env };
  if (options.withKeys !== false) {
    env['LOGMILL_INGEST_KEY'] ??= keys.ingest;
    env['LOGMILL_READ_KEY'] ??= keys.read;
    env['LOGMILL_ADMIN_KEY'] ??= keys.admin;
  }
  const child = spawn(process.execPath, [cliPath, 'serve', '--data', data, '--port', String(options.port ?? 0), ...(options.args ?? [])], {
    env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the collector did not start:\n${output}`)), 30_000);
    const check = (): void => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the collector exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    data,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** POSTs to the collector and returns status and parsed JSON body. */
export async function post(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body as unknown as string });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Reads through a second DuckDB connection is impossible while the collector holds the file, so
 * tests read stored events back over HTTP with the admin key. */
export async function storedEvent(url: string, id: string): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(`${url}/api/events/${id}`, { headers: { authorization: `Bearer ${keys.admin}` } });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`reading ${id}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** A metric's value from `/metrics` (summing every label set). */
export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${keys.admin}` } })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
