/**
 * Isolating columns (Diffix's term): columns whose values mostly belong to one person each, such as
 * ids, sessions, request ids, emails, or any per-person value in `vars.*` and `attributes.*`. A
 * filter or a grouping on one picks out single people (`vars.userId = v-1 AND result = positive`),
 * so untrusted readers may not filter, group or break a funnel down by them; numeric bins and
 * snapped ranges over them stay allowed, as they gather many values.
 *
 * A column is isolating when more than half of the people who have a value in it share that value
 * with nobody else, judged on the project's stored events and kept for ten minutes. Some columns are
 * isolating by what they are, whatever the data holds yet.
 */
import { ClientError } from '../collector/client-error.js';
import type { Store } from '../store/store.js';
import { type Field, fieldName } from './query-model.js';

/** Per event, per session, per trace or free text: never a group of people. */
const isolatingByDefinition = new Set(['id', 'session_id', 'trace_id', 'span_id', 'message', 'user_id']);
/** Share of a column's people alone with their value above which the column isolates. */
export const isolatingShare = 0.5;
const remembered = 10 * 60_000;

export class IsolatingColumns {
  readonly #known = new Map<string, { at: number; share: number }>();

  constructor(
    private readonly store: Store,
    private readonly entity: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The share of people holding a value of `field` that no one else holds (0 for a column with no values). */
  async share(project: string, field: Field): Promise<number> {
    const name = fieldName(field);
    if (isolatingByDefinition.has(name) || name === this.entity) return 1;
    const key = `${project}\u0000${name}`;
    const known = this.#known.get(key);
    if (known !== undefined && this.now() - known.at < remembered) return known.share;
    const groups = await this.store.groupStatistics(project, { where: [], groupBy: [{ field }], aggregates: [{ fn: 'count' }], limit: 1 }, this.entity);
    let alone = 0;
    let people = 0;
    for (const group of groups) {
      if (group.labels[0] === null || group.labels[0] === undefined) continue;
      people += group.entities;
      if (group.entities === 1) alone++;
    }
    const share = people === 0 ? 0 : alone / people;
    this.#known.set(key, { at: this.now(), share });
    return share;
  }

  /** Throws a 403 naming the first of `uses` whose column isolates people. */
  async refuse(project: string, uses: readonly { field: Field; as: string }[]): Promise<void> {
    for (const use of uses) {
      const share = await this.share(project, use.field);
      if (share > isolatingShare) {
        const name = fieldName(use.field);
        const why = share === 1 && isolatingByDefinition.has(name) ? 'each of its values belongs to one event, session or person' : `${Math.round(share * 100)}% of the people with a value in it are alone with that value`;
        throw new ClientError(403, 'isolating_column', `${name} singles out people (${why}): untrusted readers cannot use it ${use.as}; group it in numeric bins or ask with a direct key`);
      }
    }
  }
}
