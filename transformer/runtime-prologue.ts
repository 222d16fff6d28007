/**
 * Each instrumented file imports the hooks once and records its frames once, at module scope,
 * before any of its own code runs. A circular import can still call in before that: an ES module's
 * imports are evaluated before its body. Then the frame is undefined (the activation enters with
 * no frame of its own) and a log call passes its severity instead of its site (`__logmillSite0 ?? 9`).
 *
 *   'use strict';  import x from 'y';  ...
 *   →
 *   'use strict';
 *   import * as __logmill from "logmill/hooks";
 *   var __logmillFrame0 = __logmill.frame("checkout", "api/checkout", "src/api/checkout.ts", 12);
 *   var __logmillSite0 = __logmill.site(9, "api/checkout", "src/api/checkout.ts", 14, 5, "checkout");
 *   import x from 'y';  ...
 *
 * A CommonJS script (no import or export) compiled to CommonJS gets
 * `const __logmill = require("logmill/hooks");` instead: an import would turn it into an ES module,
 * whose CommonJS output marks `exports.__esModule` and changes how other modules import it.
 */
import type * as TS from 'typescript';
import { compileTemplate, markTemplateLiteralHoles } from '../runtime/format/compile-template.js';
import { names } from './analysis.js';
import type { Emit } from './emit.js';
import type { SourceTextEntry } from './keep-source-text.js';

export interface FrameRecord {
  name: string;
  module: string;
  file: string;
  line: number;
}

export interface SiteRecord extends FrameRecord {
  severityNumber: number;
  column: number;
  /** The message template, if it was a literal (or a template literal compiled into one). */
  template: string | undefined;
  /** True when the template was compiled from a template literal: its holes render with `String`. */
  templateLiteral?: boolean;
}

export function addRuntimePrologue(
  emit: Emit,
  sourceFile: TS.SourceFile,
  statements: readonly TS.Statement[],
  runtime: string,
  frames: readonly FrameRecord[],
  sites: readonly SiteRecord[],
  commonJsScript: boolean,
  /** The plain texts of the functions and classes whose text changed (keep-source-text.ts), when any did. */
  sourceTable?: { key: string; texts: readonly SourceTextEntry[] },
): TS.SourceFile {
  const { ts, factory } = emit;
  const runtimeImport = commonJsScript
    ? factory.createVariableStatement(
        undefined,
        factory.createVariableDeclarationList(
          [
            factory.createVariableDeclaration(
              names.runtime,
              undefined,
              undefined,
              factory.createCallExpression(factory.createIdentifier('require'), undefined, [factory.createStringLiteral(runtime)]),
            ),
          ],
          ts.NodeFlags.Const,
        ),
      )
    : factory.createImportDeclaration(
        undefined,
        factory.createImportClause(false, undefined, factory.createNamespaceImport(factory.createIdentifier(names.runtime))),
        factory.createStringLiteral(runtime),
      );
  const hoisted = (name: string, hook: string, args: TS.Expression[]): TS.Statement =>
    factory.createVariableStatement(
      undefined,
      factory.createVariableDeclarationList([factory.createVariableDeclaration(name, undefined, undefined, emit.hook(hook, args))]),
    );
  const text = (value: string): TS.Expression => factory.createStringLiteral(value);
  const entry = (value: SourceTextEntry): TS.Expression =>
    typeof value === 'string' ? text(value) : factory.createArrayLiteralExpression(value.map((part) => (typeof part === 'string' ? text(part) : factory.createNumericLiteral(part))));
  const number = (value: number): TS.Expression =>
    value < 0 ? factory.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, factory.createNumericLiteral(-value)) : factory.createNumericLiteral(value);
  // The parsed template as a literal: strings, numbers and arrays of them.
  const json = (value: unknown): TS.Expression =>
    typeof value === 'string' ? text(value) : typeof value === 'number' ? number(value) : factory.createArrayLiteralExpression((value as unknown[]).map(json));
  const compiled = (site: SiteRecord) => {
    const parsed = site.template === undefined ? undefined : compileTemplate(site.template);
    return parsed !== undefined && site.templateLiteral === true ? markTemplateLiteralHoles(parsed) : parsed;
  };
  const frameStatements = frames.map((frame, index) =>
    hoisted(names.frame(index), 'frame', [text(frame.name), text(frame.module), text(frame.file), number(frame.line)]),
  );
  const siteStatements = sites.map((site, index) =>
    hoisted(names.site(index), 'site', [
      number(site.severityNumber),
      text(site.module),
      text(site.file),
      number(site.line),
      number(site.column),
      text(site.name),
      ...(site.template === undefined ? [] : [text(site.template)]),
      ...(compiled(site) === undefined ? [] : [json(compiled(site))]),
    ]),
  );
  let directiveCount = 0;
  while (directiveCount < statements.length) {
    const statement = statements[directiveCount]!;
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) break;
    directiveCount++;
  }
  return factory.updateSourceFile(sourceFile, [
    ...statements.slice(0, directiveCount),
    runtimeImport,
    ...frameStatements,
    ...siteStatements,
    // Registered even when empty: the functions that keep no text need the runtime's toString too.
    ...(sourceTable === undefined
      ? []
      : [factory.createExpressionStatement(emit.hook('sourceTexts', [text(sourceTable.key), factory.createArrayLiteralExpression(sourceTable.texts.map(entry))]))]),
    ...statements.slice(directiveCount),
  ]);
}

