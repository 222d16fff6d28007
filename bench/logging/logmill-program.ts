// Logmill in the logging benchmark: compiled with the transformer, so every call carries its
// build-time call site and its context (a request variable and the logical stack).
import { configureLogging, log, ndjsonSink, withContext } from 'logmill';

async function handle(iterations: number, level: 'info' | 'debug'): Promise<void> {
  const child = log.with({ service: 'checkout', region: 'eu-west-1', shard: 3 });
  if (level === 'info') {
    for (let i = 0; i < iterations; i++) child.info('request %s handled', i);
  } else {
    for (let i = 0; i < iterations; i++) child.debug('request %s handled', i);
  }
}

export async function run(iterations: number, level: 'info' | 'debug'): Promise<() => Promise<void>> {
  configureLogging({ level: 'info' });
  const sink = ndjsonSink({ destination: '/dev/null' });
  await withContext({ requestId: 'req-1' }, () => handle(iterations, level));
  return async () => {
    await sink.flush();
    sink.close();
  };
}
