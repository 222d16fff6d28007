/**
 * The session every event belongs to (a browser tab's visit, as Sentry and PostHog count them):
 * set once by the app or by `captureErrors`, written on every envelope as `sessionId`. A
 * `sessionId` context variable, where set, wins.
 */
import { invalidArgument } from './invalid-argument.js';
import { sharedState } from './shared-state.js';

const session = /* @__PURE__ */ sharedState<{ id: string | undefined }>('session.v1', () => ({ id: undefined }));

/** Sets (or clears) the session id written on every event from now on. */
export function setSessionId(id: string | undefined): void {
  if (id !== undefined && (typeof id !== 'string' || id === '')) throw invalidArgument('setSessionId takes a session id (a string), or undefined to clear it');
  session.id = id;
}

/** The session id in force, if any. */
export function currentSessionId(): string | undefined {
  return session.id;
}
