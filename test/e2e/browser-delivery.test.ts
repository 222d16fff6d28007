/**
 * The browser build delivering to a real collector from a page on another origin, in Debian's
 * Chromium: simple `text/plain` requests with no CORS preflight, keepalive fetches and beacons as
 * the page goes away (and what the browser refused to keep alive sent once it is back), and an
 * origin the collector does not know refused.
 */
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, freePort, keys, metric, startCollector, storedEvent } from '../../server/test/helpers/collector-process.js';
import { launchChromium, staticServer } from './helpers/browser.js';

let browser: Browser;
let collector: CollectorProcess;
let site: { origin: string; close(): Promise<void> };
let strangerSite: { origin: string; close(): Promise<void> };
/** Takes requests and never answers them: a keepalive request to it holds the page's keepalive quota. */
let hanging: Server;
let hangingUrl: string;

const page = (collectorUrl: string) => `<!doctype html><meta charset="utf-8"><title>shop</title>
<script type="module">
  import { browserSink, log, memorySink } from '/dist/esm/runtime/browser.js';
  const options = Object.fromEntries(new URLSearchParams(location.search));
  window.ids = [];
  const ids = memorySink();
  window.sink = browserSink({ url: ${JSON.stringify(collectorUrl)}, key: ${JSON.stringify(keys.ingest)}, flushInterval: Number(options.interval ?? 100), unload: options.unload ?? 'keepalive', onProblem: () => {} });
  window.logMany = (count, size) => {
    for (let index = 0; index < count; index++) log.info('clicked %s %d', 'x'.repeat(size ?? 10), index);
    window.ids.push(...ids.events.map((event) => event.id));
    ids.clear();
  };
  window.logPriced = (user, total) => {
    log.info('%s paid %.2f EUR', user, total);
    const [event] = ids.events;
    ids.clear();
    return { id: event.id, message: event.message, rendered: event.messageRendered };
  };
  window.holdKeepaliveQuota = (url) => {
    void fetch(url, { method: 'POST', mode: 'no-cors', keepalive: true, body: 'x'.repeat(60 * 1024) }).catch(() => {});
  };
  window.ready = true;
</script>`;

async function open(origin: string, query = ''): Promise<Page> {
  const tab = await browser.newPage();
  await tab.goto(`${origin}/shop.html${query}`);
  await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return tab;
}

async function eventually(check: () => Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function allStored(ids: string[]): Promise<boolean> {
  for (const id of ids) if ((await storedEvent(collector.url, id)) === undefined) return false;
  return true;
}

beforeAll(async () => {
  const [sitePort, collectorPort] = [await freePort(), await freePort()];
  collector = await startCollector({ port: collectorPort, env: { LOGMILL_ALLOWED_ORIGINS: `http://127.0.0.1:${sitePort}` } });
  site = await staticServer({ '/shop.html': page(collector.url) }, sitePort);
  strangerSite = await staticServer({ '/shop.html': page(collector.url) });
  browser = await launchChromium();
  hanging = createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as { port: number }).port}/hold`;
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await strangerSite?.close();
  await collector?.stop();
  hanging?.closeAllConnections();
  hanging?.close();
});

describe('browser delivery', () => {
  it('sends batches as simple requests, with no CORS preflight', async () => {
    const preflights = () => metric(collector.url, 'logmill_request_duration_seconds_count{route="*",status="204"}');
    const preflightsBefore = await preflights();
    const tab = await open(site.origin);
    await tab.evaluate(() => (window as any).logMany(25));
    expect(await tab.evaluate(() => (window as any).sink.flush(5000))).toBe(true);
    const ids = await tab.evaluate(() => (window as any).ids as string[]);
    expect(ids).toHaveLength(25);
    // Minted by the page's UUIDv7 (the server swaps it in as a bundler would): in order, and unique.
    expect([...new Set(ids)].sort()).toEqual(ids);
    expect(await allStored(ids)).toBe(true);
    expect(await preflights()).toBe(preflightsBefore);
    await tab.close();
  });

  it('sends what is left with keepalive fetches when the page goes away', async () => {
    const tab = await open(site.origin, '?interval=600000');
    await tab.evaluate(() => (window as any).logMany(40, 200));
    const ids = await tab.evaluate(() => (window as any).ids as string[]);
    await tab.goto('about:blank');
    await eventually(() => allStored(ids));
    await tab.close();
  });

  it('sends what the browser refused to keep alive the normal way while the page lives', async () => {
    const tab = await open(site.origin, '?interval=600000');
    await tab.evaluate((url) => (window as any).holdKeepaliveQuota(url), hangingUrl);
    await tab.evaluate(() => (window as any).logMany(40, 200));
    const ids = await tab.evaluate(() => (window as any).ids as string[]);
    // As when the tab is hidden: the last send, while another request holds the keepalive quota.
    // What the browser refused is sent again the normal way, with nothing else logged or flushed.
    await tab.evaluate(() => (window as any).sink.sendBeforeUnload());
    await eventually(() => allStored(ids));
    expect(await tab.evaluate(() => (window as any).sink.statistics.queued)).toBe(0);
    await tab.close();
  });

  it('falls back to sendBeacon with a text/plain body', async () => {
    const tab = await open(site.origin, '?interval=600000&unload=beacon');
    await tab.evaluate(() => (window as any).logMany(30, 100));
    const ids = await tab.evaluate(() => (window as any).ids as string[]);
    await tab.close({ runBeforeUnload: true });
    await eventually(() => allStored(ids));
  });

  it('leaves messages past %s and %d to the collector, which renders them', async () => {
    const tab = await open(site.origin);
    const logged = await tab.evaluate(() => (window as any).logPriced('ann', 12.5) as { id: string; message: string; rendered: boolean });
    // The browser entry has no Python-exact formatter: the page keeps the template as the message.
    expect(logged).toMatchObject({ message: '%s paid %.2f EUR', rendered: false });
    expect(await tab.evaluate(() => (window as any).sink.flush(5000))).toBe(true);
    expect(await storedEvent(collector.url, logged.id)).toMatchObject({ template: '%s paid %.2f EUR', message: 'ann paid 12.50 EUR' });
    await tab.close();
  });

  it('is refused from an origin the collector does not allow', async () => {
    const tab = await open(strangerSite.origin);
    await tab.evaluate(() => (window as any).logMany(3));
    expect(await tab.evaluate(() => (window as any).sink.flush(1500))).toBe(false);
    const ids = await tab.evaluate(() => (window as any).ids as string[]);
    for (const id of ids) expect(await storedEvent(collector.url, id)).toBeUndefined();
    await tab.close();
  });
});
