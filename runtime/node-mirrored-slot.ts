import { type LogmillContext, registry } from './context.js';

/**
 * The slot of an activation that calls `identify()`: each write also goes to AsyncLocalStorage (Node),
 * so library code the activation calls, whose awaits the transform never saw, keeps the user. The
 * mirror is the activation's own: handing the slot back hands the store back too, to what the
 * caller had (or, resumed from the event loop, to the store it was entered with).
 */
export function mirroredSlot(): { current: LogmillContext | undefined } {
  if (!registry.fallbackEnabled && !registry.fallbackDisabledByUser) registry.enableFallback();
  const fallback = registry.fallback;
  const entered = registry.fallbackEnabled ? fallback?.get() : undefined;
  return {
    get current() {
      return registry.current;
    },
    set current(context) {
      registry.current = context;
      if (registry.fallbackEnabled) fallback?.enterWith?.(context ?? entered);
    },
  };
}
