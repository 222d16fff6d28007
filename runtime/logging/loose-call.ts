/**
 * A logger call, as the logger hands it to dispatch, including the calls TypeScript would refuse
 * that JavaScript callers and pino migrants write:
 *
 *   log.error(err)                      → template '%s', args [err]: the error keeps its stack and
 *                                         cause, and every such call groups under one template
 *   log.info({ orderId: 42 }, 'placed') → attributes { orderId: 42 } (over the logger's), template
 *                                         'placed', the remaining arguments as its args
 *
 * Anything else that is not a string becomes one with `String`. Pages get `browser-loose-call.ts`.
 */
import type { LogmillContext } from '../context.js';
import { emitLog } from '../events.js';
import type { CallSite } from './event.js';

export function emitCall(
  severityNumber: number,
  template: unknown,
  args: readonly unknown[],
  attributes: Readonly<Record<string, unknown>>,
  context?: LogmillContext,
  site?: CallSite,
): void {
  if (typeof template !== 'string') {
    if (template instanceof Error) {
      args = [template, ...args];
      template = '%s';
    } else if (template !== null && typeof template === 'object' && !Array.isArray(template)) {
      attributes = { ...attributes, ...template };
      template = typeof args[0] === 'string' ? args[0] : '';
      if (typeof args[0] === 'string') args = args.slice(1);
    } else {
      template = String(template);
    }
  }
  emitLog('log', '', severityNumber, template as string, args, attributes, context, site);
}
