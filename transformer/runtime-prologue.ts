/**
 * Each instrumented file imports the hooks once and records its frames once, at module scope,
 * before any of its own code runs (so a circular import that calls in early still finds them).
 *
 *   'use strict';  import x from 'y';  ...
 *   →
 *   'use strict';
 *   import * as __logmill from "logmill/hooks";
 *   var __logmillFrame0 = __logmill.frame("checkout", "api/checkout", "src/api/checkout.ts", 12);
 *   import x from 'y';  ...
 */
import type * as TS from 'typescript';
import { names } from './analysis.js';
import type { Emit } from './emit.js';

export interface FrameRecord {
  name: string;
  module: string;
  file: string;
  line: number;
}

export function addRuntimePrologue(
  emit: Emit,
  sourceFile: TS.SourceFile,
  statements: readonly TS.Statement[],
  runtime: string,
  frames: readonly FrameRecord[],
): TS.SourceFile {
  const { ts, factory } = emit;
  const runtimeImport = factory.createImportDeclaration(
    undefined,
    factory.createImportClause(false, undefined, factory.createNamespaceImport(factory.createIdentifier(names.runtime))),
    factory.createStringLiteral(runtime),
  );
  const frameStatements = frames.map((frame, index) =>
    factory.createVariableStatement(
      undefined,
      factory.createVariableDeclarationList([
        factory.createVariableDeclaration(
          names.frame(index),
          undefined,
          undefined,
          emit.hook('frame', [
            factory.createStringLiteral(frame.name),
            factory.createStringLiteral(frame.module),
            factory.createStringLiteral(frame.file),
            factory.createNumericLiteral(frame.line),
          ]),
        ),
      ]),
    ),
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
    ...statements.slice(directiveCount),
  ]);
}

/** True when the file already imports the hooks: the transform has run on it before. */
export function hasRuntimePrologue(ts: typeof TS, sourceFile: TS.SourceFile): boolean {
  return sourceFile.statements.some(
    (statement) =>
      ts.isImportDeclaration(statement) &&
      statement.importClause?.namedBindings !== undefined &&
      ts.isNamespaceImport(statement.importClause.namedBindings) &&
      statement.importClause.namedBindings.name.text === names.runtime,
  );
}
