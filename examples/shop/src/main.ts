// The demo shop: concurrent requests through instrumented code. Every event printed below carries
// its request's variables, its logical async call stack and its call site, with no logging code
// passing them.
import { prettySink, withContext } from 'logmill';
import { submitOrder } from './api/checkout/submit.js';

async function handleRequest(requestId: string, items: string[]): Promise<string> {
  return withContext({ requestId, userId: `user-${requestId.slice(-1)}` }, () => submitOrder(`order-${requestId}`, items));
}

async function main(): Promise<void> {
  prettySink({ stack: 'always' });
  const results = await Promise.all([
    handleRequest('r1', ['book', 'lamp']),
    handleRequest('r2', ['book']),
    handleRequest('r3', ['desk', 'book']),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  console.log(`\nresults: ${results.join(', ')}`);
}

void main();
