/**
 * `Function.prototype.toString` of a function whose text the rewrite changed reads as the plain
 * build's would: code that names functions by their source (avvio and fastify name anonymous
 * plugins by their first lines), reads parameter names from it, or ships it to a worker or a page
 * sees no hidden parameter and no protocol. As zone.js keeps the original of what it patches, the
 * original text stays reachable, and nothing runs per call or per closure created. Two kinds of
 * changed functions and classes:
 *
 * - One the rewrite changed itself (an instrumented function, a wrapped callback, a function with a
 *   stamped log call, and everything inside those) has an entry in the module's table, printed at
 *   build time without types; the function carries a comment naming its entry, which the runtime's
 *   `toString` looks up. The entry holds only what the rewrite changed: the functions inside it
 *   (between `@logmill(` and `@logmill)` comments) and the code it left as written (runs of
 *   statements, expressions and members long enough to be worth two comments, between `@logmill[`
 *   and `@logmill]`) are read from the function's own emitted text, in order, each such piece of code
 *   indented back as the plain build indents it (the emitted one sits deeper, in the body's `try`).
 *
 *     async function load(id: string) { return await get(id); }
 *     →
 *     __logmill.sourceTexts("1x9k2f", ["async function load(id) { return await get(id); }"]);
 *     (an entry with holes: ["async function load(id) {\n    ", "\n    return await get(id);\n}"])
 *     async function load(id, __logmillContext = void 0) {
 *       /*@logmill 1x9k2f 0*\/ __logmillContext = __logmill.enter(…);
 *       …
 *
 * - One changed only inside the functions it holds (a plugin factory, a class, a CommonJS
 *   wrapper around instrumented functions) keeps no text: its emitted text is the plain one but for
 *   those functions, and each of them is emitted between two comments, which `toString` replaces
 *   with that function's own plain text. The bulk of a module's code stays in the module once.
 *
 *     function plugin() { return { async load(id) { … } }; }
 *     →
 *     function plugin() { return { /*@logmill(*\/ async load(id, __logmillContext = void 0) { /*@logmill 1x9k2f 0*\/ … } /*@logmill)*\/ }; }
 *
 *   Only outside every function of the first kind: inside one, the emitted lines are indented
 *   deeper than the plain ones (the body is wrapped) and the text is printed.
 *
 * An entry's comment comes first in the function's text (on its first parameter when a parameter
 * holds a function, else on its body; on a class's first member), so a function's own entry is
 * always the first one in its text.
 */
import type * as TS from 'typescript';
import { type Hole, type PrintedText, type SourceHolder, containsTypeScript } from './plain-source-text.js';

export type { SourceHolder } from './plain-source-text.js';

/** Functions and classes whose text `toString` returns. */
export function holdsSourceText(ts: typeof TS, node: TS.Node): node is SourceHolder {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isClassDeclaration(node) ||
      ts.isClassExpression(node)) &&
    node.pos >= 0
  );
}

