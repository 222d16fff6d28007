/**
 * `captureErrors` for the shared and Node entries: code shared between server and page (server-side
 * rendering, tests under Node) calls it everywhere, and where there is no window to listen on it
 * does nothing. The browser entry uses `browser-errors.ts` directly and carries no such check.
 */
import { type ErrorCaptureOptions, captureErrors as captureInWindow } from './browser-errors.js';

export type { ErrorCaptureOptions };

/**
 * Starts reporting a page's uncaught errors and unhandled rejections; returns a function that stops
 * it and puts the console back. Without a window (Node) it does nothing.
 *
 * @example captureErrors(); browserSink({ url, key });
 */
export function captureErrors(options?: ErrorCaptureOptions): () => void {
  return typeof addEventListener === 'function' ? captureInWindow(options) : () => undefined;
}
