// The demo shop: concurrent requests through instrumented code. Every event carries its request's
// variables, its logical async call stack and its call site, with no logging code passing them.
// With LOGMILL_URL and LOGMILL_INGEST_KEY set, events also go to a Logmill collector; with
// DEMO_LIVE=1 as well, the shop keeps serving a few requests a second until it is stopped.
import { httpSink, prettySink, withContext } from 'logmill';
import { submitOrder } from './api/checkout/submit.js';
import { restock } from './store/inventory.js';

async function handleRequest(requestId: string, items: string[], userId = `user-${requestId.slice(-2)}`): Promise<string> {
  return withContext({ requestId, userId }, () => submitOrder(`order-${requestId}`, items));
}

/** A steady trickle of shoppers (300 of them) for the live dashboard, until SIGTERM. */
async function serveLive(): Promise<void> {
  let stopped = false;
  process.once('SIGTERM', () => (stopped = true));
  process.once('SIGINT', () => (stopped = true));
  for (let index = 0; !stopped; index++) {
    if (index % 3 === 0) restock();
    const items = catalogue.filter(() => Math.random() < 0.5);
    void handleRequest(`live-${index}`, items, `shopper-${Math.floor(Math.random() * 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
  }
}

const catalogue = ['book', 'lamp', 'desk'];

async function main(): Promise<void> {
  const url = process.env['LOGMILL_URL'];
  const key = process.env['LOGMILL_INGEST_KEY'];
  // A short flush interval: the dashboard's live tail shows events within a second.
  const sink = url !== undefined && key !== undefined ? httpSink({ url, key, flushInterval: 250 }) : undefined;
  // Three requests printed in full; the rest only go to the collector.
  const stopPrinting = prettySink({ stack: 'always' });
  const shown = await Promise.all([handleRequest('r1', ['book', 'lamp']), handleRequest('r2', ['book']), handleRequest('r3', ['desk', 'book'])]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  stopPrinting();
  console.log(`\nresults: ${shown.join(', ')}`);
  if (sink === undefined) return;
  const requests = Number(process.env['DEMO_REQUESTS'] ?? 200);
  const results = await Promise.all(
    Array.from({ length: requests }, (_, index) => handleRequest(`r${index + 4}`, catalogue.filter((_, item) => (index >> item) & 1))),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (process.env['DEMO_LIVE'] === '1') await serveLive();
  const delivered = await sink.close(30_000);
  console.log(`${requests} more requests (${results.filter((result) => result === 'failed').length} failed checkouts); ${sink.statistics.delivered} events delivered to ${url}${delivered ? '' : ' (some still spooled)'}`);
}

void main();
