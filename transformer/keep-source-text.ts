/**
 * `Function.prototype.toString` of a function whose text the rewrite changed reads as the plain
 * build's would: code that names functions by their source (avvio and fastify name anonymous
 * plugins by their first lines), reads parameter names from it, or ships it to a worker or a page
 * sees no hidden parameter and no protocol. As zone.js keeps the original of what it patches, the
 * original text stays reachable: printed at build time without types, in one table per module, and
 * the function carries a comment naming its entry, which the runtime's `toString` looks up (nothing
 * runs per call or per closure created):
 *
 *   async function load(id: string) { return await get(id); }
 *   →
 *   __logmill.sourceTexts("1x9k2f", ["async function load(id) { return await get(id); }"]);
 *   async function load(id, __logmillContext = void 0) {
 *     /*@logmill 1x9k2f 0*\/ __logmillContext = __logmill.enter(…);
 *     …
 *   }
 *
 * Every function and class whose text changed gets an entry, so an uninstrumented function around
 * an instrumented one reads as written too. An entry whose text lies within the text of the
 * nearest enclosing entry is kept as `[that entry, start, length]` instead of a copy, so a
 * module's table holds each piece of text once however deeply its functions nest. The comment comes first in the function's text (on
 * its first parameter when a parameter holds a function, else on its body), so a function's own
 * entry is always the first one in its text.
 */
import type * as TS from 'typescript';

export type SourceHolder = TS.FunctionLikeDeclaration | TS.ClassLikeDeclaration;

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

/** An entry of a module's table: the text, or where it lies in an enclosing entry's text. */
export type SourceTextEntry = string | readonly [enclosing: number, start: number, length: number];

/**
 * The table's entries, each nested one written as its place in the nearest enclosing entry's text
 * when it is found there. Entries come after those of the functions they enclose (a function's text
 * is taken once its insides are rewritten), so a reference always points to a later entry.
 */
export function withinEnclosingTexts(texts: readonly string[], holders: ReadonlyMap<TS.Node, number>): SourceTextEntry[] {
  const entries: SourceTextEntry[] = [...texts];
  for (const [node, index] of holders) {
    let enclosing: number | undefined;
    for (let parent = node.parent; parent !== undefined && enclosing === undefined; parent = parent.parent) enclosing = holders.get(parent);
    if (enclosing === undefined) continue;
    const start = texts[enclosing]!.indexOf(texts[index]!);
    if (start !== -1) entries[index] = [enclosing, start, texts[index]!.length];
  }
  return entries;
}

export const sourceKeyComment = (key: string, index: number): string => `@logmill ${key} ${index}`;

/**
 * The plain build's text of `node`: printed without TypeScript's types, with the indentation the
 * printer gives its lines where it stands in the file.
 */
export function plainSourceText(
  ts: typeof TS,
  node: SourceHolder,
  sourceFile: TS.SourceFile,
  printer: TS.Printer,
  /** Nodes inside carrying an entry's comment, which the plain text must not show. */
  marked: readonly TS.Node[],
  /** In CommonJS output, how TypeScript's module transform writes each imported binding. */
  imports: ReadonlyMap<string, string> | undefined,
): string {
  // Cleared first: updated nodes (types stripped) copy the comments of their originals. The
  // function's own leading and trailing comments are not part of its text either. Only nodes of
  // the parse tree within `node` can be printed here (the rest were made by the rewrite).
  const inside = marked.filter((child) => child.pos >= node.pos && child.end <= node.end && ts.getParseTreeNode(child) === child);
  const comments = inside.map((child) => ts.getSyntheticLeadingComments(child));
  for (const child of inside) ts.setSyntheticLeadingComments(child, undefined);
  const flags = (node as { emitNode?: { flags?: number } }).emitNode?.flags ?? 0;
  ts.setEmitFlags(node, flags | ts.EmitFlags.NoLeadingComments | ts.EmitFlags.NoTrailingComments);
  let text: string;
  try {
    const javascript = /\.[cm]?jsx?$/.test(sourceFile.fileName);
    const stripped = javascript && imports === undefined ? node : stripTypes(ts, node, !javascript, imports);
    // `toString` starts at `function`, `async` or `class`: `export`, `default` and `static` are not the function's.
    text = printer.printNode(ts.EmitHint.Unspecified, withoutExportModifiers(ts, stripped), sourceFile);
  } finally {
    ts.setEmitFlags(node, flags);
    inside.forEach((child, index) => ts.setSyntheticLeadingComments(child, comments[index]));
  }
  const indentation = '    '.repeat(indentLevel(ts, node));
  return indentation === '' ? text : text.replace(/\n/g, `\n${indentation}`);
}

