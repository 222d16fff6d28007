/**
 * `Function.prototype.toString` for functions the transformer rewrote: the plain build's text, kept
 * in one table per module (registered once, at module load) and found through the comment the
 * function's text opens with (`@logmill <table> <index>`, see transformer/keep-source-text.ts). A
 * nested function's entry may be `[enclosing entry, start, length]`: its text within the
 * enclosing function's, kept once.
 * Nothing runs per call; `toString` itself pays one `indexOf` on the text it would return anyway.
 * The replacement reads as native (its own `toString` is the original's), as zone.js's does.
 */
import { sharedState } from './shared-state.js';

const MARK = '/*@logmill ';

/** A text, or where it lies in an enclosing entry's text. */
type SourceTextEntry = string | readonly number[];

interface SourceTextState {
  tables: Map<string, readonly SourceTextEntry[]>;
  installed: boolean;
}

// v2: entries may be places in an enclosing entry's text. A copy of another version keeps its own
// tables and its own replacement, which calls the one installed before it.
const state = /* @__PURE__ */ sharedState<SourceTextState>('sourceTexts.v2', () => ({ tables: new Map(), installed: false }));

/** Registers a module's plain texts (emitted once per module by the transformer). */
export function sourceTexts(key: string, texts: readonly SourceTextEntry[]): void {
  state.tables.set(key, texts);
  if (!state.installed) install();
}

function textOf(table: readonly SourceTextEntry[] | undefined, index: number): string | undefined {
  const entry = table?.[index];
  if (typeof entry !== 'object') return entry;
  const [enclosing, start, length] = entry as [number, number, number];
  return textOf(table, enclosing)?.slice(start, start + length);
}

function install(): void {
  state.installed = true;
  const native = Function.prototype.toString;
  const tables = state.tables;
  const replacement = {
    toString(this: unknown): string {
      if (this === replacement) return native.call(native);
      const text = native.call(this as () => unknown);
      const at = text.indexOf(MARK);
      if (at === -1) return text;
      const end = text.indexOf('*/', at);
      const [key, index] = text.slice(at + MARK.length, end).split(' ');
      const kept = textOf(tables.get(key!), Number(index));
      // A class's text opens with `class`. Its first mark may be a method's (static fields lowered
      // below ES2022 move its own), and its kept text may open with its decorators.
      if (kept === undefined || !text.startsWith('class') || kept.startsWith('class')) return kept ?? text;
      return kept.startsWith('@') ? kept.slice(kept.search(/\bclass\b/)) : text;
    },
  }.toString;
  // Frozen intrinsics (SES lockdown(), node --frozen-intrinsics) keep the native toString: the
  // rewritten text shows, and the app still loads.
  if (Object.isFrozen(Function.prototype)) return;
  Object.defineProperty(Function.prototype, 'toString', { value: replacement, writable: true, configurable: true, enumerable: false });
}
