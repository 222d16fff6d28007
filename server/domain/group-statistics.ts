/**
 * What a store tells the privacy guard about one group of a query: how many people, an order-free
 * digest of who they are, and their largest contributions, never the people themselves.
 */
export interface GroupStatistics {
  labels: readonly unknown[];
  /** Distinct protected entities. */
  entities: number;
  /** Any deterministic, order-free digest of the entity set (SQL: bit_xor of hashes; Node: XOR of SHA-256). */
  entityDigest: string;
  events: number;
  /** The largest per-entity event counts, descending (six suffice). */
  top: number[];
  /** The sticky layer's conditions for this group, if not the query's own (see analytics/guarded-statistics.ts). */
  conditions?: readonly string[];
  /** The labels that seed the sticky layer, if not all of `labels` (those of dimensions of low effect left out). */
  seedLabels?: readonly unknown[];
}

/** The label of groups too small to show on their own, gathered into one row (or one breakdown). */
export const SUPPRESSED = '*';
