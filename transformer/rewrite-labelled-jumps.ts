/**
 * A labelled `break` or `continue` from inside a `for await` body to a statement outside that loop
 * leaves the loop after it closed its iterator, which is an await the slot was handed back for.
 * Where such a jump lands, the slot is taken again (a no-op on the paths that did not jump):
 *
 *   outer: for (const a of as) { for await (const b of bs) { if (b) continue outer; } }
 *   →
 *   outer: for (const a of as) { __logmillOuter = __logmill.reenter(__logmillContext, __logmillOuter); for await … }
 *
 *   outer: for (let i = 0; i < n; i++) …   →   outer: for (let i = 0; i < n; __logmillOuter = __logmill.reenter(…), i++) …
 *   outer: while (more()) …                →   outer: while ((__logmillOuter = __logmill.reenter(…), more())) …
 *
 * and, as a `continue` may also end the loop, after the labelled statement:
 *
 *   block: { for await (const b of bs) { if (b) break block; } }
 *   →
 *   { block: { … } __logmillOuter = __logmill.reenter(__logmillContext, __logmillOuter); }
 *
 * A labelled `for await` needs none of this: its own rewrite takes the slot at the top of each
 * iteration and after the loop (rewrite-for-await.ts).
 */
import type * as TS from 'typescript';
import { labelledStatement } from './analysis.js';
import { type Emit, relabel } from './emit.js';
import { closeLoop } from './rewrite-for-await.js';

export interface LabelledJumps {
  breaks: boolean;
  continues: boolean;
}

/** Which jumps to this chain's labels leave a `for await` loop nested inside it. */
export function jumpsOutOfForAwait(ts: typeof TS, node: TS.LabeledStatement): LabelledJumps {
  const labels = new Set<string>();
  for (let chain: TS.Statement = node; ts.isLabeledStatement(chain); chain = chain.statement) labels.add(chain.label.text);
  const found: LabelledJumps = { breaks: false, continues: false };
  const visit = (child: TS.Node, insideForAwait: boolean): void => {
    if (ts.isFunctionLike(child) || ts.isClassStaticBlockDeclaration(child)) return;
    if ((ts.isBreakStatement(child) || ts.isContinueStatement(child)) && insideForAwait && child.label !== undefined && labels.has(child.label.text)) {
      if (ts.isBreakStatement(child)) found.breaks = true;
      else found.continues = true;
      return;
    }
    const entersForAwait = ts.isForOfStatement(child) && child.awaitModifier !== undefined;
    ts.forEachChild(child, (grandchild) => visit(grandchild, insideForAwait || (entersForAwait && grandchild === child.statement)));
  };
  visit(labelledStatement(ts, node), false);
  return found;
}

function reenterExpression(emit: Emit): TS.Expression {
  return emit.factory.createAssignment(emit.outer(), emit.hook('reenter', [emit.context(), emit.outer()]));
}

function withReenter(emit: Emit, body: TS.Statement): TS.Block {
  const statements = emit.ts.isBlock(body) ? body.statements : [body];
  return emit.factory.createBlock([emit.reenter(), ...statements], true);
}

function beforeTest(emit: Emit, test: TS.Expression): TS.Expression {
  return emit.factory.createParenthesizedExpression(emit.factory.createComma(reenterExpression(emit), test));
}

/** The loop a `continue` lands in takes the slot before any of its own code runs again. */
function reenterEachIteration(emit: Emit, loop: TS.Statement): TS.Statement {
  const { ts, factory } = emit;
  if (ts.isForStatement(loop)) {
    const incrementor = loop.incrementor === undefined ? reenterExpression(emit) : factory.createComma(reenterExpression(emit), loop.incrementor);
    return factory.updateForStatement(loop, loop.initializer, loop.condition, incrementor, withReenter(emit, loop.statement));
  }
  if (ts.isWhileStatement(loop)) return factory.updateWhileStatement(loop, beforeTest(emit, loop.expression), withReenter(emit, loop.statement));
  if (ts.isDoStatement(loop)) return factory.updateDoStatement(loop, withReenter(emit, loop.statement), beforeTest(emit, loop.expression));
  if (ts.isForOfStatement(loop)) return factory.updateForOfStatement(loop, loop.awaitModifier, loop.initializer, loop.expression, withReenter(emit, loop.statement));
  if (ts.isForInStatement(loop)) return factory.updateForInStatement(loop, loop.initializer, loop.expression, withReenter(emit, loop.statement));
  return loop;
}

/** Applies `jumps` to the (already visited) labelled statement. */
export function rewriteLabelledJumps(emit: Emit, node: TS.LabeledStatement, jumps: LabelledJumps): TS.Statement {
  const continued = jumps.continues ? relabel(emit, node, (loop) => reenterEachIteration(emit, loop)) : node;
  // A `continue` can also end the loop (its test fails, its iterator is done): both land after it.
  return closeLoop(emit, continued);
}
