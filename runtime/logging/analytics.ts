/** Analytic events: the raw material for funnels and experiment results. */
import { type LogmillContext, ambientContext, childWithVariables, registry } from '../context.js';
import { emitEvent } from '../events.js';
import { frozenMerge } from '../frozen-merge.js';
import { loggingState } from './configure.js';
import type { CallSite } from './event.js';

/**
 * The properties of an event stamped at `site`, over its module's fields (the event's own win), as
 * a log call's attributes are.
 */
export function withSiteModuleFields(site: CallSite | undefined, properties: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const fields = site === undefined ? undefined : loggingState.moduleFields.get(site.module);
  return fields === undefined ? properties : frozenMerge(fields, properties);
}

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

/**
 * `event` as the transformer emits it: `event(name, properties)` → `eventAt(site, context, name,
 * properties)`, with the call's site and the caller's context (undefined outside instrumented functions).
 */
export function eventAt(site: CallSite, context: LogmillContext | undefined, name: string, properties: Readonly<Record<string, unknown>> = {}): void {
  if (typeof name !== 'string' || name.length === 0) return;
  emitEvent('event', name, withSiteModuleFields(site, properties), context, site);
}

/**
 * `identify` as the transformer emits it, with the call's site; returns the context the calling
 * activation switches to (the caller's context, or the ambient one outside instrumented functions).
 */
export function identifyAt(site: CallSite, context: LogmillContext | undefined, userId: string, traits: Readonly<Record<string, unknown>> = {}): LogmillContext {
  const child = identifyIn(context ?? ambientContext(), userId, traits, site);
  // In an activation, whose slot mirrors into AsyncLocalStorage (hooks.ts `mirroredSlot`) and
  // hands the store back when it suspends: library calls made next keep the user.
  if (context !== undefined && child !== context && registry.fallbackEnabled) registry.fallback?.enterWith?.(child);
  return child;
}

/** `identify` for instrumented code: returns the context the calling activation switches to. */
export function identifyIn(context: LogmillContext, userId: string, traits: Readonly<Record<string, unknown>> = {}, site?: CallSite): LogmillContext {
  // Like event(), a logging call that never throws: an id that is not one (undefined, '', an
  // object) identifies nobody, rather than lumping every such user under "undefined".
  const kind = typeof userId;
  if (!((kind === 'string' && userId !== '') || kind === 'number' || kind === 'bigint')) return context;
  const child = childWithVariables(context, { userId: String(userId) });
  registry.current = child;
  emitEvent('event', '$identify', withSiteModuleFields(site, { userId: String(userId), traits }), child, site);
  return child;
}
