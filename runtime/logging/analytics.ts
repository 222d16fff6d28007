/** Analytic events: the raw material for funnels and experiment results. */
import { emitEvent } from '../events.js';

/**
 * Records a product event, tagged with the context in force (user, session, experiment variants).
 *
 * @example event('checkout started', { cartValue: 42.5, items: 3 })
 */
export function event(name: string, properties: Readonly<Record<string, unknown>> = {}): void {
  if (typeof name !== 'string' || name.length === 0) return;
  emitEvent('event', name, properties);
}
