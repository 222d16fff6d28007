/**
 * Calls to Logmill loggers (recognised through the type checker) get a call-site record hoisted to
 * module scope and the caller's context passed explicitly; a template literal message becomes a
 * `%` template plus args, so such events group by template too.
 *
 *   log.info('paid %s', amount)          →  log.__logmillAt(__logmillSite0 ?? 9, __logmillContext, 'paid %s', amount)
 *   log.info(message, amount)            →  log.__logmillAt(__logmillSite2 ?? 9, __logmillContext, message, amount)
 *   log.warn(`user ${id} paid ${cents}`)  →  log.__logmillAt(__logmillSite1 ?? 13, __logmillContext, "user %s paid %s", __logmill.templateHole(id), __logmill.templateHole(cents))
 *   var __logmillSite0 = __logmill.site(9, "api/checkout", "src/api/checkout.ts", 10, 5, "submit", "paid %s", ["paid ", ["s", 0, -1, -1]]);
 *   var __logmillSite1 = __logmill.site(13, "api/checkout", "src/api/checkout.ts", 12, 5, "submit", "user %s paid %s", ["user ", ["s", 32, -1, -1], ...]);
 *
 * A literal template is also parsed here, once (runtime/format/compile-template.ts), and the parsed
 * form rides in the site record, so rendering never parses it again. A template literal's holes are
 * marked in it (flag 32, TEMPLATE_LITERAL_HOLE): they render with `String(value)`, so the message
 * reads as the template literal did before the rewrite. A hole that may be an object, function or
 * symbol is made a string at the call (`templateHole` in runtime/hooks.ts), as the literal would
 * have: its `toString` runs there, and a later change to the object does not show in the message.
 *
 * Outside instrumented functions the context argument is `void 0` and the logger uses the ambient one.
 * The `?? severity` is for calls made before the module's own code ran (an ES module's imports run
 * before its body, so a circular import can call its functions while the site records are unset).
 */
import type * as TS from 'typescript';
import type { Emit } from './emit.js';

export const logLevels: Readonly<Record<string, number>> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };

const LOGGER_DECLARATION = /[\\/](runtime[\\/]logging[\\/]logger|logmill[\\/][^]*logger)\.(d\.)?[cm]?[jt]s$/;

/** The severity of a call to a Logmill logger's level method, or undefined for any other call. */
export function loggerCallSeverity(ts: typeof TS, checker: TS.TypeChecker, call: TS.CallExpression): number | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) return undefined;
  const severity = logLevels[callee.name.text];
  if (severity === undefined || call.arguments.length === 0) return undefined;
  const symbol = checker.getSymbolAtLocation(callee.name);
  const declaration = symbol?.declarations?.[0];
  if (declaration === undefined || !ts.isMethodDeclaration(declaration)) return undefined;
  const owner = declaration.parent;
  if (!ts.isClassDeclaration(owner) || owner.name?.text !== 'Logger') return undefined;
  return LOGGER_DECLARATION.test(declaration.getSourceFile().fileName) ? severity : undefined;
}

/** True when `call` calls the Logmill runtime function `name` declared in a file matching `file`. */
function isRuntimeFunctionCall(ts: typeof TS, checker: TS.TypeChecker, call: TS.CallExpression, name: string, file: RegExp): boolean {
  const callee = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression;
  // Most calls are ruled out by name alone; only the rest cost a checker lookup. An import renamed
  // with `as` is therefore not recognised.
  if (!ts.isIdentifier(callee) || callee.text !== name) return false;
  let symbol = checker.getSymbolAtLocation(callee);
  if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.[0];
  return (
    declaration !== undefined &&
    ts.isFunctionDeclaration(declaration) &&
    declaration.name?.text === name &&
    file.test(declaration.getSourceFile().fileName)
  );
}

/**
 * `moduleFields({ team })` → `moduleFields({ team }, "api/checkout/payment")`: the module a call
 * sits in is a compile-time fact.
 */
export function appendModuleName(emit: Emit, call: TS.CallExpression, module: string): TS.CallExpression {
  return emit.factory.updateCallExpression(call, call.expression, call.typeArguments, [
    ...call.arguments,
    emit.factory.createStringLiteral(module),
  ]);
}

export function isModuleFieldsCall(ts: typeof TS, checker: TS.TypeChecker, call: TS.CallExpression): boolean {
  return call.arguments.length === 1 && isRuntimeFunctionCall(ts, checker, call, 'moduleFields', /[\\/](runtime[\\/]logging[\\/]configure|logmill[\\/][^]*configure)\.(d\.)?[cm]?[jt]s$/);
}

/**
 * Analytic calls get a call-site record too, so their events carry module, call site and module
 * fields as log calls do:
 *
 *   event('paid', { cents })       →  __logmill.eventAt(__logmillSite3, __logmillContext, 'paid', { cents })
 *   identify(user, traits)         →  __logmillScope0 = __logmillContext = __logmill.identifyAt(__logmillSite4, __logmillContext, user, traits)
 *   experiment('x', 'b', run)      →  __logmill.experimentAt(__logmillSite5, 'x', 'b', run)
 *
 * `identify` inside an activation switches it to the returned context, so the rest of the
 * activation (its awaits and calls) carries the user; outside one, the context argument is `void 0`.
 */
export type AnalyticCall = 'event' | 'identify' | 'experiment';
export const analyticCalls: readonly AnalyticCall[] = ['event', 'identify', 'experiment'];

