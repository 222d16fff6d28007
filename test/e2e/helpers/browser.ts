/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), and a static server
 * that serves the built runtime to pages on their own origin.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export const repository = fileURLToPath(new URL('../../../', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    // launch() gives every browser a fresh temporary profile (user-data-dir) of its own.
  });
}

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json', '.json': 'application/json' };

/**
 * The package's `browser` field: files a bundler swaps for their page versions. The server swaps
 * them too, so pages run what a bundled app would run.
 */
const browserSwaps = new Map(
  Object.entries((JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as { browser?: Record<string, string> }).browser ?? {})
    .map(([from, to]) => [from.replace(/^\./, ''), to.replace(/^\./, '')]),
);

/** Serves `/dist/...` from the repository (with the `browser` field's swaps) and `pages[path]` as HTML. */
export async function staticServer(pages: Record<string, string>, port = 0): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const requested = new URL(request.url ?? '/', 'http://localhost').pathname;
    const path = browserSwaps.get(requested) ?? requested;
    if (pages[path] !== undefined) {
      response.writeHead(200, { 'content-type': 'text/html' }).end(pages[path]);
      return;
    }
    const file = normalize(join(repository, path));
    if (!path.startsWith('/dist/') || !file.startsWith(repository)) {
      response.writeHead(404).end();
      return;
    }
    try {
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
