// The demo shop: concurrent requests through instrumented code. Every event carries its request's
// variables, its logical async call stack and its call site, with no logging code passing them.
// With LOGMILL_URL and LOGMILL_INGEST_KEY set, events also go to a Logmill collector.
import { httpSink, prettySink, withContext } from 'logmill';
import { submitOrder } from './api/checkout/submit.js';

async function handleRequest(requestId: string, items: string[]): Promise<string> {
  return withContext({ requestId, userId: `user-${requestId.slice(-2)}` }, () => submitOrder(`order-${requestId}`, items));
}

const catalogue = ['book', 'lamp', 'desk'];

async function main(): Promise<void> {
  const url = process.env['LOGMILL_URL'];
  const key = process.env['LOGMILL_INGEST_KEY'];
  const sink = url !== undefined && key !== undefined ? httpSink({ url, key }) : undefined;
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
  const delivered = await sink.close(30_000);
  console.log(`${requests} more requests (${results.filter((result) => result === 'failed').length} failed checkouts); ${sink.statistics.delivered} events delivered to ${url}${delivered ? '' : ' (some still spooled)'}`);
}

void main();
