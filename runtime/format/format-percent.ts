/**
 * Python's `str % args` (CPython's `_PyUnicode_Format`), exactly for integers, floats and strings.
 * Where Python would raise, this never throws: the output keeps what it could render, the offending
 * specifier stays as written, and the result carries the error Python would have given.
 */
import {
  ALTERNATE, BLANK, FormatError, LEFT, SIGN, type Specifier, ZERO, formatCharacter, formatFloatSpecifier, formatInteger,
  formatText, toInteger,
} from './conversions.js';
import { repr } from './represent.js';

/** The outcome of formatting: the text and, when the template or args were bad, why. */
export interface FormatResult {
  text: string;
  /** Python's exception message for the first problem (`not enough arguments for format string`, ...). */
  error?: string;
}

/** A tuple (array) of positional args, or a mapping (plain object) for `%(name)s`. */
export type FormatArgs = readonly unknown[] | Readonly<Record<string, unknown>>;

/** A plain object: what Python's `%` treats as a mapping. */
export function isMapping(args: unknown): args is Readonly<Record<string, unknown>> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return false;
  const prototype = Object.getPrototypeOf(args);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Formats `template` with Python's `%` rules and reports what Python would have raised.
 *
 * @example formatPercentDetailed('%(user)s paid %.2f', { user: 'ann' }) // { text: 'ann paid %.2f', error: ... }
 */
export function formatPercentDetailed(template: string, args: FormatArgs | unknown): FormatResult {
  const mapping = isMapping(args) ? (args as Readonly<Record<string, unknown>>) : undefined;
  const tuple: readonly unknown[] = Array.isArray(args) ? args : mapping === undefined ? [args] : [];
  let next = 0;
  let error: string | undefined;
  let out = '';
  let index = 0;
  const length = template.length;

  let keyed = false;
  const nextArgument = (): unknown => {
    if (mapping !== undefined && tuple.length === 0) {
      // An unkeyed specifier before any keyed one formats the mapping itself, once (`'%s' % {'a': 1}`).
      if (!keyed && next++ === 0) return mapping;
      throw new FormatError('not enough arguments for format string');
    }
    if (next >= tuple.length) throw new FormatError('not enough arguments for format string');
    return tuple[next++];
  };

  while (index < length) {
    const percent = template.indexOf('%', index);
    if (percent < 0) {
      out += template.slice(index);
      break;
    }
    out += template.slice(index, percent);
    const start = percent;
    index = percent + 1;
    if (template[index] === '%') {
      out += '%';
      index++;
      continue;
    }
    try {
      if (index >= length) throw new FormatError('incomplete format');
      let argument: unknown;
      let haveArgument = false;
      if (template[index] === '(') {
        if (mapping === undefined) throw new FormatError('format requires a mapping');
        let depth = 1;
        const keyStart = ++index;
        while (index < length && depth > 0) {
          if (template[index] === '(') depth++;
          else if (template[index] === ')') depth--;
          index++;
        }
        if (depth > 0) throw new FormatError('incomplete format key');
        const key = template.slice(keyStart, index - 1);
        if (!Object.prototype.hasOwnProperty.call(mapping, key)) throw new FormatError(`KeyError: ${repr(key)}`);
        argument = mapping[key];
        haveArgument = true;
        keyed = true;
      }
      let flags = 0;
      for (; index < length; index++) {
        const flag = template[index];
        if (flag === '-') flags |= LEFT;
        else if (flag === '+') flags |= SIGN;
        else if (flag === ' ') flags |= BLANK;
        else if (flag === '#') flags |= ALTERNATE;
        else if (flag === '0') flags |= ZERO;
        else break;
      }
      let width = -1;
      if (template[index] === '*') {
        const value = nextArgument();
        if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value)) && typeof value !== 'boolean') {
          throw new FormatError('* wants int');
        }
        width = Number(toInteger(value, 'd'));
        if (width < 0) {
          flags |= LEFT;
          width = -width;
        }
        index++;
      } else {
        let digits = '';
        while (index < length && template[index]! >= '0' && template[index]! <= '9') digits += template[index++];
        if (digits !== '') width = Number(digits);
      }
      let precision = -1;
      if (template[index] === '.') {
        index++;
        if (template[index] === '*') {
          const value = nextArgument();
          if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value)) && typeof value !== 'boolean') {
            throw new FormatError('* wants int');
          }
          precision = Math.max(0, Number(toInteger(value, 'd')));
          index++;
        } else {
          let digits = '';
          while (index < length && template[index]! >= '0' && template[index]! <= '9') digits += template[index++];
          precision = digits === '' ? 0 : Number(digits);
        }
      }
      // One length modifier is accepted and ignored, as in C.
      if (template[index] === 'h' || template[index] === 'l' || template[index] === 'L') index++;
      if (index >= length) throw new FormatError('incomplete format');
      const conversion = template[index++]!;
      // Python takes the argument before it looks at the conversion (so `'%5%' % ()` lacks arguments).
      if (!haveArgument) argument = nextArgument();
      if (!'diuoxXeEfFgGcsra'.includes(conversion)) {
        const code = conversion.codePointAt(0)!;
        throw new FormatError(`unsupported format character '${conversion}' (0x${code.toString(16)}) at index ${index - 1}`);
      }
      const specifier: Specifier = { flags, width, precision, conversion };
      if ('diuoxX'.includes(conversion)) out += formatInteger(argument, specifier);
      else if ('eEfFgG'.includes(conversion)) out += formatFloatSpecifier(argument, specifier);
      else if (conversion === 'c') out += formatCharacter(argument, specifier);
      else out += formatText(argument, specifier);
    } catch (caught) {
      if (!(caught instanceof FormatError)) throw caught;
      error ??= caught.message;
      // Keep the specifier as written and carry on, so the rest of the message still renders.
      out += template.slice(start, Math.max(index, start + 1));
      if (index <= start) index = start + 1;
    }
  }
  if (error === undefined && mapping === undefined && next < tuple.length) {
    error = 'not all arguments converted during string formatting';
  }
  return error === undefined ? { text: out } : { text: out, error };
}

/**
 * The common case without the general machinery: only `%s` and `%d`, exactly as many args, each a
 * string or a number that renders the same either way. Returns undefined for anything else.
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

/** Python's `template % args`: never throws; see `formatPercentDetailed` for the error. */
export function formatPercent(template: string, args: FormatArgs | unknown): string {
  try {
    return formatPercentDetailed(template, args).text;
  } catch {
    return template;
  }
}
