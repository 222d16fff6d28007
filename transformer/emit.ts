/**
 * Builders for the code the rewrites emit. Every generated name comes from `names`, and every call
 * into the runtime goes through `hook`, so the protocol in runtime/hooks.ts is visible in one place.
 */
import type * as TS from 'typescript';
import { names } from './analysis.js';

export interface Emit {
  readonly ts: typeof TS;
  readonly factory: TS.NodeFactory;
  /** `__logmill.name(...args)` */
  hook(name: string, args: readonly TS.Expression[]): TS.CallExpression;
  /** `__logmillContext` */
  context(): TS.Identifier;
  /** `__logmillOuter` */
  outer(): TS.Identifier;
  /** `void 0` */
  undefinedValue(): TS.Expression;
  /**
   * `__logmillSlot.current`: the ambient slot, read and written inline on the hot path through the
   * activation's own `const __logmillSlot = __logmill.slot` (a local is cheaper for V8 than a load
   * through the module namespace at every suspension).
   */
  slot(): TS.PropertyAccessExpression;
  /** `__logmillSlot.current = value` */
  assignSlot(value: TS.Expression): TS.Expression;
  /** `__logmillAwaited`: holds an operand between its evaluation and the suspension. */
  awaited(): TS.Identifier;
  /** `__logmillOuter = __logmill.reenter(__logmillContext, __logmillOuter);` */
  reenter(): TS.Statement;
}

export function createEmit(ts: typeof TS, factory: TS.NodeFactory): Emit {
  const emit: Emit = {
    ts,
    factory,
    hook: (name, args) =>
      factory.createCallExpression(
        factory.createPropertyAccessExpression(factory.createIdentifier(names.runtime), name),
        undefined,
        args,
      ),
    context: () => factory.createIdentifier(names.context),
    outer: () => factory.createIdentifier(names.outer),
    undefinedValue: () => factory.createVoidZero(),
    slot: () => factory.createPropertyAccessExpression(factory.createIdentifier(names.slot), 'current'),
    assignSlot: (value) => factory.createAssignment(emit.slot(), value),
    awaited: () => factory.createIdentifier(names.awaited),
    reenter: () =>
      factory.createExpressionStatement(
        factory.createAssignment(emit.outer(), emit.hook('reenter', [emit.context(), emit.outer()])),
      ),
  };
  return emit;
}

/** The same chain of labels (`a: b: …`) around a new innermost statement. */
export function relabel(emit: Emit, chain: TS.LabeledStatement, replace: (statement: TS.Statement) => TS.Statement): TS.LabeledStatement {
  const { ts, factory } = emit;
  const inner = ts.isLabeledStatement(chain.statement) ? relabel(emit, chain.statement, replace) : replace(chain.statement);
  return factory.updateLabeledStatement(chain, chain.label, inner);
}