function withoutExportModifiers(ts: typeof TS, node: TS.Node): TS.Node {
  const { factory } = ts;
  const keep = (modifiers: TS.NodeArray<TS.ModifierLike> | undefined) =>
    modifiers?.filter(
      (modifier) => modifier.kind !== ts.SyntaxKind.ExportKeyword && modifier.kind !== ts.SyntaxKind.DefaultKeyword && modifier.kind !== ts.SyntaxKind.StaticKeyword,
    );
  if (ts.isFunctionDeclaration(node) && node.modifiers !== undefined) {
    return factory.updateFunctionDeclaration(node, keep(node.modifiers), node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, node.body);
  }
  if (ts.isMethodDeclaration(node) && node.modifiers !== undefined) {
    return factory.updateMethodDeclaration(node, keep(node.modifiers), node.asteriskToken, node.name, node.questionToken, node.typeParameters, node.parameters, node.type, node.body);
  }
  if (ts.isClassDeclaration(node) && node.modifiers !== undefined) {
    return factory.updateClassDeclaration(node, keep(node.modifiers), node.name, node.typeParameters, node.heritageClauses, node.members);
  }
  return node;
}

/** How deep the printer indents the lines of the construct `node` stands in. */
function indentLevel(ts: typeof TS, node: TS.Node): number {
  let level = 0;
  for (let child = node, parent = node.parent; parent !== undefined && !ts.isSourceFile(parent); child = parent, parent = parent.parent) {
    if (
      ts.isBlock(parent) ||
      ts.isModuleBlock(parent) ||
      ts.isCaseBlock(parent) ||
      ts.isCaseOrDefaultClause(parent) ||
      ts.isClassLike(parent) ||
      ts.isEnumDeclaration(parent) ||
      (ts.isObjectLiteralExpression(parent) && (parent as { multiLine?: boolean }).multiLine === true) ||
      (ts.isArrayLiteralExpression(parent) && (parent as { multiLine?: boolean }).multiLine === true)
    ) {
      level++;
    } else if (ts.isStatement(child) && !ts.isBlock(child) && (ts.isIfStatement(parent) || ts.isIterationStatement(parent, false))) {
      level++;
    }
  }
  return level;
}

