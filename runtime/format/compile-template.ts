/**
 * Templates parsed once: `'%-8s paid %.2f%%'` → `[['s', 1, 8, -1], ' paid ', ['f', 0, -1, 2], '%']`.
 * The transformer compiles each literal template at build time and stores the result in the call
 * site; templates only known at run time are compiled once and cached. Rendering a compiled
 * template gives exactly what `formatPercentDetailed` gives; a template with a syntax error does
 * not compile (the interpreter renders it), and a render that hits a bad argument hands the whole
 * call to the interpreter, so both paths agree to the character.
 */
import { FormatError, type Specifier, formatCharacter, formatFloatSpecifier, formatInteger, formatText, toInteger } from './conversions.js';
import { type FormatArgs, type FormatResult, formatPercentDetailed, starArgument } from './format-percent.js';
import { FormatOperand } from './operand.js';
import { javascriptString } from './represent.js';
import { LEFT, parseSpecifier } from './specifier.js';

/** `-2` in the width or precision slot: taken from the next argument (`*`). */
export const FROM_ARGUMENT = -2;

/**
 * A flag no Python template sets, on the conversions of a template the transformer compiled from a
 * JavaScript template literal (`${value}` → `%s`): the hole renders as the literal would have, with
 * `String(value)` (`NaN`, `0` for -0, `1.5e+300`, a class's `toString`, `[object Object]`).
 */
export const TEMPLATE_LITERAL_HOLE = 32;

/** `compiled` with every conversion marked as a template literal's hole. */
export function markTemplateLiteralHoles(compiled: CompiledTemplate): CompiledTemplate {
  return compiled.map((piece) => (typeof piece === 'string' ? piece : [piece[0], piece[1] | TEMPLATE_LITERAL_HOLE, piece[2], piece[3]]));
}

/** One conversion: its character, flags, width and precision (-1 when absent), and mapping key. */
export type CompiledSpecifier = readonly [conversion: string, flags: number, width: number, precision: number, key?: string];

/** Literal text and conversions, in order. Plain JSON, so the transformer can emit it as a literal. */
export type CompiledTemplate = readonly (string | CompiledSpecifier)[];

const conversions = 'diuoxXeEfFgGcsra';

/** Parses `template`; undefined if Python would report a syntax error in it. */
export function compileTemplate(template: string): CompiledTemplate | undefined {
  const pieces: (string | CompiledSpecifier)[] = [];
  let literal = '';
  let index = 0;
  const length = template.length;
  while (index < length) {
    const percent = template.indexOf('%', index);
    if (percent < 0) {
      literal += template.slice(index);
      break;
    }
    literal += template.slice(index, percent);
    index = percent + 1;
    if (template[index] === '%') {
      literal += '%';
      index++;
      continue;
    }
    const parsed = parseSpecifier(template, index);
    if (parsed.key !== undefined && parsed.key.end < 0) return undefined;
    if (parsed.conversion === undefined || !conversions.includes(parsed.conversion)) return undefined;
    const key = parsed.key?.text;
    const flags = parsed.flags;
    const width = parsed.widthStar >= 0 ? FROM_ARGUMENT : parsed.width;
    const precision = parsed.precisionStar >= 0 ? FROM_ARGUMENT : parsed.precision;
    const conversion = parsed.conversion;
    index = parsed.end;
    if (literal !== '') pieces.push(literal);
    literal = '';
    pieces.push(key === undefined ? [conversion, flags, width, precision] : [conversion, flags, width, precision, key]);
  }
  if (literal !== '') pieces.push(literal);
  return pieces;
}

/** Renders a compiled template with Python's `%` semantics; `template` is its source, for the rare fallback. */
export function renderTemplate(compiled: CompiledTemplate, template: string, args: FormatArgs | unknown): FormatResult {
  const operand = new FormatOperand(args);
  let out = '';
  try {
    for (const piece of compiled) {
      if (typeof piece === 'string') {
        out += piece;
        continue;
      }
      const [conversion, compiledFlags, compiledWidth, compiledPrecision, key] = piece;
      let argument: unknown;
      let haveArgument = false;
      if (key !== undefined) {
        argument = operand.byKey(key);
        haveArgument = true;
      }
      let flags = compiledFlags;
      let width = compiledWidth;
      if (width === FROM_ARGUMENT) {
        width = Number(toInteger(starArgument(operand.next()), 'd'));
        if (width < 0) {
          flags |= LEFT;
          width = -width;
        }
      }
      let precision = compiledPrecision;
      if (precision === FROM_ARGUMENT) precision = Math.max(0, Number(toInteger(starArgument(operand.next()), 'd')));
      if (!haveArgument) argument = operand.next();
      const specifier: Specifier = { flags, width, precision, conversion };
      if (flags & TEMPLATE_LITERAL_HOLE) out += javascriptString(argument);
      else if (conversion === 's' || conversion === 'r' || conversion === 'a') out += formatText(argument, specifier);
      else if (conversion === 'c') out += formatCharacter(argument, specifier);
      else if ('eEfFgG'.includes(conversion)) out += formatFloatSpecifier(argument, specifier);
      else out += formatInteger(argument, specifier);
    }
  } catch (caught) {
    if (!(caught instanceof FormatError)) throw caught;
    // Where the error leaves the output depends on how far Python had parsed: the interpreter knows.
    return formatPercentDetailed(template, args);
  }
  if (operand.leftOver) return { text: out, error: 'not all arguments converted during string formatting' };
  return { text: out };
}

const cache = new Map<string, CompiledTemplate | null>();
const cacheLimit = 2048;

/** The compiled form of a template seen at run time, compiled on first sight (bounded cache). */
export function compiledAtRunTime(template: string): CompiledTemplate | undefined {
  let compiled = cache.get(template);
  if (compiled === undefined) {
    compiled = compileTemplate(template) ?? null;
    if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
    cache.set(template, compiled);
  }
  return compiled ?? undefined;
}
