/**
 * What the transformer emits calls to. The hottest part of the protocol, handing the ambient slot
 * back and forth around each suspension, is written inline against `slot` by the transformer (see
 * transformer/rewrite-suspension-points.ts); the calls here are the entry, the rare paths and the
 * callbacks. Only `enter` allocates: the one context a call adds to the logical stack, and only
 * when the parent's cached child is for another function.
 *
 * Per instrumented activation:
 *
 *   __logmillContext = enter(frame, __logmillContext, lexical)      // or inherit(...) without frames
 *   let __logmillOuter = slot.current; slot.current = __logmillContext;
 *   try {
 *     ... await x → (hand slot back to __logmillOuter; await; remember the resumer's slot as
 *                    __logmillOuter; take the slot) ...
 *     catch/finally blocks open with: __logmillOuter = reenter(__logmillContext, __logmillOuter)
 *   } finally { if (slot.current === __logmillContext) slot.current = __logmillOuter; }
 *
 * so the slot holds this activation's context exactly while its code runs synchronously.
 */
import { type Frame, type LogmillContext, Context, ambientContext, isContext, registry } from './context.js';

export type { Frame, LogmillContext } from './context.js';
/** Call-site records for log calls, emitted by the transformer. */
export { site } from './logging/logger.js';
/** `identify` inside instrumented code: the activation switches to the returned context. */
export { identifyIn } from './logging/analytics.js';
/** Analytic calls with their call sites: `event`, `identify` (the activation switches to the returned context), `experiment`. */
export { eventAt, identifyAt } from './logging/analytics.js';
export { experimentAt } from './api.js';
/** Functions' plain texts, for `toString` (transformer/keep-source-text.ts). */
export { sourceTexts } from './source-text.js';
/** Kept for code instrumented by earlier versions, whose bodies had a `catch` calling it. */
export { thrown } from './thrown.js';
/** `await using` blocks, lowered by the transformer so their disposal's await is visible. */
export { disposeResources, resources, resourcesFailed, useResource } from './resources.js';
/** `for…of` loops whose body can suspend, `for await` loops and `yield*` operands: their iterator's methods run in the activation's context. */
export { asyncIterableInContext, closeInContext, iterateInContext } from './iterate-in.js';

/**
 * A template literal's hole in an instrumented log call (`` log.info(`state ${o}`) `` →
 * `log.__logmillAt(site, ctx, "state %s", templateHole(o))`): an object, function or symbol is
 * made a string here, at the call, with the template literal's own conversion, so the message is
 * what the literal gave when it ran: a later change to the object does not show, `toString`,
 * `valueOf` or `Symbol.toPrimitive` runs once, where and as often as in the plain build (also
 * below the level), and a symbol throws the plain build's TypeError. Strings, numbers, booleans,
 * bigints, null and undefined read the same whenever they are rendered, so they pass as they are.
 */
export function templateHole(value: unknown): unknown {
  // `Object(value) === value` for objects and functions only; the browser bundle counts its bytes.
  return Object(value) === value || typeof value === 'symbol'
    ? // The literal's own conversion (a cast only for the checker, which rejects a symbol here).
      `${value as unknown as string}`
    : value;
}

/** Records a function's frame once, at module load. */
export function frame(name: string, module: string, file: string, line: number): Frame {
  return Object.freeze({ function: name, module, file, line });
}

/**
 * Chooses the parent for a new activation. First match wins: a genuine context passed as the hidden
 * argument; the lexical (creation) context, unless the ambient context is nested inside it (as it is
 * under `withContext` called from the same code); the ambient context.
 */
function parentFor(hidden: unknown, lexical: LogmillContext | undefined): LogmillContext {
  if (isContext(hidden)) return hidden;
  const ambient = ambientContext();
  if (lexical === undefined || ambient.isWithin(lexical)) return ambient;
  // Called from instrumented code running now (the slot is held): that caller's context, whatever
  // the function was created in. An async closure cached by one request and called by the next
  // works for the next one.
  if (registry.current !== undefined) return ambient;
  return lexical;
}

