/**
 * `otlpExporter` in a short-lived process against the real collector: a process that logs and
 * ends without flush() exports what it logged, so does one that calls process.exit() at once, and
 * one whose collector is down exits promptly and says on stderr how many events were lost.
 */
import { spawn } from 'node:child_process';
import { type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, keys, startCollector, storedEvent } from './helpers/collector-process.js';

const runtime = fileURLToPath(new URL('../../dist/esm/runtime/node.js', import.meta.url));

let collector: CollectorProcess;
beforeAll(async () => {
  collector = await startCollector();
});
afterAll(async () => {
  await collector.stop();
});

/** Runs an app that logs two events through otlpExporter only, then runs `ending`; prints the events' ids. */
function runApp(url: string, ending: string, exporterOptions = ''): Promise<{ milliseconds: number; stderr: string; ids: string[]; status: number | null }> {
  const source = [
    `import { log, otlpExporter, memorySink } from ${JSON.stringify(runtime)};`,
    `otlpExporter({ url: ${JSON.stringify(url)}, headers: { authorization: 'Bearer ${keys.ingest}' }${exporterOptions} });`,
    'const memory = memorySink();',
    "log.info('short-lived %s', 'one');",
    "log.warn('short-lived %s', 'two');",
    'console.log(JSON.stringify(memory.events.map((event) => event.id)));',
    ending,
  ].join('\n');
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ milliseconds: performance.now() - started, stderr, ids: JSON.parse(stdout) as string[], status })));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('otlpExporter in a process that ends without flush()', () => {
  it('exports what the process logged when it runs out of work', async () => {
    const ran = await runApp(`${collector.url}/v1/logs`, '');
    expect(ran).toMatchObject({ status: 0, stderr: '' });
    for (const id of ran.ids) expect(await storedEvent(collector.url, id)).toMatchObject({ id, template: 'short-lived %s' });
  });

  it('exports it when the process calls process.exit() at once', async () => {
    const ran = await runApp(`${collector.url}/v1/logs`, 'process.exit(3);');
    expect(ran).toMatchObject({ status: 3, stderr: '' });
    for (const id of ran.ids) expect(await storedEvent(collector.url, id)).toMatchObject({ id });
  });

  it('exits promptly when the collector is down, and says on stderr how many events were lost and why', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/logs`;
    const ran = await runApp(url, '');
    expect(ran.status).toBe(0);
    expect(ran.milliseconds).toBeLessThan(4_000);
    expect(ran.stderr).toMatch(new RegExp(`^logmill: exiting with 2 events the OTLP collector at ${url} did not accept \\(fetch failed: connect ECONNREFUSED [^)]*\\); they are lost\\n$`));
    const exited = await runApp(url, 'process.exit(0);');
    expect(exited.stderr).toMatch(/^logmill: exiting with 2 events the OTLP collector at .* did not accept \(.*ECONNREFUSED.*\); they are lost\n$/);
  });

  it('gives up after exitTimeout when the collector accepts the request and never answers', async () => {
    const sockets: Socket[] = [];
    const hung = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hung.address() as { port: number }).port}/v1/logs`;
    const ran = await runApp(url, '', ', exitTimeout: 300');
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => hung.close(() => resolve()));
    expect(ran.status).toBe(0);
    expect(ran.milliseconds).toBeLessThan(3_000);
    expect(ran.stderr).toBe(`logmill: exiting with 2 events the OTLP collector at ${url} did not accept (no answer within exitTimeout, 300 ms); they are lost\n`);
  });
});
