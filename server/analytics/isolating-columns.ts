/**
 * Isolating columns (Diffix's term): columns whose values mostly belong to one person each, such as
 * ids, sessions, request ids, emails, or any per-person value in `vars.*` and `attributes.*`. A
 * filter or a grouping on one picks out single people (`vars.userId = v-1 AND result = positive`),
 * so untrusted readers may not filter, group or break a funnel down by them; numeric bins and
 * snapped ranges over them stay allowed, as they gather many values.
 *
 * A column is isolating when more than half of the people who have a value in it share that value
 * with nobody else, or (a member of a JSON column) when fewer than about ten people hold it, both
 * counted with sticky noise, judged on the project's stored events and kept for ten minutes. Some
 * columns are isolating by what they are, whatever the data holds yet. The refusal names the
 * column but no share: it must not be an exact count of people alone with their value.
 */
import { QueryError } from '../domain/query-error.js';
import type { Store } from '../store/store.js';
import { xorDigests } from './value-tails.js';
import { type Field, fieldName } from '../domain/query-model.js';

/** Per event, per session, per trace or free text: never a group of people. */
const isolatingByDefinition = new Set(['id', 'session_id', 'trace_id', 'span_id', 'message', 'user_id']);
/** Share of a column's people alone with their value above which the column isolates. */
export const isolatingShare = 0.5;
/**
 * A member of `attributes`, `vars` or `experiments` that fewer people than this hold (give or take
 * the noise) isolates whatever its values: the share of a handful of people would be a number about
 * each of them.
 */
export const fewestHolders = 10;
const remembered = 10 * 60_000;

/** Sticky draws for one column's decision, seeded by the column and the people who hold it. */
export type ColumnNoise = (column: string, holdersDigest: string) => [number, number];

export class IsolatingColumns {
  readonly #known = new Map<string, { at: number; isolating: boolean }>();

  constructor(
    private readonly store: Store,
    private readonly entity: string,
    private readonly noise: ColumnNoise,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether `field` singles out people: by definition, held by too few people, or with more than
   * half of its holders alone with their value. The counts are noisy (sd 2 people, sticky for the
   * same holders), so the decision is no exact test of one person's value.
   */
  async isolating(project: string, field: Field): Promise<boolean> {
    const name = fieldName(field);
    if (isolatingByDefinition.has(name) || name === this.entity) return true;
    const key = `${project}\u0000${name}`;
    const known = this.#known.get(key);
    if (known !== undefined && this.now() - known.at < remembered) return known.isolating;
    const groups = await this.store.groupStatistics(project, { where: [], groupBy: [{ field }], aggregates: [{ fn: 'count' }], limit: 1 }, this.entity);
    let alone = 0;
    let people = 0;
    let holders = '';
    for (const group of groups) {
      if (group.labels[0] === null || group.labels[0] === undefined) continue;
      people += group.entities;
      if (group.entities === 1) alone++;
      holders = xorDigests(holders, group.entityDigest);
    }
    let isolating = false;
    if (people > 0) {
      const [holdersNoise, aloneNoise] = this.noise(`${project}\u0000${name}`, holders);
      const rare = 'json' in field && people + 2 * holdersNoise < fewestHolders;
      isolating = rare || alone + 2 * aloneNoise > isolatingShare * people;
    }
    this.#known.set(key, { at: this.now(), isolating });
    return isolating;
  }

  /** Throws a 403 naming the first of `uses` whose column isolates people. */
  async refuse(project: string, uses: readonly { field: Field; as: string }[]): Promise<void> {
    for (const use of uses) {
      if (!(await this.isolating(project, use.field))) continue;
      const name = fieldName(use.field);
      const why = isolatingByDefinition.has(name) ? 'each of its values belongs to one event, session or person' : 'it is held by few people, or most of its values belong to one person each';
      throw new QueryError('isolating_column', `${name} singles out people (${why}): untrusted readers cannot use it ${use.as}; group it in numeric bins or ask with a direct key`);
    }
  }
}
