/**
 * `captureErrors` for every entry: code shared between server and page (server-side rendering,
 * tests under Node) calls it everywhere, and the browser build also runs where there is no window
 * to listen on (React Native, `node --conditions=browser`); there it does nothing.
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
