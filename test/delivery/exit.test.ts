/**
 * A process that logs and ends without calling flush(): with the collector up its events arrive;
 * with the collector down (refusing connections, or accepting them and never answering) it exits
 * promptly rather than after the 10 s send timeout, says on stderr which collector did not take how
 * many events and where they were spooled, and the next process with the same collector and key
 * sends them. Runs the built runtime (dist/) in child processes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';

const runtime = join(repositoryRoot, 'dist/esm/runtime/node.js');
const key = 'lm_ingest_exit_exit_exit_exit';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
}

async function closedPort(): Promise<string> {
  const url = await listen(() => undefined);
  await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
  return url;
}

/** Runs an app that logs `message` and ends without flushing; its wall time, stderr and stdout. */
function runApp(url: string, temporary: string, message: string, sinkOptions = ''): ReturnType<typeof runNode> {
  const source = [
    `import { log, httpSink } from ${JSON.stringify(runtime)};`,
    `const sink = httpSink({ url: process.env.COLLECTOR, key: ${JSON.stringify(key)}${sinkOptions} });`,
    `log.info('app says %s', ${JSON.stringify(message)});`,
    "process.on('exit', () => console.log(JSON.stringify(sink.statistics)));",
  ].join('\n');
  return runNode(['--input-type=module', '-e', source], { COLLECTOR: url, TMPDIR: temporary });
}

function runNode(args: string[], env: Record<string, string>): Promise<{ milliseconds: number; stderr: string; stdout: string; status: number | null }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ milliseconds: performance.now() - started, stderr, stdout, status })));
}

/** Runs a module file (a worker can load it again by its URL) with TAG set. */
function runFile(file: string, url: string, temporary: string, tag: string): ReturnType<typeof runNode> {
  return runNode([file], { COLLECTOR: url, TMPDIR: temporary, TAG: tag });
}

function spooledBatches(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ndjson'));
}

describe('an app that ends without flush()', () => {
  it('delivers its events at exit when the collector is up', async () => {
    const received: string[] = [];
    const url = await listen((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(...body.split('\n').filter(Boolean));
        response.writeHead(200).end('{}');
      });
    });
    const ran = await runApp(url, mkdtempSync(join(tmpdir(), 'logmill-exit-')), 'up', ', compress: false');
    expect(ran.status).toBe(0);
    expect(ran.stderr).toBe('');
    expect(received.map((line) => (JSON.parse(line) as { args: string[] }).args)).toEqual([['up']]);
  });

  it('exits promptly when the collector refuses connections, naming the collector and the spool', async () => {
    const url = await closedPort();
    const temporary = mkdtempSync(join(tmpdir(), 'logmill-exit-'));
    const ran = await runApp(url, temporary, 'down');
    expect(ran.status).toBe(0);
    // The send timeout is 10 s; the exit does not wait for it, nor for retries.
    expect(ran.milliseconds).toBeLessThan(4_000);
    const spool = join(temporary, `logmill-${process.getuid!()}`, 'spool');
    expect(ran.stderr).toMatch(new RegExp(`^logmill: exiting with 1 events the collector at ${url}/v1/events did not acknowledge \\(fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\); they are spooled in ${spool}/[0-9a-f]{32}/p\\d+-t0-[0-9a-f-]{36} and sent by the next process that starts with the same collector and key\\n$`));
    expect(spooledBatches(spool)).toHaveLength(1);
  });

  it('exits after exitTimeout when the collector accepts and never answers, and the next start sends what was spooled', async () => {
    let answering = false;
    const received: string[] = [];
    const url = await listen((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (!answering) return; // holds the request open, as a hung collector does
        received.push(...body.split('\n').filter(Boolean));
        response.writeHead(200).end('{}');
      });
    });
    const temporary = mkdtempSync(join(tmpdir(), 'logmill-exit-'));
    const hung = await runApp(url, temporary, 'first', ', exitTimeout: 300, compress: false');
    expect(hung.status).toBe(0);
    expect(hung.milliseconds).toBeLessThan(4_000);
    expect(hung.stderr).toMatch(/^logmill: exiting with 1 events the collector at .* did not acknowledge \(no answer within exitTimeout, 300 ms\); they are spooled in /);
    answering = true;
    const next = await runApp(url, temporary, 'second', ', compress: false');
    expect(next.stderr).toBe('');
    expect(received.map((line) => (JSON.parse(line) as { args: string[] }).args[0]).sort()).toEqual(['first', 'second']);
    expect(spooledBatches(join(temporary, `logmill-${process.getuid!()}`, 'spool'))).toEqual([]);
  });

  it('keeps the batches of every thread that logged during an outage: a worker\'s sink never takes or deletes the main thread\'s spool', async () => {
    // Sinks do not cross threads, so each thread makes its own; they share the process's pid.
    const source = [
      "import { Worker, isMainThread } from 'node:worker_threads';",
      `import { log, httpSink } from ${JSON.stringify(runtime)};`,
      `const sink = httpSink({ url: process.env.COLLECTOR, key: ${JSON.stringify(key)}, timeout: 500, compress: false });`,
      "const who = isMainThread ? 'main' : 'worker';",
      "for (let index = 0; index < 5; index++) log.info('%s %s %d', process.env.TAG, who, index);",
      'if (isMainThread) {',
      '  const worker = new Worker(new URL(import.meta.url), { env: process.env });',
      "  await new Promise((resolve) => worker.once('exit', resolve));",
      '}',
      'await sink.flush(300);',
    ].join('\n');
    const received: string[] = [];
    let up = false;
    const url = await listen((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (!up) return void response.writeHead(503).end('{}');
        received.push(...body.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { args: unknown[] }).args.join(' ')));
        response.writeHead(200).end('{}');
      });
    });
    const temporary = mkdtempSync(join(tmpdir(), 'logmill-threads-'));
    const file = join(temporary, 'app.mjs');
    writeFileSync(file, source);
    const down = await runFile(file, url, temporary, 'down');
    expect(down.status).toBe(0);
    // Each thread says where its own events wait, and both directories hold them.
    const named = [...down.stderr.matchAll(/they are spooled in (\S+) /g)].map((match) => match[1]!);
    expect(named).toHaveLength(2);
    for (const directory of named) expect(spooledBatches(directory).length, directory).toBeGreaterThan(0);
    up = true;
    const next = await runFile(file, url, temporary, 'up');
    expect(next.stderr).toBe('');
    const expected = ['down', 'up'].flatMap((tag) => ['main', 'worker'].flatMap((who) => [0, 1, 2, 3, 4].map((index) => `${tag} ${who} ${index}`)));
    expect([...new Set(received)].sort()).toEqual(expected.sort());
  });
});

