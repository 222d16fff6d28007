/**
 * The call resolver for builds without a type checker (bundler plugins, Vitest): callees and
 * Logmill calls proven from the source alone.
 *
 *   async function load() {}        load()               → proven: same-module declaration
 *   import { save } from './cart'   save()               → proven if ./cart resolves to a module this
 *                                                          build instruments and exports an async
 *                                                          function declaration or const
 *   import { log } from 'logmill'   log.info('paid %s')  → a logger call: stamped
 *                                   const l = log.with(…); l.warn(…) → stamped
 *   import * as lm from 'logmill'   lm.log.info(…), new lm.Logger(…), lm.event(…) → the same
 *
 * What the checker finds and this does not (each falls back to the ambient context, which is
 * correct but slower, or leaves a log call unstamped): callees reached through re-exports,
 * namespace imports or object properties; loggers passed as parameters, stored in `let`s or class
 * fields, or typed only by an interface; `#private` method calls.
 */
import type * as TS from 'typescript';
import { type FunctionWithBody } from './analysis.js';
import type { CallResolver } from './call-resolver.js';
import { type Binding, findBinding } from './find-binding.js';
import { skipOuterExpressions } from './pass-context.js';
import { analyticCalls, logLevels } from './stamp-log-calls.js';

export interface SyntacticResolverHost {
  /** The file an import specifier names, from `importer`; undefined when it does not resolve. */
  resolveImport(specifier: string, importer: string): string | undefined;
  /** Another module of the build, parsed with parent pointers; undefined for modules it does not instrument. */
  readModule(fileName: string): TS.SourceFile | undefined;
}

/** Logmill's public entries, as a path (a resolved import) or as a package specifier. */
const LOGMILL_ENTRY = /[\\/](runtime[\\/](index|node|browser|public-api)|logmill[\\/]dist[\\/](esm|cjs)[\\/]runtime[\\/](index|node|browser|public-api))\.(d\.)?[cm]?[jt]s$/;

function hasModifier(ts: typeof TS, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === kind);
}

/** The async function a const or function binding holds, when it holds one. */
function functionOf(ts: typeof TS, binding: Binding | undefined): FunctionWithBody | undefined {
  if (binding?.kind === 'function') return binding.declaration;
  if (binding?.kind !== 'const' || binding.declaration.initializer === undefined) return undefined;
  const initializer = skipOuterExpressions(ts, binding.declaration.initializer);
  return ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer) ? initializer : undefined;
}

/** A module's export `name`, declared in that module (not re-exported from another). */
function exportedFunction(ts: typeof TS, module: TS.SourceFile, name: string): FunctionWithBody | undefined {
  for (const statement of module.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.body !== undefined && hasModifier(ts, statement, ts.SyntaxKind.ExportKeyword)) {
      const isDefault = hasModifier(ts, statement, ts.SyntaxKind.DefaultKeyword);
      if ((isDefault && name === 'default') || (!isDefault && statement.name?.text === name)) return statement;
    }
    if (ts.isVariableStatement(statement) && hasModifier(ts, statement, ts.SyntaxKind.ExportKeyword)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || declaration.name.text !== name) continue;
        return functionOf(ts, { kind: 'const', declaration });
      }
    }
    if (ts.isExportDeclaration(statement) && statement.moduleSpecifier === undefined && !statement.isTypeOnly && statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        if (element.name.text !== name || element.isTypeOnly) continue;
        const local = (element.propertyName ?? element.name).text;
        const declaration = module.statements.find((candidate) =>
          (ts.isFunctionDeclaration(candidate) && candidate.name?.text === local && candidate.body !== undefined) ||
          (ts.isVariableStatement(candidate) && candidate.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === local)));
        if (declaration === undefined) return undefined;
        if (ts.isFunctionDeclaration(declaration)) return declaration;
        const variable = (declaration as TS.VariableStatement).declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === local)!;
        return functionOf(ts, { kind: 'const', declaration: variable });
      }
    }
  }
  return undefined;
}

export function syntacticCallResolver(ts: typeof TS, host: SyntacticResolverHost): CallResolver {
  const isLogmillModule = (specifier: string, importer: string): boolean => {
    if (specifier === 'logmill') return true;
    const resolved = host.resolveImport(specifier, importer);
    return resolved !== undefined && LOGMILL_ENTRY.test(resolved);
  };

  /**
   * Whether `expression` is Logmill's export `name`: an identifier bound to it (renamed imports
   * included), or `name` read from a namespace import of Logmill (`logmill.log`).
   */
  const isLogmillImport = (expression: TS.Expression, name: string): boolean => {
    if (ts.isPropertyAccessExpression(expression)) {
      if (expression.name.text !== name || !ts.isIdentifier(expression.expression)) return false;
      const binding = findBinding(ts, expression.expression);
      return binding?.kind === 'namespace' && isLogmillModule(binding.module, expression.getSourceFile().fileName);
    }
    if (!ts.isIdentifier(expression)) return false;
    const binding = findBinding(ts, expression);
    return binding?.kind === 'import' && binding.imported === name && isLogmillModule(binding.module, expression.getSourceFile().fileName);
  };

  /** `log`, `log.with(…)`, `new Logger(…)`, or a const holding one of them. */
  const isLogger = (expression: TS.Expression, depth: number): boolean => {
    if (depth > 8) return false;
    const node = skipOuterExpressions(ts, expression);
    if (isLogmillImport(node, 'log')) return true;
    if (ts.isIdentifier(node)) {
      const binding = findBinding(ts, node);
      return binding?.kind === 'const' && binding.declaration.initializer !== undefined && isLogger(binding.declaration.initializer, depth + 1);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'with') {
      return isLogger(node.expression.expression, depth + 1);
    }
    return ts.isNewExpression(node) && isLogmillImport(node.expression, 'Logger');
  };

  const isRuntimeFunctionCall = (call: TS.CallExpression, name: string): boolean => isLogmillImport(call.expression, name);

  return {
    iteratesBuiltIn(expression) {
      const node = skipOuterExpressions(ts, expression);
      return ts.isArrayLiteralExpression(node) || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);
    },
    provenCallee(call) {
      const callee = skipOuterExpressions(ts, call.expression);
      if (!ts.isIdentifier(callee)) return undefined;
      const binding = findBinding(ts, callee);
      if (binding?.kind !== 'import') return functionOf(ts, binding);
      const importer = callee.getSourceFile().fileName;
      const fileName = host.resolveImport(binding.module, importer);
      const module = fileName === undefined ? undefined : host.readModule(fileName);
      return module === undefined ? undefined : exportedFunction(ts, module, binding.imported);
    },
    loggerCallSeverity(call) {
      const callee = call.expression;
      if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) return undefined;
      const severity = logLevels[callee.name.text];
      if (severity === undefined || call.arguments.length === 0) return undefined;
      return isLogger(callee.expression, 0) ? severity : undefined;
    },
    isModuleFieldsCall: (call) => call.arguments.length === 1 && isRuntimeFunctionCall(call, 'moduleFields'),
    analyticCall: (call) => analyticCalls.find((name) => isRuntimeFunctionCall(call, name)),
  };
}
