/**
 * One `%` specifier read from a template: `%(key)-08.*lf` → key, flags, width, precision, conversion
 * and where each part sits, so the interpreter can fail exactly where Python fails and the compiler
 * can tell a well-formed specifier from a syntax error. Shared by both; it consumes no arguments.
 */
export const LEFT = 1;
export const SIGN = 2;
export const BLANK = 4;
export const ALTERNATE = 8;
export const ZERO = 16;

const flagBits: Record<string, number> = { '-': LEFT, '+': SIGN, ' ': BLANK, '#': ALTERNATE, '0': ZERO };

export interface ParsedSpecifier {
  /** A mapping key: its text and the index after its `)`; `end: -1` when the `)` never comes. */
  key: { text: string; end: number } | undefined;
  flags: number;
  /** -1 when absent. */
  width: number;
  /** Index of a `*` width, or -1. */
  widthStar: number;
  /** -1 when absent. */
  precision: number;
  /** Index of a `*` precision, or -1. */
  precisionStar: number;
  /** The conversion character; undefined when the template ends first. */
  conversion: string | undefined;
  /** The index after the conversion (the template's length when it ended first). */
  end: number;
}

function digitsAt(template: string, index: number): [value: number, end: number] {
  let end = index;
  while (end < template.length && template[end]! >= '0' && template[end]! <= '9') end++;
  return [end === index ? -1 : Number(template.slice(index, end)), end];
}

/** Reads the specifier that starts at `from` (just after its `%`). */
export function parseSpecifier(template: string, from: number): ParsedSpecifier {
  const length = template.length;
  const parsed: ParsedSpecifier = { key: undefined, flags: 0, width: -1, widthStar: -1, precision: -1, precisionStar: -1, conversion: undefined, end: length };
  let index = from;
  if (template[index] === '(') {
    let depth = 1;
    const keyStart = ++index;
    while (index < length && depth > 0) {
      if (template[index] === '(') depth++;
      else if (template[index] === ')') depth--;
      index++;
    }
    if (depth > 0) {
      parsed.key = { text: template.slice(keyStart), end: -1 };
      return parsed;
    }
    parsed.key = { text: template.slice(keyStart, index - 1), end: index };
  }
  while (index < length && flagBits[template[index]!] !== undefined) parsed.flags |= flagBits[template[index++]!]!;
  if (template[index] === '*') {
    parsed.widthStar = index++;
  } else {
    [parsed.width, index] = digitsAt(template, index);
  }
  if (template[index] === '.') {
    index++;
    if (template[index] === '*') {
      parsed.precisionStar = index++;
    } else {
      const [precision, end] = digitsAt(template, index);
      parsed.precision = precision === -1 ? 0 : precision;
      index = end;
    }
  }
  // One length modifier is accepted and ignored, as in C.
  if (template[index] === 'h' || template[index] === 'l' || template[index] === 'L') index++;
  if (index < length) {
    parsed.conversion = template[index];
    parsed.end = index + 1;
  }
  return parsed;
}
