/**
 * Sibling groups for the guard's low-effect detection on groupings (guarded-statistics.ts): the
 * groups that share every label but one dimension's.
 */
import type { GroupStatisticsRow } from '../store/row-mapping.js';

/**
 * For each group, the people of its sibling groups (those of `asked` with the same `setOf` key,
 * the group itself left out) and the digest of them, exactly as summing and XOR-ing the siblings
 * one by one (`xorDigests` from '') gives them: each set is totalled once and the group's own
 * share taken back out, where going over every group's siblings afresh was quadratic (an hourly
 * series of a month by severity spent seconds there).
 */
export function siblingsAround(asked: ReadonlyMap<string, GroupStatisticsRow>, setOf: (labels: readonly unknown[]) => string): (group: GroupStatisticsRow) => [number, string] {
  const hex = (text: string) => /^[0-9a-f]{64}$/.test(text);
  const parse = (text: string) => (text === '' ? 0n : hex(text) ? BigInt(`0x${text}`) : BigInt(text));
  const sets = new Map<string, { entities: number; digest: bigint; members: number; hex: number }>();
  const ownOf = new Map<string, { set: string; entities: number; digest: bigint; hex: boolean }>();
  for (const group of asked.values()) {
    const set = setOf(group.labels);
    const digest = parse(group.entityDigest);
    const isHex = hex(group.entityDigest);
    const total = sets.get(set) ?? { entities: 0, digest: 0n, members: 0, hex: 0 };
    total.entities += group.entities;
    total.digest ^= digest;
    total.members++;
    if (isHex) total.hex++;
    sets.set(set, total);
    ownOf.set(group.key, { set, entities: group.entities, digest, hex: isHex });
  }
  return (group) => {
    const set = setOf(group.labels);
    const total = sets.get(set);
    if (total === undefined) return [0, ''];
    const own = ownOf.get(group.key);
    const mine = own !== undefined && own.set === set ? own : undefined;
    const members = total.members - (mine === undefined ? 0 : 1);
    if (members === 0) return [0, ''];
    const value = total.digest ^ (mine?.digest ?? 0n);
    const anyHex = total.hex - (mine?.hex === true ? 1 : 0) > 0;
    return [total.entities - (mine?.entities ?? 0), anyHex ? value.toString(16).padStart(64, '0') : value.toString()];
  };
}
