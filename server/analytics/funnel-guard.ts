/**
 * Funnel breakdowns for guarded readers: a breakdown value is named only if the people who started
 * the funnel with it pass the low-count filter. The others are gathered into one `*` breakdown
 * (each user has one breakdown value, so the cells add up and their digests XOR into the digest of
 * the union), shown only if it passes the low-count filter itself, and noised like any cell; its
 * median times are not shown.
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

/** Whether every cell of `relaxed` differs from its cell in `asked` by fewer people than the noisy low-count threshold. */
function lowEffect(asked: readonly FunnelCell[], relaxed: readonly FunnelCell[], guard: PrivacyGuard): boolean {
  const key = (cell: FunnelCell) => JSON.stringify([cell.breakdown, cell.step]);
  const before = new Map(asked.map((cell) => [key(cell), cell]));
  const keys = new Set([...before.keys(), ...relaxed.map(key)]);
  const after = new Map(relaxed.map((cell) => [key(cell), cell]));
  for (const cellKey of keys) {
    const a = before.get(cellKey);
    const b = after.get(cellKey);
    const difference = Math.abs((b?.users ?? 0) - (a?.users ?? 0));
    if (difference === 0 && (a?.entityDigest ?? '') === (b?.entityDigest ?? '')) continue;
    if (!guard.isLowEffect(Math.max(1, difference), xorDigests(a?.entityDigest ?? '', b?.entityDigest ?? ''))) return false;
  }
  return true;
}

/**
 * A funnel as the guard answers it, and the sticky layer's question. Each step filter, and the
 * `from`/`to` range, is tried away in turn (in a fixed order): if no cell changes by more people
 * than the noisy low-count threshold, it is left out, so a funnel "with and without the victim" is
 * one funnel. The question is made of what each remaining filter selects (a prefix as the values it
 * matches, duplicates once), not of the request's text.
 */
export async function settleFunnel(
  store: Store,
  guard: PrivacyGuard,
  project: string,
  funnel: FunnelQuery,
  cellsOf: (funnel: FunnelQuery) => Promise<FunnelCell[]>,
): Promise<{ funnel: FunnelQuery; cells: FunnelCell[]; question: string[] }> {
  const stepConditions: Condition[][] = [];
  for (const step of funnel.steps) {
    const named = { field: { column: 'name' as const }, op: 'eq' as const, value: step.name };
    const asked: EventQuery = { where: [named, ...step.where], groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 };
    stepConditions.push((await conditionsOf(store, project, asked)).filter((condition) => !condition.filters.includes(named)));
  }
  const build = (range: boolean) => ({
    ...funnel,
    from: range ? funnel.from : undefined,
    to: range ? funnel.to : undefined,
    steps: funnel.steps.map((step, index) => ({ name: step.name, where: stepConditions[index]!.flatMap((condition) => condition.filters) })),
  });
  let range = funnel.from !== undefined || funnel.to !== undefined;
  let current = build(range);
  let cells = await cellsOf(current);
  const candidates = [
    ...(range ? [{ step: -1, item: 'range' }] : []),
    ...stepConditions.flatMap((conditions, step) => conditions.map((condition) => ({ step, item: condition.item }))).sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : a.step - b.step)),
  ];
  for (const candidate of candidates) {
    const saved = candidate.step < 0 ? undefined : stepConditions[candidate.step]!;
    if (candidate.step < 0) range = false;
    else stepConditions[candidate.step] = saved!.filter((condition) => condition.item !== candidate.item);
    const relaxed = build(range);
    const relaxedCells = await cellsOf(relaxed);
    if (lowEffect(cells, relaxedCells, guard)) {
      current = relaxed;
      cells = relaxedCells;
    } else if (candidate.step < 0) {
      range = true;
    } else {
      stepConditions[candidate.step] = saved!;
    }
  }
  const question = [
    ...stepConditions.map((conditions, index) => JSON.stringify(['step', index, current.steps[index]!.name, conditions.map((condition) => condition.item).sort()])),
    JSON.stringify(['funnel', current.window, current.order, current.exclusions, current.breakdown === undefined ? null : fieldName(current.breakdown), current.from ?? null, current.to ?? null]),
  ];
  return { funnel: current, cells, question };
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