/**
 * Whether a file with no import or export is written as CommonJS (`require`, `module.exports`,
 * `exports.x =`): such a file keeps loading as CommonJS whatever module kind the build emits, so
 * an `import` added to it would break it. The binder marks JavaScript files so; without a program
 * (bundlers), the same forms are looked for in the source.
 */
function writtenAsCommonJs(ts: typeof TS, sourceFile: TS.SourceFile): boolean {
  if ((sourceFile as { commonJsModuleIndicator?: TS.Node }).commonJsModuleIndicator !== undefined) return true;
  let found = false;
  const isModuleObject = (node: TS.Node): boolean => ts.isIdentifier(node) && (node.text === 'exports' || node.text === 'module');
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (
      (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0]!)) ||
      (ts.isPropertyAccessExpression(node) && isModuleObject(node.expression) && ((node.expression as TS.Identifier).text === 'exports' || node.name.text === 'exports'))
    ) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** True when the build emits this ES module as CommonJS (its imports become `require` calls). */
export function emitsCommonJs(ts: typeof TS, sourceFile: TS.SourceFile, options: TS.CompilerOptions): boolean {
  if (!ts.isExternalModule(sourceFile)) return false;
  const kind = options.module ?? ((options.target ?? ts.ScriptTarget.ES5) >= ts.ScriptTarget.ES2015 ? ts.ModuleKind.ES2015 : ts.ModuleKind.CommonJS);
  if (kind >= ts.ModuleKind.Node16 && kind <= ts.ModuleKind.NodeNext) return sourceFile.impliedNodeFormat === ts.ModuleKind.CommonJS;
  // Under `module` CommonJS and ES20xx/ESNext, TypeScript emits `.mts` as an ES module and `.cts` as
  // CommonJS whatever the option says (`preserve` keeps every file's syntax).
  if (kind === ts.ModuleKind.CommonJS || (kind >= ts.ModuleKind.ES2015 && kind <= ts.ModuleKind.ESNext)) {
    if (/\.m[jt]s$/.test(sourceFile.fileName)) return false;
    if (/\.c[jt]s$/.test(sourceFile.fileName)) return true;
  }
  return kind === ts.ModuleKind.CommonJS;
}

/** True when the file emits as CommonJS (or is written as CommonJS) and has no import or export of its own. */
export function isCommonJsScript(ts: typeof TS, sourceFile: TS.SourceFile, options: TS.CompilerOptions): boolean {
  if (ts.isExternalModule(sourceFile)) return false;
  if (writtenAsCommonJs(ts, sourceFile)) return true;
  const kind = options.module ?? ts.ModuleKind.CommonJS;
  if (kind === ts.ModuleKind.CommonJS) return true;
  return kind >= ts.ModuleKind.Node16 && kind <= ts.ModuleKind.NodeNext && sourceFile.impliedNodeFormat === ts.ModuleKind.CommonJS;
}

/** True when the file already has the hooks (import or require): the transform has run on it before. */
export function hasRuntimePrologue(ts: typeof TS, sourceFile: TS.SourceFile): boolean {
  return sourceFile.statements.some(
    (statement) =>
      (ts.isImportDeclaration(statement) &&
        statement.importClause?.namedBindings !== undefined &&
        ts.isNamespaceImport(statement.importClause.namedBindings) &&
        statement.importClause.namedBindings.name.text === names.runtime) ||
      (ts.isVariableStatement(statement) &&
        statement.declarationList.declarations.some(
          (declaration) => ts.isIdentifier(declaration.name) && declaration.name.text === names.runtime,
        )),
  );
}