/** What TypeScript's own emit drops from a function's text: annotations, assertions, modifiers. */
function stripTypes(ts: typeof TS, node: SourceHolder, types: boolean, imports: ReadonlyMap<string, string> | undefined): TS.Node {
  const { factory } = ts;
  const imported = (identifier: TS.Identifier): TS.Expression | undefined => {
    const module = imports?.get(identifier.text);
    if (module === undefined || !isReference(ts, identifier)) return undefined;
    const [object, name] = module.split('.') as [string, string];
    const access = factory.createPropertyAccessExpression(factory.createIdentifier(object), name);
    const parent = identifier.parent;
    // A call through an import loses its `this`, as TypeScript writes it: `(0, m_1.f)(…)`.
    const called = (ts.isCallExpression(parent) && parent.expression === identifier) || (ts.isTaggedTemplateExpression(parent) && parent.tag === identifier);
    return called ? factory.createParenthesizedExpression(factory.createComma(factory.createNumericLiteral(0), access)) : access;
  };
  const typeOnlyModifier = (modifier: TS.ModifierLike): boolean =>
    modifier.kind === ts.SyntaxKind.PublicKeyword ||
    modifier.kind === ts.SyntaxKind.PrivateKeyword ||
    modifier.kind === ts.SyntaxKind.ProtectedKeyword ||
    modifier.kind === ts.SyntaxKind.ReadonlyKeyword ||
    modifier.kind === ts.SyntaxKind.OverrideKeyword ||
    modifier.kind === ts.SyntaxKind.AbstractKeyword ||
    modifier.kind === ts.SyntaxKind.DeclareKeyword;
  const modifiers = (list: TS.NodeArray<TS.ModifierLike> | undefined) => list?.filter((modifier) => !typeOnlyModifier(modifier));
  const visit = (child: TS.Node): TS.Node | undefined => {
    // Everything removed below is TypeScript syntax, which the parser marks on the node and every
    // node above it: a subtree without the mark is printed as it stands, without a walk.
    if (imports === undefined && !containsTypeScript(ts, child)) return child;
    if (imports !== undefined && ts.isIdentifier(child)) return imported(child) ?? child;
    if (imports !== undefined && ts.isShorthandPropertyAssignment(child) && imports.has(child.name.text)) {
      return factory.createPropertyAssignment(child.name, imported(child.name) ?? child.name);
    }
    if (!types) return ts.visitEachChild(child, visit, undefined);
    if (ts.isTypeNode(child) && !ts.isExpressionWithTypeArguments(child)) return undefined;
    if (ts.isTypeParameterDeclaration(child) || ts.isInterfaceDeclaration(child) || ts.isTypeAliasDeclaration(child)) return undefined;
    if (ts.isAsExpression(child) || ts.isSatisfiesExpression(child) || ts.isNonNullExpression(child) || ts.isTypeAssertionExpression(child)) {
      return visit(child.expression);
    }
    // TypeScript drops the parentheses around an assertion too; the factory puts back any the
    // expression needs where it lands.
    if (ts.isParenthesizedExpression(child) && isAssertion(ts, child.expression)) return visit(child.expression);
    if (ts.isParameter(child)) {
      if (ts.isIdentifier(child.name) && child.name.text === 'this') return undefined;
      return factory.updateParameterDeclaration(child, modifiers(child.modifiers), child.dotDotDotToken, visitName(child.name), undefined, undefined, visitExpression(child.initializer));
    }
    if (ts.isPropertyDeclaration(child) && child.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.DeclareKeyword)) return undefined;
    if ((ts.isMethodDeclaration(child) || ts.isFunctionDeclaration(child) || ts.isConstructorDeclaration(child)) && child.body === undefined) return undefined;
    if (ts.isHeritageClause(child) && child.token === ts.SyntaxKind.ImplementsKeyword) return undefined;
    if (ts.isMethodDeclaration(child)) {
      return factory.updateMethodDeclaration(child, modifiers(child.modifiers), child.asteriskToken, child.name, undefined, undefined,
        ts.visitNodes(child.parameters, visit, ts.isParameter), undefined, visitBlock(child.body));
    }
    if (ts.isPropertyDeclaration(child)) {
      return factory.updatePropertyDeclaration(child, modifiers(child.modifiers), child.name, undefined, undefined, visitExpression(child.initializer));
    }
    return ts.visitEachChild(child, visit, undefined);
  };
  const visitName = (name: TS.BindingName) => ts.visitNode(name, visit) as TS.BindingName;
  const visitExpression = (expression: TS.Expression | undefined) => (expression === undefined ? undefined : (ts.visitNode(expression, visit) as TS.Expression));
  const visitBlock = (block: TS.Block | undefined) => (block === undefined ? undefined : (ts.visitNode(block, visit) as TS.Block));
  return visit(node) ?? node;
}