/** A logical stack deeper than this stops growing, so runaway async recursion cannot exhaust memory. */
const MAX_DEPTH = 512;

/**
 * Enters an instrumented function, adding `functionFrame` to the logical stack. The first lines are
 * the path almost every call takes (a caller passed its context, and entered this function from it
 * before), kept small so that V8 inlines them into the instrumented function.
 */
export function enter(functionFrame: Frame, hidden: unknown, lexical: LogmillContext | undefined): LogmillContext {
  return (isContext(hidden) ? cachedChild(hidden, functionFrame) : undefined) ?? enterChild(functionFrame, hidden, lexical);
}

/** The child `parent` last made, if it was for `functionFrame`. */
function cachedChild(parent: LogmillContext, functionFrame: Frame): LogmillContext | undefined {
  const cached = parent.lastChild;
  return cached !== undefined && cached.frame === functionFrame ? cached : undefined;
}

function enterChild(functionFrame: Frame, hidden: unknown, lexical: LogmillContext | undefined): LogmillContext {
  let parent = parentFor(hidden, lexical);
  // Direct recursion (a polling loop that calls itself) replaces its own frame instead of stacking.
  if (parent.frame === functionFrame && parent.parent !== undefined) parent = parent.parent;
  if (parent.depth >= MAX_DEPTH) return parent;
  return cachedChild(parent, functionFrame) ?? (parent.lastChild = new Context(parent, functionFrame, parent.variables));
}

/**
 * The hidden parameter's default in async generators, evaluated at the call (their body starts
 * only at the first `next()`): the context the call was made in, chosen as `enter` would.
 */
export function callerContext(lexical: LogmillContext | undefined): LogmillContext {
  return parentFor(undefined, lexical);
}

/** Enters an instrumented function without adding a frame (the `stack: false` option). */
export function inherit(hidden: unknown, lexical: LogmillContext | undefined): LogmillContext {
  return parentFor(hidden, lexical);
}

/** The ambient slot, written inline by instrumented code. */
export const slot: { current: LogmillContext | undefined } = registry;

/**
 * The slot of an activation that calls `identify()`. Where there is no AsyncLocalStorage it is the
 * slot itself; the Node entry mirrors its writes (node-mirrored-slot.ts).
 */
export function mirroredSlot(): { current: LogmillContext | undefined } {
  return registry;
}

/**
 * Opens a `catch` or `finally` block, which may run after a rejected await resumed the activation
 * without `resume`. Returns the new outer value.
 */
export function reenter(context: LogmillContext, outer: LogmillContext | undefined): LogmillContext | undefined {
  const current = registry.current;
  if (current === context) return outer;
  registry.current = context;
  return current;
}

/**
 * Opens a synchronous callback created in instrumented code: it runs in its creation context unless
 * the ambient context is nested inside that (for example `withContext` around it, or a plain
 * synchronous call from the code that created it).
 */
export function enterCallback(creation: LogmillContext): LogmillContext | undefined {
  const current = registry.current;
  if (current === creation) return current;
  const ambient = current ?? ambientContext();
  if (!ambient.isWithin(creation)) registry.current = creation;
  return current;
}

/** Closes a synchronous callback opened by `enterCallback`; at a return, passes its value through. */
export function restore<T>(outer: LogmillContext | undefined, value?: T): T | undefined {
  registry.current = outer;
  return value;
}

/**
 * The `finally` of a callback, or of an activation, whose returns restore the slot themselves:
 * finding it not restored, a throw is unwinding it. Hands the slot back and notes where (see
 * thrown.ts). An activation calls it only while the slot is its own (after a rejected await the
 * slot holds the resumer's context, which is not this activation's to note or replace).
 */
export function leave(outer: LogmillContext | undefined): void {
  const current = registry.current;
  if (current === outer) return;
  registry.current = outer;
  // The innermost activation a throw unwinds notes itself first; the ones around it keep its note.
  const noted = registry.abandoned;
  if (current !== undefined && (noted === undefined || !noted.isWithin(current))) registry.abandoned = current;
}
