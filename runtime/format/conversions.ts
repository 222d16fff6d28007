/**
 * The conversions of Python's `%` (`d i o u x X e E f F g G c s r a`) applied to one value, with
 * flags, width and precision: shared by the interpreter (format-percent.ts) and the renderer of
 * templates compiled ahead of time (compile-template.ts).
 */
import { formatFloat } from './float.js';
import { ascii, repr, str } from './represent.js';

import { ALTERNATE, BLANK, LEFT, SIGN, ZERO } from './specifier.js';

export class FormatError extends Error {}

function typeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'dict' : typeof value;
}

/** The integer value of an argument for `%d %i %u %o %x %X %c` and `*`, or an error. */
export function toInteger(value: unknown, conversion: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return BigInt(value);
    if (conversion === 'd' || conversion === 'i' || conversion === 'u') {
      if (Number.isNaN(value)) throw new FormatError('cannot convert float NaN to integer');
      if (!Number.isFinite(value)) throw new FormatError('cannot convert float infinity to integer');
      return BigInt(Math.trunc(value));
    }
    throw new FormatError(`%${conversion} format: an integer is required, not float`);
  }
  const kind = conversion === 'd' || conversion === 'i' || conversion === 'u' ? 'a real number' : 'an integer';
  throw new FormatError(`%${conversion} format: ${kind} is required, not ${typeName(value)}`);
}

function toFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') {
    const converted = Number(value);
    if (!Number.isFinite(converted)) throw new FormatError('int too large to convert to float');
    return converted;
  }
  throw new FormatError(`must be real number, not ${typeName(value)}`);
}

function codePointLength(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) index++;
    length++;
  }
  return length;
}

function truncateCodePoints(text: string, count: number): string {
  if (count >= text.length) return text;
  return Array.from(text).slice(0, count).join('');
}

export interface Specifier {
  flags: number;
  width: number;
  precision: number;
  conversion: string;
}

/** Lays out a formatted value: sign, prefix, zero or space padding (`unicode_format_arg_output`). */
function layout(specifier: Specifier, sign: string, prefix: string, body: string, numeric: boolean): string {
  const { flags, width } = specifier;
  const length = codePointLength(sign) + prefix.length + codePointLength(body);
  if (width <= length) return sign + prefix + body;
  const padding = width - length;
  if (flags & LEFT) return sign + prefix + body + ' '.repeat(padding);
  if (numeric && flags & ZERO) return sign + prefix + '0'.repeat(padding) + body;
  return ' '.repeat(padding) + sign + prefix + body;
}

function signOf(negative: boolean, flags: number): string {
  if (negative) return '-';
  if (flags & SIGN) return '+';
  if (flags & BLANK) return ' ';
  return '';
}

export function formatInteger(value: unknown, specifier: Specifier): string {
  const integer = toInteger(value, specifier.conversion);
  const negative = integer < 0n;
  const magnitude = negative ? -integer : integer;
  let digits: string;
  let prefix = '';
  switch (specifier.conversion) {
    case 'o':
      digits = magnitude.toString(8);
      if (specifier.flags & ALTERNATE) prefix = '0o';
      break;
    case 'x':
      digits = magnitude.toString(16);
      if (specifier.flags & ALTERNATE) prefix = '0x';
      break;
    case 'X':
      digits = magnitude.toString(16).toUpperCase();
      if (specifier.flags & ALTERNATE) prefix = '0X';
      break;
    default:
      digits = magnitude.toString();
  }
  if (specifier.precision > digits.length) digits = digits.padStart(specifier.precision, '0');
  return layout(specifier, signOf(negative, specifier.flags), prefix, digits, true);
}

export function formatFloatSpecifier(value: unknown, specifier: Specifier): string {
  const number = toFloat(value);
  const precision = specifier.precision < 0 ? 6 : specifier.precision;
  const [negative, body] = formatFloat(number, specifier.conversion, precision, (specifier.flags & ALTERNATE) !== 0);
  return layout(specifier, signOf(negative, specifier.flags), '', body, true);
}

export function formatCharacter(value: unknown, specifier: Specifier): string {
  let character: string;
  if (typeof value === 'string') {
    if (codePointLength(value) !== 1) throw new FormatError('%c requires int or char');
    character = value;
  } else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    if (typeof value === 'number' && !Number.isInteger(value)) throw new FormatError('%c requires int or char');
    const code = toInteger(value, 'c');
    if (code < 0n || code > 0x10ffffn) throw new FormatError('%c arg not in range(0x110000)');
    character = String.fromCodePoint(Number(code));
  } else {
    throw new FormatError('%c requires int or char');
  }
  return layout(specifier, '', '', character, false);
}

export function formatText(value: unknown, specifier: Specifier): string {
  const render = specifier.conversion === 's' ? str : specifier.conversion === 'r' ? repr : ascii;
  let text = render(value);
  if (specifier.precision >= 0) text = truncateCodePoints(text, specifier.precision);
  return layout(specifier, '', '', text, false);
}

