/**
 * A `catch` or `finally` block can run right after a rejected `await` resumed the activation, which
 * bypasses `resume`; each such block therefore opens by taking the slot again.
 *
 *   catch (e) { body }   →  catch (e) { __logmillOuter = __logmill.reenter(__logmillContext, __logmillOuter); body }
 *   finally { body }     →  finally { __logmillOuter = __logmill.reenter(__logmillContext, __logmillOuter); body }
 */
import type * as TS from 'typescript';
import type { Emit } from './emit.js';

function prependReenter(emit: Emit, block: TS.Block): TS.Block {
  return emit.factory.updateBlock(block, [emit.reenter(), ...block.statements]);
}

export function rewriteTryStatement(emit: Emit, node: TS.TryStatement): TS.TryStatement {
  const catchClause =
    node.catchClause === undefined
      ? undefined
      : emit.factory.updateCatchClause(
          node.catchClause,
          node.catchClause.variableDeclaration,
          prependReenter(emit, node.catchClause.block),
        );
  const finallyBlock = node.finallyBlock === undefined ? undefined : prependReenter(emit, node.finallyBlock);
  return emit.factory.updateTryStatement(node, node.tryBlock, catchClause, finallyBlock);
}