describe('an app that ends by process.exit() or an uncaught exception', () => {
  /** An app that logs `message`, then ends as `ending` says, with no asynchronous code after it. */
  function runEnding(url: string, temporary: string, message: string, ending: string): ReturnType<typeof runNode> {
    const source = [
      `import { log, httpSink } from ${JSON.stringify(runtime)};`,
      `httpSink({ url: process.env.COLLECTOR, key: ${JSON.stringify(key)}, compress: false });`,
      `log.info('app says %s', ${JSON.stringify(message)});`,
      ending,
    ].join('\n');
    return runNode(['--input-type=module', '-e', source], { COLLECTOR: url, TMPDIR: temporary });
  }
  const collecting = async (received: string[]) => listen((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(...body.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { args: string[] }).args[0]!));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1}');
    });
  });

  it('delivers what it logged before process.exit(), silently, and leaves no spool behind', async () => {
    const received: string[] = [];
    const url = await collecting(received);
    const temporary = mkdtempSync(join(tmpdir(), 'logmill-exit-'));
    const ran = await runEnding(url, temporary, 'exit now', 'process.exit(0);');
    expect(ran.status).toBe(0);
    expect(ran.stderr).toBe('');
    expect(received).toEqual(['exit now']);
    expect(spooledBatches(join(temporary, `logmill-${process.getuid!()}`, 'spool'))).toEqual([]);
  });

  it('delivers what it logged before an uncaught exception', async () => {
    const received: string[] = [];
    const url = await collecting(received);
    const temporary = mkdtempSync(join(tmpdir(), 'logmill-exit-'));
    const ran = await runEnding(url, temporary, 'crash now', "throw new Error('boom');");
    expect(ran.status).toBe(1);
    expect(ran.stderr).toContain('Error: boom');
    expect(ran.stderr).not.toContain('logmill:');
    expect(received).toEqual(['crash now']);
  });

  it('with the collector down, says where the events wait, and the next start sends them', async () => {
    const down = await closedPort();
    const temporary = mkdtempSync(join(tmpdir(), 'logmill-exit-'));
    const ran = await runEnding(down, temporary, 'while down', 'process.exit(3);');
    expect(ran.status).toBe(3);
    expect(ran.milliseconds).toBeLessThan(4_000);
    const spool = join(temporary, `logmill-${process.getuid!()}`, 'spool');
    expect(ran.stderr).toMatch(new RegExp(`^logmill: exiting with 1 events the collector at ${down}/v1/events did not acknowledge \\(.*ECONNREFUSED.*\\); they are spooled in ${spool}/`));
    expect(spooledBatches(spool)).toHaveLength(1);
    // The collector comes up at the same address: the next start sends the spooled event with its own.
    const received: string[] = [];
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(...body.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { args: string[] }).args[0]!));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server!.listen(Number(new URL(down).port), '127.0.0.1', resolve));
    const next = await runEnding(down, temporary, 'next', 'process.exit(0);');
    expect(next.stderr).toBe('');
    expect(received.sort()).toEqual(['next', 'while down']);
    expect(spooledBatches(spool)).toEqual([]);
  });
});
