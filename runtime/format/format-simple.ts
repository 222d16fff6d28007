/**
 * The common case of `%`-formatting without its machinery, small enough for browsers: the full
 * renderer (`message-renderer.ts`) is only installed where it is affordable.
 */
import type { CompiledTemplate } from './compile-template.js';
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
    // `%s` and `%d` of an integer, `%s` of a string or an error (so what browsers report, `uncaught
    // %s`, reads the same without the full renderer).
    if (!(Number.isSafeInteger(value) ? conversion === 115 /* s */ || conversion === 100 /* d */ : conversion === 115 && (typeof value === 'string' || value instanceof Error))) {
      return undefined;
    }
    out += template.slice(from, index) + (value instanceof Error ? errorText(value) : String(value));
    used++;
    from = index + 2;
  }
  if (used !== args.length) return undefined;
  return out + template.slice(from);
}

/**
 * A template literal's message as JavaScript renders it, for pages (the full renderer does the same
 * on Node, from scrubbed args); undefined for any other template, or when a hole cannot be made a string.
 */
export function formatTemplateLiteral(compiled: CompiledTemplate, args: readonly unknown[]): string | undefined {
  let out = '';
  let used = 0;
  try {
    for (const piece of compiled) {
      if (typeof piece === 'string') out += piece;
      // TEMPLATE_LITERAL_HOLE (compile-template.ts), written out: a page pays for every byte.
      else if (piece[1] & 32) out += String(args[used++]);
      else return undefined;
    }
  } catch {
    return undefined;
  }
  return out;
}
