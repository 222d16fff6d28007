/**
 * Front-end error reporting: `window.onerror` and `unhandledrejection` become ERROR events in the
 * context where the failing code was running (the innermost instrumented activation the error left,
 * as `contextOfThrown` knows it), with the last console messages as breadcrumbs and the tab's
 * session id. The page's own handlers and the console keep working as before.
 */
import { ambientContext } from './context.js';
import { emitLog } from './events.js';
import { severityNumbers } from './logging/levels.js';
import { uuidv7 } from './logging/uuid.js';
import { setSessionId } from './session.js';
import { contextOfThrown } from './thrown.js';

export interface ErrorCaptureOptions {
  /** How many recent console messages to attach to each report (default 20; 0 turns them off). */
  breadcrumbs?: number | undefined;
  /** The session id; default: one per tab, kept in sessionStorage across reloads. */
  sessionId?: string | undefined;
}

interface Breadcrumb {
  ts: number;
  level: string;
  message: string;
}

const consoleLevels = ['debug', 'log', 'info', 'warn', 'error'] as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function tabSession(): string {
  try {
    const stored = sessionStorage.getItem('logmill.session');
    if (stored !== null) return stored;
    const id = uuidv7();
    sessionStorage.setItem('logmill.session', id);
    return id;
  } catch {
    // Storage can be denied (privacy modes, sandboxed frames): a session per page load then.
    return uuidv7();
  }
}

/**
 * Starts reporting uncaught errors and unhandled rejections; returns a function that stops it and
 * puts the console back.
 *
 * @example captureErrors(); browserSink({ url, key });
 */
export function captureErrors(options: ErrorCaptureOptions = {}): () => void {
  const limit = options.breadcrumbs ?? 20;
  const breadcrumbs: Breadcrumb[] = [];
  setSessionId(options.sessionId ?? tabSession());
  const originals = new Map<string, (...args: unknown[]) => void>();
  if (limit > 0) {
    for (const level of consoleLevels) {
      const original = console[level] as (...args: unknown[]) => void;
      originals.set(level, original);
      console[level] = function (this: Console, ...args: unknown[]) {
        breadcrumbs.push({ ts: Date.now(), level, message: args.map(describe).join(' ').slice(0, 300) });
        if (breadcrumbs.length > limit) breadcrumbs.shift();
        return original.apply(this, args);
      } as Console[typeof level];
    }
  }
  const report = (mechanism: string, template: string, error: unknown) => {
    emitLog('log', template, severityNumbers.error, template, [error], { mechanism, breadcrumbs: [...breadcrumbs] }, contextOfThrown(error) ?? ambientContext(), undefined);
  };
  const onError = (event: ErrorEvent) => report('onerror', 'uncaught %s', event.error ?? event.message);
  const onRejection = (event: PromiseRejectionEvent) => report('unhandledrejection', 'unhandled rejection %s', event.reason);
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  return () => {
    removeEventListener('error', onError);
    removeEventListener('unhandledrejection', onRejection);
    for (const [level, original] of originals) console[level as (typeof consoleLevels)[number]] = original;
  };
}
