/**
 * Funnels for guarded readers: low-effect detection per breakdown value (`settleFunnel`), and
 * breakdown values named only if the people who started the funnel with them pass the low-count
 * filter (`guardFunnelBreakdowns`). The others are gathered into one `*` breakdown (each user has
 * one breakdown value, so the cells add up and their digests XOR into the digest of the union),
 * shown only if it passes the low-count filter itself, and noised like any cell; its median times
 * are not shown.
 */
import type { Store } from '../store/store.js';
import type { FunnelCell } from './funnel.js';
import type { FunnelQuery } from './funnel-model.js';
import { type Condition, conditionsOf, xorDigests } from './guarded-statistics.js';
import { type PrivacyGuard, SUPPRESSED } from './privacy-guard.js';
import { type EventQuery, fieldName } from './query-model.js';

/** Conversion windows untrusted readers get: a window is widened to the next of these. */
export const snappedWindows = [3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000, 14 * 86_400_000, 30 * 86_400_000, 90 * 86_400_000, 366 * 86_400_000];

export function snapWindow(window: number): number {
  return snappedWindows.find((allowed) => allowed >= window) ?? snappedWindows.at(-1)!;
}

/** Whether each cell of `breakdown` changes from `asked` to `relaxed` by fewer people than the low-effect threshold. */
function lowEffect(breakdown: string | null, asked: readonly FunnelCell[], relaxed: readonly FunnelCell[], guard: PrivacyGuard, condition: string): boolean {
  const ofBreakdown = (cells: readonly FunnelCell[]) => new Map(cells.filter((cell) => cell.breakdown === breakdown).map((cell) => [cell.step, cell]));
  const before = ofBreakdown(asked);
  const after = ofBreakdown(relaxed);
  for (const step of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(step);
    const b = after.get(step);
    const difference = Math.abs((b?.users ?? 0) - (a?.users ?? 0));
    if (difference === 0 && (a?.entityDigest ?? '') === (b?.entityDigest ?? '')) continue;
    if (!guard.isLowEffect(Math.max(1, difference), xorDigests(a?.entityDigest ?? '', b?.entityDigest ?? ''), condition)) return false;
  }
  return true;
}

/**
 * A funnel's cells as the guard answers them, and per breakdown value the sticky layer's question.
 * Each step filter, and the `from`/`to` range, is tried away in turn (in a fixed order), per
 * breakdown value: where none of that value's cells changes by more people than the low-effect
 * threshold, it goes for that value, whose cells then come from the funnel without it. So a funnel
 * "with and without the victim" is one funnel, broken down or not. The question is made of what each
 * remaining filter selects (a prefix as the values it matches, duplicates once), not of its text.
 */
export async function settleFunnel(
  store: Store,
  guard: PrivacyGuard,
  project: string,
  funnel: FunnelQuery,
  cellsOf: (funnel: FunnelQuery) => Promise<FunnelCell[]>,
): Promise<{ cells: FunnelCell[]; questionOf: (breakdown: string | null) => string[] }> {
  const stepConditions: Condition[][] = [];
  for (const step of funnel.steps) {
    const named = { field: { column: 'name' as const }, op: 'eq' as const, value: step.name };
    const asked: EventQuery = { where: [named, ...step.where], groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 };
    stepConditions.push((await conditionsOf(store, project, asked)).filter((condition) => !condition.filters.includes(named)));
  }
  const range = funnel.from !== undefined || funnel.to !== undefined;
  const candidates = [
    ...(range ? [{ step: -1, item: JSON.stringify(['range', funnel.from ?? null, funnel.to ?? null]) }] : []),
    ...stepConditions.flatMap((conditions, step) => conditions.map((condition) => ({ step, item: condition.item }))).sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : a.step - b.step)),
  ];
  const signature = (dropped: ReadonlySet<number>) => [...dropped].sort((a, b) => a - b).join(',');
  const computed = new Map<string, Promise<FunnelCell[]>>();
  const cellsWithout = (dropped: ReadonlySet<number>): Promise<FunnelCell[]> => {
    const key = signature(dropped);
    let cells = computed.get(key);
    if (cells === undefined) {
      const gone = (step: number, item: string) => candidates.some((candidate, index) => dropped.has(index) && candidate.step === step && candidate.item === item);
      const rangeGone = range && dropped.has(0);
      computed.set(key, (cells = cellsOf({
        ...funnel,
        from: rangeGone ? undefined : funnel.from,
        to: rangeGone ? undefined : funnel.to,
        steps: funnel.steps.map((step, index) => ({ name: step.name, where: stepConditions[index]!.filter((condition) => !gone(index, condition.item)).flatMap((condition) => condition.filters) })),
      })));
    }
    return cells;
  };
  const asked = await cellsWithout(new Set());
  const droppedOf = new Map<string | null, Set<number>>([...new Set(asked.map((cell) => cell.breakdown))].map((breakdown) => [breakdown, new Set<number>()]));
  for (const [index] of candidates.entries()) {
    const bySignature = new Map<string, { dropped: Set<number>; breakdowns: (string | null)[] }>();
    for (const [breakdown, dropped] of droppedOf) {
      const entry = bySignature.get(signature(dropped)) ?? { dropped, breakdowns: [] };
      entry.breakdowns.push(breakdown);
      bySignature.set(signature(dropped), entry);
    }
    for (const { dropped, breakdowns } of bySignature.values()) {
      const relaxed = new Set([...dropped, index]);
      const [before, after] = [await cellsWithout(dropped), await cellsWithout(relaxed)];
      for (const breakdown of breakdowns) if (lowEffect(breakdown, before, after, guard, candidates[index]!.item)) droppedOf.set(breakdown, relaxed);
    }
  }
  const cells: FunnelCell[] = [];
  for (const [breakdown, dropped] of droppedOf) cells.push(...(await cellsWithout(dropped)).filter((cell) => cell.breakdown === breakdown));
  const shape = JSON.stringify(['funnel', funnel.steps.map((step) => step.name), funnel.window, funnel.order, funnel.exclusions, funnel.breakdown === undefined ? null : fieldName(funnel.breakdown)]);
  const questionOf = (breakdown: string | null) => {
    const dropped = droppedOf.get(breakdown) ?? new Set<number>();
    return [shape, ...candidates.filter((_, index) => !dropped.has(index)).map((candidate) => JSON.stringify([candidate.step, candidate.item]))];
  };
  return { cells, questionOf };
}

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
  // The `*` breakdown is itself filtered: shown only if enough people started in it, else left out
  // whole (its presence alone would say that some value is held by a few).
  const star = gathered.get(0);
  return star !== undefined && !guard.isLowCount(star.users, star.entityDigest) ? [...kept, ...gathered.values()] : kept;
}