const ANALYTICS_DECLARATION = /[\\/](runtime[\\/]logging[\\/]analytics|logmill[\\/][^]*[\\/]analytics)\.(d\.)?[cm]?[jt]s$/;
const API_DECLARATION = /[\\/](runtime[\\/]api|logmill[\\/][^]*[\\/]api)\.(d\.)?[cm]?[jt]s$/;

export function analyticCall(ts: typeof TS, checker: TS.TypeChecker, call: TS.CallExpression): AnalyticCall | undefined {
  if (isRuntimeFunctionCall(ts, checker, call, 'event', ANALYTICS_DECLARATION)) return 'event';
  if (isRuntimeFunctionCall(ts, checker, call, 'identify', ANALYTICS_DECLARATION)) return 'identify';
  if (isRuntimeFunctionCall(ts, checker, call, 'experiment', API_DECLARATION)) return 'experiment';
  return undefined;
}

/**
 * One analytic call with its site; `context` is the activation's, or undefined outside one, and
 * `scope` its scope alias, which `identify` switches too.
 */
export function stampAnalyticCall(
  emit: Emit,
  kind: AnalyticCall,
  call: TS.CallExpression,
  siteName: string,
  context: TS.Identifier | undefined,
  scope?: string,
): TS.Expression {
  const { factory } = emit;
  const site = factory.createIdentifier(siteName);
  if (kind === 'experiment') return emit.hook('experimentAt', [site, ...call.arguments]);
  const stamped = emit.hook(kind === 'event' ? 'eventAt' : 'identifyAt', [site, context ?? emit.undefinedValue(), ...call.arguments]);
  if (kind !== 'identify' || context === undefined) return stamped;
  const switched = factory.createAssignment(emit.context(), stamped);
  return scope === undefined ? switched : factory.createAssignment(factory.createIdentifier(scope), switched);
}

/** `user ${id} paid ${cents}` → ['user %s paid %s', [id, cents]]; literal `%` doubles. */
export function compileTemplateLiteral(
  ts: typeof TS,
  literal: TS.TemplateExpression | TS.NoSubstitutionTemplateLiteral,
): [template: string, args: TS.Expression[]] {
  const escape = (text: string): string => text.replace(/%/g, '%%');
  if (ts.isNoSubstitutionTemplateLiteral(literal)) return [escape(literal.text), []];
  let template = escape(literal.head.text);
  const args: TS.Expression[] = [];
  for (const span of literal.templateSpans) {
    template += `%s${escape(span.literal.text)}`;
    args.push(span.expression);
  }
  return [template, args];
}

/** Operators whose result is a primitive whatever their operands (a `+` of objects converts them first). */
const primitiveBinaryOperators = new Set<string>([
  '+', '-', '*', '/', '%', '**', '&', '|', '^', '<<', '>>', '>>>', '==', '!=', '===', '!==', '<', '>', '<=', '>=', 'instanceof', 'in',
]);

/**
 * True when `expression` gives a string, number, boolean, bigint, null or undefined by its syntax
 * alone (a literal, a nested template literal, `typeof`, an arithmetic or comparison): such a hole
 * reads the same whenever it is rendered, so it needs no conversion at the call.
 */
function alwaysPrimitive(ts: typeof TS, expression: TS.Expression): boolean {
  while (ts.isParenthesizedExpression(expression)) expression = expression.expression;
  switch (expression.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TemplateExpression:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.TypeOfExpression:
    case ts.SyntaxKind.VoidExpression:
    case ts.SyntaxKind.DeleteExpression:
    case ts.SyntaxKind.PrefixUnaryExpression:
    case ts.SyntaxKind.PostfixUnaryExpression:
      return true;
    case ts.SyntaxKind.BinaryExpression:
      return primitiveBinaryOperators.has(ts.tokenToString((expression as TS.BinaryExpression).operatorToken.kind) ?? '');
    default:
      return false;
  }
}

export function stampLogCall(
  emit: Emit,
  call: TS.CallExpression,
  siteName: string,
  context: TS.Expression,
  compiledArgs: TS.Expression[] | undefined,
  /** The `%` template a template literal compiled into. */
  template: string | undefined,
  severityNumber: number,
): TS.CallExpression {
  const { factory, ts } = emit;
  const callee = call.expression as TS.PropertyAccessExpression;
  const [first, ...rest] = call.arguments;
  // The message stays at its call, where a reader looks for it: as written, or a template literal
  // as its `%s` template (the site record holds the same template, parsed).
  // A template literal's holes are made strings at the call where they may be objects (see
  // `templateHole`), so the message is what the literal gave then, not when a sink reads it.
  const holes = compiledArgs?.map((hole) => (alwaysPrimitive(ts, hole) ? hole : emit.hook('templateHole', [hole])));
  const message = holes === undefined ? [first!] : [ts.isStringLiteral(first!) ? first! : factory.createStringLiteral(template!), ...holes];
  return factory.updateCallExpression(
    call,
    factory.updatePropertyAccessExpression(callee, callee.expression, factory.createIdentifier('__logmillAt')),
    undefined,
    // `__logmillSite0 ?? 13`: a circular ES import can call into the module before its body (and
    // so its site records) ran; the call then still logs, at its severity (Logger.__logmillAt).
    [factory.createBinaryExpression(factory.createIdentifier(siteName), ts.SyntaxKind.QuestionQuestionToken, factory.createNumericLiteral(severityNumber)), context, ...message, ...rest],
  );
}
