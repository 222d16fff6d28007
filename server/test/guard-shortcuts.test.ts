/**
 * The guard's shortcuts give the answers of the long way: a grouping's sibling sets totalled once
 * (sibling-groups.ts) against summing and XOR-ing each group's siblings one by one, the low-effect
 * draw skipped from 11 people on against the draw itself. (A guarded question makes every read it
 * plans, repeats too: which reads coincide depends on the data, so collapsing them would let
 * timing tell what low-effect detection found.)
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { xorDigests } from '../analytics/guarded-statistics.js';
import { PrivacyGuard } from '../analytics/privacy-guard.js';
import { siblingsAround } from '../analytics/sibling-groups.js';
import type { GroupStatisticsRow } from '../store/row-mapping.js';
import { random } from './helpers/hostile-requests.js';

function digestOf(next: () => number, hex: boolean): string {
  if (hex) return Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(next() * 16)]).join('');
  return (BigInt(Math.floor(next() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(next() * 2 ** 32))).toString();
}

describe('the guard shortcuts', () => {
  it('totals sibling groups as summing and XOR-ing each group\'s siblings does', () => {
    const next = random(24);
    for (let trial = 0; trial < 60; trial++) {
      // Decimal digests (DuckDB, ClickHouse) or hex ones (computed in Node), some sets of one group.
      const hex = next() < 0.3;
      const asked = new Map<string, GroupStatisticsRow>();
      const groups = 1 + Math.floor(next() * 40);
      for (let index = 0; index < groups; index++) {
        const labels = [Math.floor(next() * 6), ['INFO', 'WARN', 'ERROR'][Math.floor(next() * 3)]!];
        const key = JSON.stringify(labels);
        asked.set(key, { labels, key, entities: Math.floor(next() * 30), entityDigest: next() < 0.05 ? '' : digestOf(next, hex), events: 1, top: [] });
      }
      for (const dimension of [0, 1]) {
        const setOf = (labels: readonly unknown[]) => JSON.stringify(labels.filter((_, index) => index !== dimension));
        const around = siblingsAround(asked, setOf);
        for (const group of asked.values()) {
          const siblings = [...asked.values()].filter((sibling) => setOf(sibling.labels) === setOf(group.labels) && sibling.key !== group.key);
          const expected: [number, string] = [siblings.reduce((sum, sibling) => sum + sibling.entities, 0), siblings.reduce((combined, sibling) => xorDigests(combined, sibling.entityDigest), '')];
          expect(around(group)).toEqual(expected);
        }
      }
    }
  });

  it('decides low effect from 11 people on as the draw does', () => {
    const guard = new PrivacyGuard('salt');
    const next = random(11);
    for (let trial = 0; trial < 3000; trial++) {
      const entities = 1 + Math.floor(next() * 15);
      const entityDigest = digestOf(next, false);
      const drawn = createHash('sha256').update(['salt', 'effect', 'condition', entityDigest].join('\u0000')).digest();
      expect(guard.isLowEffect(entities, entityDigest, 'condition')).toBe(entities < 1 + 10 * ((drawn.readUInt32BE(0) + 1) / 4294967296));
    }
  });
});
