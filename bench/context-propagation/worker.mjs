// Runs one mode in its own process: warm up, then time `iterations` sequential chains.
import { pathToFileURL } from 'node:url';

const [modulePath, iterationsText, fallback] = process.argv.slice(2);
const iterations = Number(iterationsText);
if (fallback === 'fallback-on') {
  const logmill = await import('logmill');
  logmill.configureContext({ asyncLocalStorage: 'always' });
  // One run() anywhere is what turns on Node 20's promise hook.
  logmill.withContext({ benchmark: true }, () => undefined);
}
const { level0: chain } = await import(pathToFileURL(modulePath).href);
let level0 = chain;
if (fallback === 'per-request') {
  // Each chain runs under its own context, as a request handler's would: no context of the chain
  // can be reused from the previous iteration. The fallback stays off (its cost is its own row).
  const { configureContext, withContext } = await import('logmill');
  configureContext({ asyncLocalStorage: 'never' });
  level0 = (i) => withContext({ request: i }, () => chain(i));
}
let checksum = 0;
for (let i = 0; i < 20_000; i++) checksum += await level0(i);
const start = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) checksum += await level0(i);
const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms: elapsed, checksum }) + '\n');
