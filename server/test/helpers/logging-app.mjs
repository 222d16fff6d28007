// A small app for fault tests: logs COUNT events through the HTTP sink at a steady pace, records
// every event id it logged in IDS_FILE, then flushes (unless EXIT_WITHOUT_FLUSH) and prints the
// sink's statistics as one JSON line, with the app's own elapsed time (`elapsed`, ms).
//
// CLOCK_RATE runs the app's clock faster than the wall's: with 60, each timer fires after 1/60 of
// its delay and Date.now advances 60 ms per real ms, so a minute of logging, backing off and
// retrying passes in a second. The clock is in place before the runtime loads, so the sink's
// batching, backoff and flush timeouts all run on it.
import { appendFileSync } from 'node:fs';

const env = process.env;
const rate = Number(env.CLOCK_RATE ?? 1);
if (rate !== 1) {
  const realSetTimeout = globalThis.setTimeout;
  const realNow = Date.now;
  const start = realNow();
  globalThis.setTimeout = (callback, delay = 0, ...args) => realSetTimeout(callback, delay / rate, ...args);
  Date.now = () => start + Math.round((realNow() - start) * rate);
}
const startedAt = Date.now();
const { httpSink, log, memorySink } = await import('logmill');
const count = Number(env.COUNT);
const perTick = Number(env.PER_TICK ?? 100);
const tick = Number(env.TICK_MS ?? 10);
const sink = httpSink({
  url: env.URL,
  key: env.KEY,
  spool: env.SPOOL,
  flushInterval: 100,
  initialBackoff: 50,
  maxBackoff: 1000,
  onProblem: () => undefined,
});
const ids = memorySink();
let logged = 0;
while (logged < count) {
  for (let index = 0; index < perTick && logged < count; index++, logged++) {
    log.with({ app: env.APP_NAME ?? 'app', seq: logged }).info('event %d from %s', logged, env.APP_NAME ?? 'app');
  }
  appendFileSync(env.IDS_FILE, ids.events.map((event) => `${event.id}\n`).join(''));
  ids.clear();
  await new Promise((resolve) => setTimeout(resolve, tick));
}
if (env.EXIT_WITHOUT_FLUSH === '1') {
  process.stdout.write(`${JSON.stringify({ ...sink.statistics, elapsed: Date.now() - startedAt })}\n`);
  process.exit(0);
}
const flushed = await sink.close(Number(env.FLUSH_TIMEOUT ?? 120000));
process.stdout.write(`${JSON.stringify({ flushed, ...sink.statistics, elapsed: Date.now() - startedAt })}\n`);
