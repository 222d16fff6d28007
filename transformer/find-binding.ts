/**
 * Which declaration an identifier refers to, read from the source alone (no type checker): the
 * innermost enclosing scope that declares the name wins, as JavaScript's scoping does.
 *
 *   import { load } from './cart';     function f() { const load = other; load(); }
 *   load();   → the import            →  the local const (it shadows the import)
 *
 * CommonJS forms count as imports: `import x = require('m')` and `const x = require('m')` as a
 * namespace import of `m`, `const { a } = require('m')` as an import of `a`.
 *
 * The answer is `undefined` whenever the binding is anything the rewrite cannot reason about
 * (a parameter, a `let`, another destructured name, two function declarations with bodies), so callers
 * only act on bindings they can prove.
 */
import type * as TS from 'typescript';

/** A binding the rewrite can reason about, or `other` for one it cannot. */
export type Binding =
  | { kind: 'function'; declaration: TS.FunctionDeclaration }
  | { kind: 'const'; declaration: TS.VariableDeclaration }
  | { kind: 'import'; imported: string; module: string }
  | { kind: 'namespace'; module: string }
  | { kind: 'other' };

function bindsName(ts: typeof TS, name: TS.BindingName, text: string): boolean {
  if (ts.isIdentifier(name)) return name.text === text;
  return name.elements.some((element) => !ts.isOmittedExpression(element) && bindsName(ts, element.name, text));
}

/** The module of `require('module')`, when `require` is the global one (CommonJS). */
function requiredModule(ts: typeof TS, expression: TS.Expression | undefined): string | undefined {
  while (expression !== undefined && ts.isParenthesizedExpression(expression)) expression = expression.expression;
  if (expression === undefined || !ts.isCallExpression(expression) || !ts.isIdentifier(expression.expression) || expression.expression.text !== 'require') return undefined;
  const [specifier, ...rest] = expression.arguments;
  if (specifier === undefined || rest.length > 0 || !ts.isStringLiteralLike(specifier)) return undefined;
  return findBinding(ts, expression.expression) === undefined ? specifier.text : undefined;
}

/**
 * `const { log, event: track } = require('logmill')`, or the same from a const or `import x =
 * require()` holding the module: the name is that module's export, as an import of it would be.
 */
function destructuredImport(ts: typeof TS, declaration: TS.VariableDeclaration, text: string): Binding | undefined {
  if (!ts.isObjectBindingPattern(declaration.name)) return undefined;
  const element = declaration.name.elements.find((candidate) => ts.isIdentifier(candidate.name) && candidate.name.text === text);
  const property = element?.propertyName ?? element?.name;
  if (element === undefined || element.dotDotDotToken !== undefined || element.initializer !== undefined || property === undefined) return undefined;
  if (!ts.isIdentifier(property) && !ts.isStringLiteral(property)) return undefined;
  const initializer = declaration.initializer;
  const source = initializer !== undefined && ts.isIdentifier(initializer) ? findBinding(ts, initializer) : undefined;
  const module = source?.kind === 'namespace' ? source.module : requiredModule(ts, initializer);
  return module === undefined ? undefined : { kind: 'import', imported: property.text, module };
}

function variableBinding(ts: typeof TS, list: TS.VariableDeclarationList, text: string): Binding | undefined {
  for (const declaration of list.declarations) {
    if (!bindsName(ts, declaration.name, text)) continue;
    if ((list.flags & ts.NodeFlags.Const) === 0) return { kind: 'other' };
    if (!ts.isIdentifier(declaration.name)) return destructuredImport(ts, declaration, text) ?? { kind: 'other' };
    const module = requiredModule(ts, declaration.initializer);
    return module === undefined ? { kind: 'const', declaration } : { kind: 'namespace', module };
  }
  return undefined;
}

