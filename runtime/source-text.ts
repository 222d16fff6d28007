/**
 * `Function.prototype.toString` for functions the transformer rewrote: the plain build's text
 * (see transformer/keep-source-text.ts). A function the rewrite changed itself opens with a comment
 * naming its entry in its module's table (`@logmill <table> <index>`), registered once, at module
 * load; an entry is a text, or pieces of text with nested entries' indices between them. A function
 * changed only inside the functions it holds has no entry: its text is the plain one but for those,
 * each emitted between `@logmill(` and `@logmill)` comments, which are replaced by its own plain text.
 * Nothing runs per call; `toString` itself pays an `indexOf` on the text it would return anyway.
 * The replacement reads as native (its own `toString` is the original's), as zone.js's does.
 */
import { sharedState } from './shared-state.js';

const MARK = '/*@logmill';
const ENTRY = '/*@logmill ';
const OPEN = '/*@logmill(*/';
const CLOSE = '/*@logmill)*/';

/**
 * A text, its pieces (strings, and nested entries' indices between them), or (from a build by an
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

function entryText(table: readonly SourceTextEntry[] | undefined, index: number): string | undefined {
  const entry = table?.[index];
  if (typeof entry !== 'object') return entry;
  if (typeof entry[0] === 'number') {
    const [enclosing, start, length] = entry as [number, number, number];
    return entryText(table, enclosing)?.slice(start, start + length);
  }
  let text = '';
  for (const piece of entry) {
    const part = typeof piece === 'string' ? piece : entryText(table, piece);
    if (part === undefined) return undefined;
    text += part;
  }
  return text;
}

/** The plain text of an emitted function's text: itself when it carries no comment of ours. */
function plainText(text: string, tables: SourceTextState['tables']): string {
  const at = text.indexOf(MARK);
  if (at === -1) return text;
  if (!text.startsWith(ENTRY, at)) return text.startsWith(OPEN, at) ? withPlainInnerTexts(text, at, tables) : text;
  const end = text.indexOf('*/', at);
  const [key, index] = text.slice(at + ENTRY.length, end).split(' ');
  const kept = entryText(tables.get(key!), Number(index));
  // A class's text opens with `class`. Its first mark may be a method's (static fields lowered
  // below ES2022 move its own), and its kept text may open with its decorators.
  if (kept === undefined || !text.startsWith('class') || kept.startsWith('class')) return kept ?? text;
  return kept.startsWith('@') ? kept.slice(kept.search(/\bclass\b/)) : text;
}

/**
 * `text` with each function emitted between `@logmill(` and `@logmill)` comments (the first at
 * `at`) replaced by its plain text. Unbalanced comments leave the text as it is.
 */
function withPlainInnerTexts(text: string, at: number, tables: SourceTextState['tables']): string {
  let plain = '';
  let from = 0;
  for (let open = at; open !== -1; open = text.indexOf(OPEN, from)) {
    let depth = 1;
    let scan = open + OPEN.length;
    let close = -1;
    while (depth > 0) {
      const nextOpen = text.indexOf(OPEN, scan);
      const nextClose = text.indexOf(CLOSE, scan);
      if (nextClose === -1) return text;
      if (nextOpen !== -1 && nextOpen < nextClose) {
        depth++;
        scan = nextOpen + OPEN.length;
      } else {
        depth--;
        scan = nextClose + CLOSE.length;
        close = nextClose;
      }
    }
    // The printer puts one space after the opening comment and one before the closing one.
    const inner = text.slice(open + OPEN.length + 1, close - 1);
    // `static` is the class's text, not the method's.
    const modifier = inner.startsWith('static ') ? 'static ' : '';
    plain += text.slice(from, open) + modifier + plainText(inner.slice(modifier.length), tables);
    from = close + CLOSE.length;
  }
  return plain + text.slice(from);
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
