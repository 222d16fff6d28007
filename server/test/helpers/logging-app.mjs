// A small app for fault tests: logs COUNT events through the HTTP sink at a steady pace, records
// every event id it logged in IDS_FILE, then flushes (unless EXIT_WITHOUT_FLUSH) and prints the
// sink's statistics as one JSON line.
import { appendFileSync } from 'node:fs';
import { httpSink, log, memorySink } from 'logmill';

const env = process.env;
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
  process.stdout.write(`${JSON.stringify(sink.statistics)}\n`);
  process.exit(0);
}
const flushed = await sink.close(Number(env.FLUSH_TIMEOUT ?? 120000));
process.stdout.write(`${JSON.stringify({ flushed, ...sink.statistics })}\n`);