/** `var` declarations anywhere in a function body or module, not inside nested functions. */
function hoistedVar(ts: typeof TS, node: TS.Node, text: string): Binding | undefined {
  let found: Binding | undefined;
  const visit = (child: TS.Node): void => {
    if (found !== undefined || ts.isFunctionLike(child) || ts.isClassLike(child)) return;
    if (ts.isVariableDeclarationList(child) && (child.flags & ts.NodeFlags.BlockScoped) === 0) {
      if (variableBinding(ts, child, text) !== undefined) {
        found = { kind: 'other' };
        return;
      }
    }
    ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

function importBinding(ts: typeof TS, statement: TS.ImportDeclaration, text: string): Binding | undefined {
  const clause = statement.importClause;
  if (clause === undefined || !ts.isStringLiteral(statement.moduleSpecifier)) return undefined;
  const module = statement.moduleSpecifier.text;
  if (clause.name?.text === text) return clause.isTypeOnly ? { kind: 'other' } : { kind: 'import', imported: 'default', module };
  const bindings = clause.namedBindings;
  if (bindings === undefined) return undefined;
  if (ts.isNamespaceImport(bindings)) {
    if (bindings.name.text !== text) return undefined;
    return clause.isTypeOnly ? { kind: 'other' } : { kind: 'namespace', module };
  }
  for (const element of bindings.elements) {
    if (element.name.text !== text) continue;
    if (clause.isTypeOnly || element.isTypeOnly) return { kind: 'other' };
    return { kind: 'import', imported: (element.propertyName ?? element.name).text, module };
  }
  return undefined;
}

/** Declarations made directly by the statements of a block, module or case block. */
function statementsBinding(ts: typeof TS, statements: readonly TS.Statement[], text: string): Binding | undefined {
  let found: Binding | undefined;
  for (const statement of statements) {
    let binding: Binding | undefined;
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === text) {
      // Overload signatures have no body; a second body makes the binding ambiguous.
      if (statement.body === undefined) continue;
      binding = found === undefined ? { kind: 'function', declaration: statement } : { kind: 'other' };
    } else if ((ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name?.text === text) {
      binding = { kind: 'other' };
    } else if (ts.isVariableStatement(statement) && (statement.declarationList.flags & ts.NodeFlags.BlockScoped) !== 0) {
      binding = variableBinding(ts, statement.declarationList, text);
    } else if (ts.isImportDeclaration(statement)) {
      binding = importBinding(ts, statement, text);
    } else if (ts.isImportEqualsDeclaration(statement) && statement.name.text === text) {
      const reference = statement.moduleReference;
      binding = !statement.isTypeOnly && ts.isExternalModuleReference(reference) && ts.isStringLiteralLike(reference.expression)
        ? { kind: 'namespace', module: reference.expression.text }
        : { kind: 'other' };
    }
    if (binding !== undefined) {
      if (binding.kind !== 'function') return binding;
      found = binding;
    }
  }
  return found;
}

function functionScopeBinding(ts: typeof TS, fn: TS.SignatureDeclaration, text: string): Binding | undefined {
  if (text === 'arguments' && !ts.isArrowFunction(fn)) return { kind: 'other' };
  if (fn.parameters.some((parameter) => bindsName(ts, parameter.name, text))) return { kind: 'other' };
  if ((ts.isFunctionExpression(fn) || ts.isClassExpression(fn)) && fn.name?.text === text) return { kind: 'other' };
  const body = (fn as { body?: TS.Node }).body;
  return body === undefined ? undefined : hoistedVar(ts, body, text);
}

/** The binding `identifier` refers to, or undefined for a global (or anything not declared in the file). */
export function findBinding(ts: typeof TS, identifier: TS.Identifier): Binding | undefined {
  const text = identifier.text;
  for (let node: TS.Node = identifier.parent; node !== undefined; node = node.parent) {
    let binding: Binding | undefined;
    if (ts.isBlock(node) || ts.isModuleBlock(node)) binding = statementsBinding(ts, node.statements, text);
    else if (ts.isCaseBlock(node)) binding = statementsBinding(ts, node.clauses.flatMap((clause) => clause.statements), text);
    else if (ts.isSourceFile(node)) binding = statementsBinding(ts, node.statements, text) ?? hoistedVar(ts, node, text);
    else if (ts.isCatchClause(node)) binding = node.variableDeclaration !== undefined && bindsName(ts, node.variableDeclaration.name, text) ? { kind: 'other' } : undefined;
    else if ((ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) && node.initializer !== undefined && ts.isVariableDeclarationList(node.initializer)) {
      binding = variableBinding(ts, node.initializer, text) === undefined ? undefined : { kind: 'other' };
    } else if (ts.isClassExpression(node) && node.name?.text === text) binding = { kind: 'other' };
    else if (ts.isFunctionLike(node)) binding = functionScopeBinding(ts, node, text);
    if (binding !== undefined) return binding;
    if (ts.isSourceFile(node)) return undefined;
  }
  return undefined;
}
