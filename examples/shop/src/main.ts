// The demo shop: concurrent requests through instrumented code. Every event printed below carries
// its request's variables and its logical async call stack, with no logging code passing them.
import { addSink, withContext, type LogmillEvent } from 'logmill';
import { submitOrder } from './api/checkout/submit.js';

const colour = process.stdout.isTTY ? (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m` : (_: number, text: string) => text;

function print(event: LogmillEvent): void {
  const vars = Object.entries(event.context.vars)
    .filter(([key]) => key !== 'experiments')
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  const stack = event.context.stack.map((frame) => `${frame.function} (${frame.module}:${frame.line})`).join(' ← ');
  console.log(`${colour(36, event.name.padEnd(16))} ${colour(33, JSON.stringify(event.attributes))}\n    ${colour(90, vars)}\n    ${colour(90, stack)}`);
}

async function handleRequest(requestId: string, items: string[]): Promise<string> {
  return withContext({ requestId, userId: `user-${requestId.slice(-1)}` }, () => submitOrder(`order-${requestId}`, items));
}

async function main(): Promise<void> {
  addSink(print);
  const results = await Promise.all([
    handleRequest('r1', ['book', 'lamp']),
    handleRequest('r2', ['book']),
    handleRequest('r3', ['desk', 'book']),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  console.log(`\nresults: ${results.join(', ')}`);
}

void main();
