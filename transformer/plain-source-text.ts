/**
 * The plain build's text of a function or class, printed at build time for its entry in the
 * module's table (keep-source-text.ts): types stripped as TypeScript's emit strips them, imports
 * written as its CommonJS output writes them, indented as the emit indents it where it stands.
 */
import type * as TS from 'typescript';

/** A function or class, whose text `toString` gives. */
export type SourceHolder = TS.FunctionLikeDeclaration | TS.ClassLikeDeclaration;

/** An entry's printed text: its pieces, between which go the texts of the holes. */
export type PrintedText = readonly string[];

/**
 * What is left out of a printed text: a function with an entry of its own, code printed as it
 * stands (the first statement of a run), or a further statement of such a run.
 */
export type Hole = 'function' | 'code' | 'dropped';

// Stand-ins printed where a hole's text goes: a statement or class member (`…;`), or an
// expression or shorthand property. A file using `__logmill…` names is never instrumented, so the
// printed text holds them only where they were put.
const STATEMENT_HOLE = '__logmillHoleStatement';
const EXPRESSION_HOLE = '__logmillHole';
const HOLES = /__logmillHoleStatement;|__logmillHole/;

/**
 * The plain build's text of `node`: printed without TypeScript's types, with the indentation the
 * printer gives its lines where it stands in the file. The nodes of `holes` (functions, classes
 * and statements inside, whose texts the runtime finds elsewhere) are left out: the text comes in
 * pieces, split where they stand. Undefined when the printed text does not show the holes as
 * placed (then print without them).
 */
export function plainSourceText(
  ts: typeof TS,
  node: SourceHolder,
  sourceFile: TS.SourceFile,
  printer: TS.Printer,
  newLine: string,
  /** In CommonJS output, how TypeScript's module transform writes each imported binding. */
  imports: ReadonlyMap<string, string> | undefined,
  holes: ReadonlyMap<TS.Node, Hole>,
): PrintedText | undefined {
  // The function's own leading and trailing comments are not part of its text.
  const flags = (node as { emitNode?: { flags?: number } }).emitNode?.flags ?? 0;
  ts.setEmitFlags(node, flags | ts.EmitFlags.NoLeadingComments | ts.EmitFlags.NoTrailingComments);
  let text: string;
  try {
    const javascript = /\.[cm]?jsx?$/.test(sourceFile.fileName);
    const stripped = javascript && imports === undefined && holes.size === 0 ? node : stripTypes(ts, node, !javascript, imports, holes);
    // `toString` starts at `function`, `async` or `class`: `export`, `default` and `static` are not the function's.
    text = printIndented(ts, printer, newLine, withoutExportModifiers(ts, stripped), sourceFile, indentLevel(ts, node));
  } finally {
    ts.setEmitFlags(node, flags);
  }
  if (holes.size === 0) return [text];
  const pieces = text.split(HOLES);
  if (pieces.length !== [...holes.values()].filter((hole) => hole !== 'dropped').length + 1) return undefined;
  // A hole on the first line is indented as the line the function stands on: the text opens with
  // that line's indentation, which the runtime takes off.
  if (!pieces[0]!.includes('\n')) pieces[0] = '    '.repeat(indentLevel(ts, node)) + pieces[0];
  return pieces;
}

/**
 * Printed as the emit prints it at `level`: lines after the first indented, a multi-line template
 * literal's lines as written (the printer's own writer knows which lines are its). Without the
 * printer's writer API, the lines are indented afterwards.
 */
