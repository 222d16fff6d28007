/**
 * The common case of `%`-formatting without its machinery, small enough for browsers: the full
 * renderer (`message-renderer.ts`) is only installed where it is affordable.
 */
import { errorText } from './represent.js';

/**
 * The common case without the general machinery: only `%s` and `%d`, exactly as many args, each a
 * string or a number that renders the same either way (or an Error, for `%s`). Returns undefined
 * for anything else.
 */
export function formatSimple(template: string, args: readonly unknown[]): string | undefined {
  let out = '';
  let from = 0;
  let used = 0;
  for (let index = template.indexOf('%'); index >= 0; index = template.indexOf('%', from)) {
    const conversion = template.charCodeAt(index + 1);
    const value = args[used];
    if (conversion === 115 /* s */) {
      if (typeof value === 'string') out += template.slice(from, index) + value;
      else if (typeof value === 'number' && Number.isSafeInteger(value)) out += template.slice(from, index) + String(value);
      // Errors too, so what browsers report (`uncaught %s`) reads the same without the full renderer.
      else if (value instanceof Error) out += template.slice(from, index) + errorText(value);
      else return undefined;
    } else if (conversion === 100 /* d */) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return undefined;
      out += template.slice(from, index) + String(value);
    } else {
      return undefined;
    }
    used++;
    from = index + 2;
  }
  if (used !== args.length) return undefined;
  return out + template.slice(from);
}
