/**
 * Funnel breakdowns for guarded readers: a breakdown value is named only if the people who started
 * the funnel with it pass the low-count filter. The others are gathered into one `*` breakdown
 * (each user has one breakdown value, so the cells add up and their digests XOR into the digest of
 * the union), which is itself filtered and noised like any cell; its median times are not shown.
 */
import type { FunnelCell } from './funnel.js';
import type { FunnelQuery } from './funnel-model.js';
import { xorDigests } from './guarded-statistics.js';
import { type PrivacyGuard, SUPPRESSED } from './privacy-guard.js';

export function guardFunnelBreakdowns(funnel: FunnelQuery, cells: readonly FunnelCell[], guard: PrivacyGuard): FunnelCell[] {
  if (funnel.breakdown === undefined) return [...cells];
  const shown = new Set<string | null>();
  for (const cell of cells) {
    if (cell.step === 0 && !guard.isLowCount(cell.users, cell.entityDigest)) shown.add(cell.breakdown);
  }
  const kept = cells.filter((cell) => shown.has(cell.breakdown));
  const gathered = new Map<number, FunnelCell>();
  for (const cell of cells) {
    if (shown.has(cell.breakdown)) continue;
    const before = gathered.get(cell.step);
    gathered.set(cell.step, {
      breakdown: SUPPRESSED,
      step: cell.step,
      users: (before?.users ?? 0) + cell.users,
      entityDigest: before === undefined ? xorDigests(cell.entityDigest, '') : xorDigests(before.entityDigest, cell.entityDigest),
      medianMs: null,
      middleMs: null,
    });
  }
  return [...kept, ...gathered.values()];
}
