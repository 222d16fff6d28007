/**
 * Python's `str % args` (CPython's `_PyUnicode_Format`), exactly for integers, floats and strings.
 * Where Python would raise, this never throws: the output keeps what it could render, the offending
 * specifier stays as written, and the result carries the error Python would have given.
 */
import {
  FormatError, type Specifier, formatCharacter, formatFloatSpecifier, formatInteger, formatText, toInteger,
} from './conversions.js';
import { LEFT, parseSpecifier } from './specifier.js';
import { FormatOperand } from './operand.js';

/** The outcome of formatting: the text and, when the template or args were bad, why. */
export interface FormatResult {
  text: string;
  /** Python's exception message for the first problem (`not enough arguments for format string`, ...). */
  error?: string;
}

/** A tuple (array) of positional args, or a mapping (plain object) for `%(name)s`. */
export type FormatArgs = readonly unknown[] | Readonly<Record<string, unknown>>;

/** A `*` width or precision must be an integer (or a bool, which Python's int accepts). */
export function starArgument(value: unknown): unknown {
  if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value)) && typeof value !== 'boolean') {
    throw new FormatError('* wants int');
  }
  return value;
}

export { isMapping } from './operand.js';

/**
 * Formats `template` with Python's `%` rules and reports what Python would have raised.
 *
 * @example formatPercentDetailed('%(user)s paid %.2f', { user: 'ann' }) // { text: 'ann paid %.2f', error: ... }
 */
export function formatPercentDetailed(template: string, args: FormatArgs | unknown): FormatResult {
  const operand = new FormatOperand(args);
  let error: string | undefined;
  let out = '';
  let index = 0;
  const length = template.length;

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
    const parsed = parseSpecifier(template, index);
    try {
      if (index >= length) throw new FormatError('incomplete format');
      let argument: unknown;
      let haveArgument = false;
      if (parsed.key !== undefined) {
        if (!operand.isMapping) throw new FormatError('format requires a mapping');
        if (parsed.key.end < 0) {
          index = length;
          throw new FormatError('incomplete format key');
        }
        index = parsed.key.end;
        argument = operand.byKey(parsed.key.text);
        haveArgument = true;
      }
      let flags = parsed.flags;
      let width = parsed.width;
      if (parsed.widthStar >= 0) {
        index = parsed.widthStar;
        width = Number(toInteger(starArgument(operand.next()), 'd'));
        if (width < 0) {
          flags |= LEFT;
          width = -width;
        }
      }
      let precision = parsed.precision;
      if (parsed.precisionStar >= 0) {
        index = parsed.precisionStar;
        precision = Math.max(0, Number(toInteger(starArgument(operand.next()), 'd')));
      }
      index = parsed.end;
      if (parsed.conversion === undefined) throw new FormatError('incomplete format');
      const conversion = parsed.conversion;
      // Python takes the argument before it looks at the conversion (so `'%5%' % ()` lacks arguments).
      if (!haveArgument) argument = operand.next();
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
  if (error === undefined && operand.leftOver) {
    error = 'not all arguments converted during string formatting';
  }
  return error === undefined ? { text: out } : { text: out, error };
}

/** Python's `template % args`: never throws; see `formatPercentDetailed` for the error. */
export function formatPercent(template: string, args: FormatArgs | unknown): string {
  try {
    return formatPercentDetailed(template, args).text;
  } catch {
    return template;
  }
}
