/** Realistic envelopes for tests and load, made by the real runtime so they match what apps send. */
import { envelopeJson, memorySink, log, withContext } from 'logmill';

/** `count` envelopes (JSON lines) as the runtime serializes them, tagged `seq` 0..count-1. */
export function envelopeLines(count: number, tag = 'test'): string[] {
  const sink = memorySink();
  try {
    withContext({ requestId: `${tag}-request`, userId: 'user-7', experiments: { 'checkout-v2': 'B' } }, () => {
      for (let seq = 0; seq < count; seq++) log.with({ seq, tag }).info('order %d paid by %s', seq, `user-${seq % 13}`);
    });
    return sink.events.map((event) => envelopeJson(event));
  } finally {
    sink.close();
  }
}