/** Puts the entry's comment first in the changed function's or class's text (see above). */
export function markSourceText(ts: typeof TS, original: SourceHolder, changed: TS.Node, comment: string, marked: TS.Node[]): boolean {
  const attach = (node: TS.Node): true => {
    ts.addSyntheticLeadingComment(node, ts.SyntaxKind.MultiLineCommentTrivia, comment, false);
    marked.push(node);
    return true;
  };
  if (ts.isClassLike(changed)) return changed.members.length > 0 && attach(changed.members[0]!);
  if (!ts.isFunctionLike(changed)) return false;
  const functionLike = changed as TS.FunctionLikeDeclaration;
  const first = functionLike.parameters[0];
  const parameterHoldsFunction = (original as TS.FunctionLikeDeclaration).parameters.some((parameter) => containsFunction(ts, parameter));
  if (first !== undefined && parameterHoldsFunction) return attach(first);
  const body = functionLike.body;
  if (body !== undefined && ts.isBlock(body) && body.statements.length > 0) return attach(body.statements[0]!);
  if (body !== undefined && !ts.isBlock(body)) return attach(body);
  return first !== undefined && attach(first);
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

/**
 * Whether `node` or a node inside it is TypeScript syntax, by TypeScript's own mark
 * (`TransformFlags.ContainsTypeScript`, what its type-stripping transform tests). Without the mark
 * (an API that does not expose it, a node without computed flags) every node counts as one.
 */
function containsTypeScript(ts: typeof TS, node: TS.Node): boolean {
  const mark = (ts as unknown as { TransformFlags?: { ContainsTypeScript?: number } }).TransformFlags?.ContainsTypeScript;
  const flags = (node as { transformFlags?: number }).transformFlags;
  return mark === undefined || flags === undefined || (flags & mark) !== 0;
}

function isAssertion(ts: typeof TS, node: TS.Expression): boolean {
  return ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node);
}

/** Whether `identifier` reads a binding (not a property name, a declared name or a label). */
function isReference(ts: typeof TS, identifier: TS.Identifier): boolean {
  const parent = identifier.parent;
  if (parent === undefined) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === identifier) return false;
  if (ts.isQualifiedName(parent) && parent.right === identifier) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === identifier) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isShorthandPropertyAssignment(parent)) return false;
  const named = parent as { name?: TS.Node };
  const declares =
    ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isFunctionExpression(parent) ||
    ts.isClassDeclaration(parent) || ts.isClassExpression(parent) || ts.isBindingElement(parent) || ts.isMethodDeclaration(parent) ||
    ts.isPropertyDeclaration(parent) || ts.isGetAccessorDeclaration(parent) || ts.isSetAccessorDeclaration(parent) || ts.isEnumMember(parent) ||
    ts.isPropertyAssignment(parent) || ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isNamespaceImport(parent) || ts.isImportClause(parent);
  if (named.name === identifier && declares) return false;
  return true;
}

/**
 * In CommonJS output TypeScript reads an imported binding through the module's variable
 * (`import { log } from 'logmill'` → `logmill_1.log`), named from the specifier with a counter.
 */
export function commonJsImportNames(ts: typeof TS, sourceFile: TS.SourceFile): Map<string, string> {
  const bindings = new Map<string, string>();
  const counters = new Map<string, number>();
  const taken = (sourceFile as { identifiers?: ReadonlyMap<string, string> }).identifiers;
  for (const statement of sourceFile.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.importClause;
    if (clause === undefined || clause.isTypeOnly) continue;
    const base = (statement.moduleSpecifier.text.split('/').pop() ?? '').replace(/^(\d)/, '_$1').replace(/\W/g, '_');
    let count = counters.get(base) ?? 0;
    let name: string;
    do name = `${base}_${++count}`;
    while (taken?.has(name) === true);
    counters.set(base, count);
    const named = clause.namedBindings;
    if (named !== undefined && ts.isNamespaceImport(named)) continue;
    if (clause.name !== undefined) bindings.set(clause.name.text, `${name}.default`);
    if (named !== undefined && ts.isNamedImports(named)) {
      for (const element of named.elements) {
        if (!element.isTypeOnly) bindings.set(element.name.text, `${name}.${(element.propertyName ?? element.name).text}`);
      }
    }
  }
  return bindings;
}
