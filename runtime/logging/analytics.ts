/** Analytic events: the raw material for funnels and experiment results. */
import { type LogmillContext, ambientContext, childWithVariables, registry } from '../context.js';
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

/**
 * Identifies the user for everything below: sets the `userId` context variable (and records an
 * `$identify` event with the traits). With the transformer, the calling async function itself
 * switches to the new context, so every await and call after this line carries it; without it,
 * only code running synchronously below sees it — wrap the work in `withContext({ userId }, ...)`.
 *
 * @example identify(session.userId, { plan: 'pro' })
 */
export function identify(userId: string, traits: Readonly<Record<string, unknown>> = {}): void {
  identifyIn(ambientContext(), userId, traits);
}

/** `identify` for instrumented code: returns the context the calling activation switches to. */
export function identifyIn(context: LogmillContext, userId: string, traits: Readonly<Record<string, unknown>> = {}): LogmillContext {
  // Like event(), a logging call that never throws: an id that is not one (undefined, '', an
  // object) identifies nobody, rather than lumping every such user under "undefined".
  const kind = typeof userId;
  if (!((kind === 'string' && userId !== '') || kind === 'number' || kind === 'bigint')) return context;
  const child = childWithVariables(context, { userId: String(userId) });
  registry.current = child;
  emitEvent('event', '$identify', { userId: String(userId), traits }, child);
  return child;
}