function printIndented(ts: typeof TS, printer: TS.Printer, newLine: string, node: TS.Node, sourceFile: TS.SourceFile, level: number): string {
  const indentation = '    '.repeat(level);
  const writerApi = ts as unknown as { createTextWriter?: (newLine: string) => TextWriter };
  const writeNode = (printer as { writeNode?: (hint: TS.EmitHint, node: TS.Node, sourceFile: TS.SourceFile, writer: TextWriter) => void }).writeNode;
  if (level > 0 && typeof writerApi.createTextWriter === 'function' && typeof writeNode === 'function') {
    const writer = writerApi.createTextWriter(newLine);
    for (let step = 0; step < level; step++) writer.increaseIndent();
    writeNode.call(printer, ts.EmitHint.Unspecified, node, sourceFile, writer);
    const written = writer.getText();
    return written.startsWith(indentation) ? written.slice(indentation.length) : written;
  }
  const text = printer.printNode(ts.EmitHint.Unspecified, node, sourceFile);
  return level === 0 ? text : text.replace(/\n/g, `\n${indentation}`);
}

/** What TypeScript's (internal) text writer offers that is used here. */
interface TextWriter {
  increaseIndent(): void;
  getText(): string;
}

/** What is printed in place of a nested entry's function or class (see `plainSourceText`). */
function holePlaceholder(ts: typeof TS, hole: TS.Node, asItStands: boolean): TS.Node {
  const { factory } = ts;
  let placeholder: TS.Node;
  if (ts.isStatement(hole)) {
    placeholder = factory.createExpressionStatement(factory.createIdentifier(STATEMENT_HOLE));
  } else if (hole.parent !== undefined && ts.isClassLike(hole.parent)) {
    // `static` belongs to the class's text, not the method's (code printed as it stands holds its own).
    const isStatic = !asItStands && ts.getModifiers(hole as TS.MethodDeclaration)?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword) === true;
    placeholder = factory.createPropertyDeclaration(isStatic ? [factory.createToken(ts.SyntaxKind.StaticKeyword)] : undefined, STATEMENT_HOLE, undefined, undefined, undefined);
  } else if (hole.parent !== undefined && ts.isObjectLiteralExpression(hole.parent)) {
    placeholder = factory.createShorthandPropertyAssignment(EXPRESSION_HOLE);
  } else {
    placeholder = factory.createIdentifier(EXPRESSION_HOLE);
  }
  // Its place in the source: the comments around the nested function are printed around it.
  return ts.setTextRange(placeholder, hole);
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
      // The printer indents an object's or an array's elements even when it keeps them on one line.
      ts.isObjectLiteralExpression(parent) ||
      ts.isArrayLiteralExpression(parent)
    ) {
      level++;
    } else if (
      ts.isStatement(child) &&
      !ts.isBlock(child) &&
      (ts.isIfStatement(parent) || ts.isIterationStatement(parent, false) || ts.isWithStatement(parent)) &&
      // `else if` stays on the `else`'s line.
      !(ts.isIfStatement(parent) && parent.elseStatement === child && ts.isIfStatement(child))
    ) {
      level++;
    }
  }
  return level;
}

/** What TypeScript's own emit drops from a function's text: annotations, assertions, modifiers. */
function stripTypes(
  ts: typeof TS,
  node: SourceHolder,
  types: boolean,
  imports: ReadonlyMap<string, string> | undefined,
  holes: ReadonlyMap<TS.Node, Hole>,
): TS.Node {
  const { factory } = ts;
  // The nodes on the way from `node` to a hole, which the walk must enter.
  const towardsHoles = new Set<TS.Node>();
  for (const hole of holes.keys()) {
    for (let parent = hole.parent; parent !== undefined && !towardsHoles.has(parent); parent = parent.parent) {
      towardsHoles.add(parent);
      if (parent === node) break;
    }
  }
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
    const hole = holes.get(child);
    if (hole === 'dropped') return undefined;
    if (hole !== undefined) return holePlaceholder(ts, child, hole === 'code');
    if (imports === undefined && !towardsHoles.has(child) && !containsTypeScript(ts, child)) return child;
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

/**
 * Whether `node` or a node inside it is TypeScript syntax, by TypeScript's own mark
 * (`TransformFlags.ContainsTypeScript`, what its type-stripping transform tests). Without the mark
 * (an API that does not expose it, a node without computed flags) every node counts as one.
 */
export function containsTypeScript(ts: typeof TS, node: TS.Node): boolean {
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
