/**
 * `Function.prototype.toString` for functions the transformer rewrote: the plain build's text
 * (see transformer/keep-source-text.ts). A function the rewrite changed itself opens with a comment
 * naming its entry in its module's table (`@logmill <table> <index>`), registered once, at module
 * load; an entry is a text, or its pieces, between which go, in order, the regions its emitted text
 * marks: an inner function between `@logmill(` and `@logmill)` comments (replaced by its own plain
 * text) and code the rewrite left as written between `@logmill[` and `@logmill]` (taken as it is,
 * its lines indented back as the plain build indents them). A function changed only inside the
 * functions it holds has no entry: its text is the plain one but for its regions.
 * Nothing runs per call; `toString` itself pays an `indexOf` on the text it would return anyway.
 * The replacement reads as native (its own `toString` is the original's), as zone.js's does.
 */
import { sharedState } from './shared-state.js';

const MARK = '/*@logmill';
const ENTRY = '/*@logmill ';
const OPEN = '/*@logmill(*/';
const CLOSE = '/*@logmill)*/';
const COPY_OPEN = '/*@logmill[*/';
const COPY_CLOSE = '/*@logmill]*/';

/**
 * A text; the pieces of a text, between which go, in order, the functions and the unchanged
 * statements the function's emitted text holds between our comments; or (from a build by an
 * earlier version) `[enclosing entry, start, length]`, its place in an enclosing entry's text.
 */
type SourceTextEntry = string | readonly (string | number)[];

interface SourceTextState {
  tables: Map<string, readonly SourceTextEntry[]>;
  installed: boolean;
}

// v3: entries with pieces, and functions that keep no text. A copy of another version keeps its own
// tables and its own replacement, which calls the one installed before it.
const state = /* @__PURE__ */ sharedState<SourceTextState>('sourceTexts.v3', () => ({ tables: new Map(), installed: false }));

/** Registers a module's plain texts (emitted once per module by the transformer). */
export function sourceTexts(key: string, texts: readonly SourceTextEntry[]): void {
  state.tables.set(key, texts);
  if (!state.installed) install();
}

/** An entry of an earlier version's build: a text, or its place in an enclosing entry's text. */
function enclosedText(table: readonly SourceTextEntry[], index: number): string | undefined {
  const entry = table[index];
  if (typeof entry !== 'object') return entry;
  const [enclosing, start, length] = entry as [number, number, number];
  return enclosedText(table, enclosing)?.slice(start, start + length);
}

/** The plain text of an emitted function's or class's text: itself when it carries no comment of ours. */
function plainText(text: string, tables: SourceTextState['tables']): string {
  const at = text.indexOf(MARK);
  if (at === -1) return text;
  // Changed only inside: every comment of ours in it marks an inner function.
  if (!text.startsWith(ENTRY, at)) return withPlainRegions(text, at, undefined, tables) ?? text;
  const end = text.indexOf('*/', at);
  const [key, index] = text.slice(at + ENTRY.length, end).split(' ');
  const table = tables.get(key!);
  const entry = table?.[Number(index)];
  const kept = typeof entry === 'object' && typeof entry[0] === 'string' ? withPlainRegions(text, end, entry as readonly string[], tables) : table && enclosedText(table, Number(index));
  // A class's text opens with `class`. Its first mark may be a method's (static fields lowered
  // below ES2022 move its own), and its kept text may open with its decorators.
  if (kept === undefined || !text.startsWith('class') || kept.startsWith('class')) return kept ?? text;
  return kept.startsWith('@') ? kept.slice(kept.search(/\bclass\b/)) : text;
}

/** The spaces a line of `text` opens with: the line holding `at`, or the last one. */
function indentationAt(text: string, at = text.length): number {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  let end = start;
  while (text.charCodeAt(end) === 32) end++;
  return end - start;
}

/**
 * `text` from `from` with each region between our comments replaced: an inner function by its
 * plain text, an unchanged statement by itself indented as in the plain build (the emitted one may
 * sit deeper, in the body's `try`). With `pieces`, the regions go between them; without, between
 * the text's own stretches. Undefined when the comments do not match.
 */
function withPlainRegions(text: string, from: number, pieces: readonly string[] | undefined, tables: SourceTextState['tables']): string | undefined {
  let plain = pieces === undefined ? '' : pieces[0]!;
  let rest = pieces === undefined ? 0 : from;
  for (let piece = 1; pieces === undefined || piece < pieces.length; piece++) {
    const open = text.indexOf(OPEN, from);
    const copy = text.indexOf(COPY_OPEN, from);
    if (open === -1 && copy === -1) break;
    if (pieces === undefined) plain += text.slice(rest, open === -1 || (copy !== -1 && copy < open) ? copy : open);
    let close: number;
    let region: string;
    if (open === -1 || (copy !== -1 && copy < open)) {
      close = text.indexOf(COPY_CLOSE, copy);
      if (close === -1) return undefined;
      // The printer puts one space after the opening comment and one before the closing one.
      const statement = text.slice(copy + COPY_OPEN.length + 1, close - 1);
      const deeper = indentationAt(text, copy) - indentationAt(plain);
      region = deeper > 0 ? statement.replace(new RegExp(`\n {1,${deeper}}`, 'g'), '\n') : statement;
      close += COPY_CLOSE.length;
    } else {
      let depth = 1;
      close = open + OPEN.length;
      while (depth > 0) {
        const nextOpen = text.indexOf(OPEN, close);
        const nextClose = text.indexOf(CLOSE, close);
        if (nextClose === -1) return undefined;
        depth += nextOpen !== -1 && nextOpen < nextClose ? 1 : -1;
        close = (nextOpen !== -1 && nextOpen < nextClose ? nextOpen : nextClose) + CLOSE.length;
      }
      const inner = text.slice(open + OPEN.length + 1, close - CLOSE.length - 1);
      // `static` is the class's text, not the method's.
      const modifier = inner.startsWith('static ') ? 'static ' : '';
      region = modifier + plainText(inner.slice(modifier.length), tables);
    }
    plain += region + (pieces === undefined ? '' : pieces[piece]!);
    from = rest = close;
    // A text opens with the indentation of its first line when a region stands there.
    if (pieces !== undefined && piece === pieces.length - 1) return plain.replace(/^ +/, '');
  }
  if (pieces !== undefined) return pieces.length === 1 ? plain : undefined;
  return plain + text.slice(rest);
}

function install(): void {
  state.installed = true;
  const native = Function.prototype.toString;
  const tables = state.tables;
  const replacement = {
    toString(this: unknown): string {
      if (this === replacement) return native.call(native);
      return plainText(native.call(this as () => unknown), tables);
    },
  }.toString;
  // Frozen intrinsics (SES lockdown(), node --frozen-intrinsics) keep the native toString: the
  // rewritten text shows, and the app still loads.
  if (Object.isFrozen(Function.prototype)) return;
  Object.defineProperty(Function.prototype, 'toString', { value: replacement, writable: true, configurable: true, enumerable: false });
}
