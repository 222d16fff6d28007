import { contextVariables, emitEvent, event, experiment, log } from 'logmill';
import { reserve } from '../../store/inventory.js';
import { charge, settlements } from './payment.js';

const prices: Record<string, number> = { book: 1_500, lamp: 60_000, desk: 20_000 };

export async function submitOrder(orderId: string, items: string[]): Promise<string> {
  // One variant per user, so a returning user stays in their arm.
  const user = String(contextVariables()['userId'] ?? orderId);
  const variant = user.charCodeAt(user.length - 1) % 2 === 1 ? 'B' : 'A';
  return experiment('checkout-v2', variant, async () => {
    event('cart viewed', { items: items.length });
    settlements.once('settled', (settled: string) => {
      if (settled === orderId) emitEvent('event', 'order settled', { orderId });
    });
    const reserved = await Promise.all(items.map(async (item) => ((await reserve(item)) ? item : undefined)));
    const total = reserved.reduce((sum, item) => sum + (item === undefined ? 0 : prices[item]!), 0);
    // Variant B's one-page checkout loses fewer people between the cart and the payment.
    if (Math.random() < (variant === 'B' ? 0.1 : 0.3)) return 'abandoned';
    event('checkout started', { items: reserved.filter((item) => item !== undefined).length, cents: total });
    try {
      const charged = await charge(orderId, total);
      event('order placed', { orderId, cents: total });
      return charged;
    } catch (error) {
      log.error('checkout failed for %s', orderId, error);
      return 'failed';
    }
  });
}
