/**
 * Installs AsyncLocalStorage as the ambient fallback on Node. Nothing is created until the fallback
 * is first wanted: on Node 20 the first `AsyncLocalStorage.run` installs a promise hook that slows
 * every await in the process, so instrumented code never touches it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type AmbientFallback, type LogmillContext, registry } from './context.js';

function createFallback(): AmbientFallback {
  const storage = new AsyncLocalStorage<LogmillContext>();
  return {
    get: () => storage.getStore(),
    run: (context, fn) => storage.run(context, fn),
    enterWith: (context) => storage.enterWith(context!),
  };
}

registry.enableFallback = () => {
  registry.fallback ??= createFallback();
  registry.fallbackEnabled = true;
  return true;
};