/** A short, stable key for a module's table: FNV-1a of its source text, in base 36. */
export function sourceTableKey(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** An entry of a module's table: the text, or its pieces, between which go the regions its emitted text marks. */
export type SourceTextEntry = string | PrintedText;

/** A function or class of the parse tree whose text the rewrite changed, and what it became. */
export interface ChangedHolder {
  readonly node: SourceHolder;
  readonly result: TS.Node;
}

interface Holder extends ChangedHolder {
  readonly parent: Holder | undefined;
  readonly children: Holder[];
  /** Where its entry's comment goes, if anywhere. */
  readonly markAt: TS.Node | undefined;
  /** Changed only inside the functions it holds, outside every printed one: keeps no text. */
  derived: boolean;
  /** Its entry's index, when it has one. */
  index: number | undefined;
}

const selfComment = (key: string, index: number): string => `@logmill ${key} ${index}`;
const OPEN_COMMENT = '@logmill(';
const CLOSE_COMMENT = '@logmill)';
const COPY_OPEN_COMMENT = '@logmill[';
const COPY_CLOSE_COMMENT = '@logmill]';
/** Shorter code is kept in the entry: the two comments would cost about as much. */
const SHORTEST_COPY = 40;

/**
 * Chooses each changed function's kind (see above), prints the texts, puts the comments in the
 * emitted code and returns the module's table. `changed` lists inner functions before the
 * functions holding them (the order the visit finishes them in). With `copies`, code the rewrite
 * left as it was inside a printed function is not printed: the emitted code marks it instead.
 */
export function keepSourceTexts(
  ts: typeof TS,
  sourceFile: TS.SourceFile,
  key: string,
  changed: readonly ChangedHolder[],
  copies: boolean,
  print: (node: SourceHolder, holes: ReadonlyMap<TS.Node, Hole>) => PrintedText | undefined,
): SourceTextEntry[] {
  const holders = new Map<TS.Node, Holder>();
  const ordered: Holder[] = [];
  const holderOf = (node: TS.Node): Holder | undefined => {
    let found: Holder | undefined;
    for (let above = node.parent; above !== undefined && found === undefined; above = above.parent) found = holders.get(above);
    return found;
  };
  // Outer ones first, so that a holder's parent is known before it.
  for (let at = changed.length - 1; at >= 0; at--) {
    const { node, result } = changed[at]!;
    const parent = holderOf(node);
    const holder: Holder = { node, result, parent, children: [], markAt: markTarget(ts, node, result), derived: false, index: undefined };
    parent?.children.push(holder);
    holders.set(node, holder);
    ordered.push(holder);
  }
  for (const holder of ordered) {
    holder.derived =
      (holder.parent === undefined || holder.parent.derived) &&
      holder.children.every((child) => child.markAt !== undefined && inRegion(ts, holder, child)) &&
      onlyHoldersDiffer(ts, holder.node, holder.result, holders);
  }
  // Printed inner first, as the visit finished them; the comments are put in afterwards, so no
  // printed text holds one.
  const entries: SourceTextEntry[] = [];
  const regions: Holder[] = [];
  const copied: (readonly TS.Node[])[] = [];
  for (const holder of [...ordered].reverse()) {
    if (holder.derived) regions.push(...holder.children);
    if (holder.derived || holder.markAt === undefined) continue;
    const anchor = markAnchor(ts, holder.node);
    const children = holder.children.filter((child) => child.index !== undefined && inRegion(ts, holder, child) && child.node.pos >= anchor);
    const unchanged = copies ? unchangedCode(ts, sourceFile, holder, anchor) : [];
    const holes = new Map<TS.Node, Hole>(children.map((child) => [child.node, 'function']));
    for (const run of unchanged) run.forEach((node, at) => holes.set(node, at === 0 ? 'code' : 'dropped'));
    const printed = print(holder.node, holes) ?? print(holder.node, new Map());
    if (printed === undefined) continue;
    if (printed.length > 1) {
      regions.push(...children);
      copied.push(...unchanged);
    }
    holder.index = entries.length;
    entries.push(printed.length === 1 ? printed[0]! : printed);
  }
  for (const holder of ordered) {
    if (holder.index === undefined) continue;
    const comments = ts.getSyntheticLeadingComments(holder.markAt!) ?? [];
    ts.setSyntheticLeadingComments(holder.markAt!, [
      { kind: ts.SyntaxKind.MultiLineCommentTrivia, text: selfComment(key, holder.index), hasTrailingNewLine: false, pos: -1, end: -1 },
      ...comments,
    ]);
  }
  for (const holder of regions) {
    ts.addSyntheticLeadingComment(holder.result, ts.SyntaxKind.MultiLineCommentTrivia, OPEN_COMMENT, false);
    ts.addSyntheticTrailingComment(holder.result, ts.SyntaxKind.MultiLineCommentTrivia, CLOSE_COMMENT, false);
  }
  for (const run of copied) {
    ts.addSyntheticLeadingComment(run[0]!, ts.SyntaxKind.MultiLineCommentTrivia, COPY_OPEN_COMMENT, false);
    ts.addSyntheticTrailingComment(run[run.length - 1]!, ts.SyntaxKind.MultiLineCommentTrivia, COPY_CLOSE_COMMENT, false);
  }
  return entries;
}

/** Whether `child` can be emitted between comments inside `holder`'s text. */
function inRegion(ts: typeof TS, holder: Holder, child: Holder): boolean {
  return !decorated(ts, child.node) && !endsArrowBody(ts, holder.node, child.node);
}

/**
 * Where the entry's comment stands in the original: a function's first parameter when a parameter
 * holds a function, else its body; a class's first member. The runtime reads the regions after it.
 */
function markAnchor(ts: typeof TS, holder: SourceHolder): number {
  if (ts.isClassLike(holder)) return holder.members.pos;
  const parameterHoldsFunction = holder.parameters.some((parameter) => containsFunction(ts, parameter));
  return parameterHoldsFunction || holder.body === undefined ? holder.parameters.pos : holder.body.pos;
}

/**
 * The code the rewrite left as it was in `holder` (outside the functions inside it that have
 * entries), each piece emitted once, whose emitted text stands for its plain text: runs of
 * statements next to each other in both, and single expressions and members; long enough to be
 * worth two comments, without TypeScript syntax (which its own emit rewrites) and without lines the
 * printer copies as written (a template literal's, a string's continued line, JSX text), which
 * would not take the plain text's indentation. Only the rewritten nodes are walked: a node of the
 * parse tree is left as it was with all it holds.
 */
function unchangedCode(ts: typeof TS, sourceFile: TS.SourceFile, holder: Holder, anchor: number): (readonly TS.Node[])[] {
  const javascript = /\.[cm]?jsx?$/.test(sourceFile.fileName);
  const counts = new Map<TS.Node, number>();
  const runs: TS.Node[][] = [];
  const inner = new Set<TS.Node>(holder.children.map((child) => child.result));
  const textOf = (node: TS.Node): string => sourceFile.text.slice(node.getStart(sourceFile), node.end);
  /** Whether the node's emitted text is its plain one; undefined when only what it holds may be. */
  const standsAsWritten = (node: TS.Node): boolean | undefined => {
    if (!javascript && containsTypeScript(ts, node)) return false;
    const text = textOf(node);
    if (sourceFile.languageVariant === ts.LanguageVariant.JSX && text.includes('<')) return false;
    // What holds lines the printer copies as written is looked into for smaller pieces.
    if (/\\\r?\n|\\[\u2028\u2029]/.test(text) || (text.includes('`') && holdsMultiLineTemplate(ts, sourceFile, node))) return undefined;
    return true;
  };
  // Nor is a function or class left as it was looked into: its own text would show the comments.
  const lookInto = (node: TS.Node): void => (ts.isFunctionLike(node) || ts.isClassLike(node) ? undefined : void ts.forEachChild(node, visit, visitList));
  const count = (node: TS.Node): void => void counts.set(node, (counts.get(node) ?? 0) + 1);
  const visit = (node: TS.Node): void => {
    if (inner.has(node)) return;
    // A block's statements stand for it: the printer lays out a block and a statement differently
    // after `if (…)`, and an `if` after `else`.
    if (ts.getParseTreeNode(node) !== node || ts.isBlock(node)) return lookInto(node);
    if (ts.isIfStatement(node) && ts.isIfStatement(node.parent) && node.parent.elseStatement === node) return lookInto(node);
    if (node.pos < anchor || node.end - node.pos < SHORTEST_COPY || (node.parent as { name?: TS.Node } | undefined)?.name === node) return;
    if (!copyable(ts, node, javascript)) return lookInto(node);
    const asWritten = standsAsWritten(node);
    if (asWritten === undefined) return lookInto(node);
    if (asWritten && textOf(node).length >= SHORTEST_COPY) {
      count(node);
      runs.push([node]);
    }
  };
  /** A list's statements left as they were, one after another in the plain and the emitted code, go as one. */
  const visitList = (list: TS.NodeArray<TS.Node>): void => {
    let run: TS.Node[] = [];
    const close = (): void => {
      if (run.length > 0 && sourceFile.text.slice(run[0]!.getStart(sourceFile), run[run.length - 1]!.end).length >= SHORTEST_COPY) runs.push(run);
      run = [];
    };
    for (const node of list) {
      const statement = ts.isStatement(node) && !ts.isBlock(node) && !inner.has(node) && ts.getParseTreeNode(node) === node && node.pos >= anchor;
      const asWritten = statement ? standsAsWritten(node) : false;
      if (!asWritten) {
        close();
        visit(node);
        continue;
      }
      const previous = run[run.length - 1];
      const siblings = (node.parent as { statements?: TS.NodeArray<TS.Statement> }).statements;
      if (previous !== undefined && (previous.parent !== node.parent || siblings?.[siblings.indexOf(previous as TS.Statement) + 1] !== node)) close();
      count(node);
      run.push(node);
    }
    close();
  };
  ts.forEachChild(holder.result, visit, visitList);
  return runs.filter((run) => run.every((node) => counts.get(node) === 1));
}

/** Statements, expressions, and the members of objects and classes (a class's fields in JavaScript only: TypeScript may move them). */
function copyable(ts: typeof TS, node: TS.Node, javascript: boolean): boolean {
  if (ts.isPropertyDeclaration(node)) return javascript;
  if (ts.isIdentifier(node)) return false;
  return ts.isStatement(node) || ts.isExpression(node) || ts.isObjectLiteralElementLike(node) || ts.isClassElement(node);
}

function holdsMultiLineTemplate(ts: typeof TS, sourceFile: TS.SourceFile, node: TS.Node): boolean {
  let found = false;
  const visit = (child: TS.Node): void => {
    if (found) return;
    if (ts.isTemplateLiteralToken(child) && /[\r\n\u2028\u2029]/.test(child.getText(sourceFile))) found = true;
    else ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

/** An arrow's text ends with its body: a comment after a function ending there would fall outside it. */
function endsArrowBody(ts: typeof TS, holder: SourceHolder, child: TS.Node): boolean {
  return ts.isArrowFunction(holder) && !ts.isBlock(holder.body) && child.end === holder.body.end;
}

function decorated(ts: typeof TS, node: TS.Node): boolean {
  return ts.canHaveDecorators(node) && (ts.getDecorators(node)?.length ?? 0) > 0;
}

/**
 * Whether `result` is `original` but for the functions and classes inside it that have entries
 * (each replaced by what the rewrite made of it): then its emitted text is the plain one there.
 */
function onlyHoldersDiffer(ts: typeof TS, original: TS.Node, result: TS.Node, holders: ReadonlyMap<TS.Node, Holder>): boolean {
  const childrenOf = (node: TS.Node): (TS.Node | TS.NodeArray<TS.Node>)[] => {
    const children: (TS.Node | TS.NodeArray<TS.Node>)[] = [];
    ts.forEachChild(
      node,
      (child) => {
        children.push(child);
      },
      (list) => {
        children.push(list);
      },
    );
    return children;
  };
  const same = (before: TS.Node, after: TS.Node, top: boolean): boolean => {
    if (before === after) return true;
    const holder = top ? undefined : holders.get(before);
    if (holder !== undefined) return holder.result === after;
    if (before.kind !== after.kind) return false;
    const left = childrenOf(before);
    const right = childrenOf(after);
    if (left.length !== right.length) return false;
    return left.every((child, at) => {
      const other = right[at]!;
      if (!Array.isArray(child) || !Array.isArray(other)) return !Array.isArray(child) && !Array.isArray(other) && same(child as TS.Node, other as TS.Node, false);
      return child.length === other.length && child.every((item, position) => same(item, other[position]!, false));
    });
  };
  return same(original, result, true);
}

/** Where the entry's comment goes in the changed function or class (see above). */
function markTarget(ts: typeof TS, original: SourceHolder, changed: TS.Node): TS.Node | undefined {
  if (ts.isClassLike(changed)) return changed.members[0];
  if (!ts.isFunctionLike(changed)) return undefined;
  const functionLike = changed as TS.FunctionLikeDeclaration;
  const first = functionLike.parameters[0];
  const parameterHoldsFunction = (original as TS.FunctionLikeDeclaration).parameters.some((parameter) => containsFunction(ts, parameter));
  if (first !== undefined && parameterHoldsFunction) return first;
  const body = functionLike.body;
  if (body !== undefined && ts.isBlock(body) && body.statements.length > 0) return body.statements[0];
  if (body !== undefined && !ts.isBlock(body)) return body;
  return first;
}

function containsFunction(ts: typeof TS, node: TS.Node): boolean {
  let found = false;
  const visit = (child: TS.Node): void => {
    if (found) return;
    if (ts.isFunctionLike(child) || ts.isClassLike(child)) found = true;
    else ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}
