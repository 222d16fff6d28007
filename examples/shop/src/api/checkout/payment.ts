import { EventEmitter } from 'node:events';
import { emitEvent, log, moduleFields } from 'logmill';

moduleFields({ team: 'payments' });

/** A payment provider that reports settlements on a shared bus, from whichever request settles. */
export const settlements = new EventEmitter();
// Every request in flight waits for its own settlement on this one bus.
settlements.setMaxListeners(0);

export async function charge(orderId: string, cents: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (cents > 50_000) throw new Error(`card declined for ${orderId}`, { cause: new Error('issuer answered 05: do not honour') });
  setImmediate(() => settlements.emit('settled', orderId));
  log.info(`charged ${cents} cents for ${orderId}`);
  emitEvent('event', 'payment charged', { orderId, cents });
  return `ch_${orderId}`;
}
