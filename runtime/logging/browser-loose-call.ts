/**
 * `loose-call.ts` for pages (the package's `browser` field maps it here): a template that is not a
 * string becomes one with `String`, and nothing more, because every byte of a page's bundle counts.
 */
import type { LogmillContext } from '../context.js';
import { emitLog } from '../events.js';
import type { CallSite } from './event.js';

export const emitCall = (
  severityNumber: number,
  template: unknown,
  args: readonly unknown[],
  attributes: Readonly<Record<string, unknown>>,
  context?: LogmillContext,
  site?: CallSite,
): void => emitLog('log', '', severityNumber, String(template), args, attributes, context, site);
