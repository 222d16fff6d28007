/**
 * Funnels for guarded readers: low-effect detection per breakdown value (`settleFunnel`), and
 * breakdown values named only if the people who started the funnel with them pass the low-count
 * filter (`guardFunnelBreakdowns`). The others are gathered into one `*` breakdown (each user has
 * one breakdown value, so the cells add up and their digests XOR into the digest of the union),
 * shown only if it passes the low-count filter itself, and noised like any cell; its median times
 * are not shown.
 */
import { QueryError } from '../domain/query-error.js';
import type { Store } from '../store/store.js';
import { type FunnelCell, type FunnelCellsAndWhole, type FunnelQuery, cellsAndWholeEach } from '../domain/funnel-model.js';
import { type Condition, conditionsOf, seedItem } from './question-conditions.js';
import { type SettledValues, settleCondition, xorDigests } from './value-tails.js';
import { type PrivacyGuard, labelItem } from './privacy-guard.js';
import { SUPPRESSED } from '../domain/group-statistics.js';
import { type EventQuery, fieldName } from '../domain/query-model.js';

/** Conversion windows untrusted readers get: a window is widened to the next of these. */
export const snappedWindows = [3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000, 14 * 86_400_000, 30 * 86_400_000, 90 * 86_400_000, 366 * 86_400_000];

const widestWindow = snappedWindows.at(-1)!;

export function snapWindow(window: number): number {
  return snappedWindows.find((allowed) => allowed >= window) ?? snappedWindows.at(-1)!;
}

/**
 * How many people at most a part changes in any cell of `breakdown` from `asked` to `relaxed`, if
 * every cell changes by fewer than the low-effect threshold (the part is of low effect); else undefined.
 */
function lowEffectSize(breakdown: string | null, asked: readonly FunnelCell[], relaxed: readonly FunnelCell[], guard: PrivacyGuard, condition: string): number | undefined {
  const ofBreakdown = (cells: readonly FunnelCell[]) => new Map(cells.filter((cell) => cell.breakdown === breakdown).map((cell) => [cell.step, cell]));
  const before = ofBreakdown(asked);
  const after = ofBreakdown(relaxed);
  let largest = 0;
  for (const step of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(step);
    const b = after.get(step);
    const difference = Math.abs((b?.users ?? 0) - (a?.users ?? 0));
    if (difference === 0 && (a?.entityDigest ?? '') === (b?.entityDigest ?? '')) continue;
    if (!guard.isLowEffect(Math.max(1, difference), xorDigests(a?.entityDigest ?? '', b?.entityDigest ?? ''), condition)) return undefined;
    largest = Math.max(largest, difference, 1);
  }
  return largest;
}

function lowEffect(breakdown: string | null, asked: readonly FunnelCell[], relaxed: readonly FunnelCell[], guard: PrivacyGuard, condition: string): boolean {
  return lowEffectSize(breakdown, asked, relaxed, guard, condition) !== undefined;
}

/**
 * A step filter's seed, and the values whose rows go. A prefix or numeric range counts as the
 * values it selects among the step's rows (a funnel cell does not read its own rows' values), less
 * a tail of values too few people hold to pass the low-count filter, whose rows go where the tail
 * is of low effect (`settleValues`): `prefix "posi"` is `eq "positive"`, a value only one person
 * holds cannot move the seed, nor tell by the people it adds whether it exists; where most values
 * are rare the filter is seeded as written. Beyond 1,000 values it counts as written.
 */
async function stepSeedItem(store: Store, guard: PrivacyGuard, project: string, entity: string, step: string, condition: Condition): Promise<SettledValues> {
  if (condition.valuesOf === undefined) return { item: seedItem(condition), tail: [] };
  const named = { field: { column: 'name' as const }, op: 'eq' as const, value: step };
  const groups = await store.groupStatistics(project, { where: [named, ...condition.filters], groupBy: [{ field: condition.valuesOf }], aggregates: [{ fn: 'count' }], limit: 1001 }, entity);
  const holders = groups.length > 1000 ? undefined : groups.flatMap((group) => (group.labels[0] === null || group.labels[0] === undefined ? [] : [{ value: String(group.labels[0]), entities: group.entities, entityDigest: group.entityDigest }]));
  return settleCondition(guard, fieldName(condition.valuesOf), seedItem(condition), condition.filters, holders);
}

/**
 * A funnel range's seed: the first and last minutes in it that hold first-step rows of enough
 * people to pass the low-count filter. Not the bounds as written (a `from` moved through the empty
 * past would draw afresh each time), and not every minute with rows: one person's row outside the
 * funnel, alone in its minute, would move it. Beyond 100,000 such minutes, the bounds as written.
 */
async function rangeSeedItem(store: Store, guard: PrivacyGuard, project: string, entity: string, funnel: FunnelQuery): Promise<string> {
  const named = { field: { column: 'name' as const }, op: 'eq' as const, value: funnel.steps[0]!.name };
  const minutes = await store.groupStatistics(project, { from: funnel.from, to: funnel.to, where: [named], groupBy: [{ time: 'minute' }], aggregates: [{ fn: 'count' }], limit: 100_000 }, entity);
  if (minutes.length > 100_000) return JSON.stringify(['range', funnel.from ?? null, funnel.to ?? null]);
  let [first, last] = [Infinity, -Infinity];
  for (const minute of minutes) {
    if (guard.isLowCount(minute.entities, minute.entityDigest)) continue;
    const label = minute.labels[0];
    const time = label instanceof Date ? label.getTime() : Number(label);
    if (time < first) first = time;
    if (time > last) last = time;
  }
  return JSON.stringify(['range', ...(first <= last ? [first, last] : [])]);
}

/**
 * Parts (the range, step filters, exclusions, a window under a year, an order other than
 * sequential) a guarded funnel may have: every combination of them is computed. Seven, so that six
 * filters beside the default 14-day window still go.
 */
export const guardedFunnelParts = 7;

/**
 * The parts that go for one breakdown value: round after round, of the parts of low effect given
 * those already gone, the one that changes the fewest people (ties in the parts' order), until
 * none is. A part that removes only the victim ("plan = pro") goes before the others are judged,
 * which are then judged as if it had never been written (judged in a fixed order instead, a range
 * tried while it stood told by its draw whether it excluded the victim).
 */
async function droppedFor(candidates: readonly Candidate[], cellsWithout: (dropped: ReadonlySet<number>) => Promise<FunnelCell[]>, breakdown: string | null, guard: PrivacyGuard): Promise<Set<number>> {
  let dropped = new Set<number>();
  for (let round = 0; round < candidates.length; round++) {
    let least: { index: number; size: number } | undefined;
    for (const [index, candidate] of candidates.entries()) {
      if (dropped.has(index)) continue;
      const size = lowEffectSize(breakdown, await cellsWithout(dropped), await cellsWithout(new Set([...dropped, index])), guard, candidate.draw ?? candidate.item);
      if (size !== undefined && (least === undefined || size < least.size)) least = { index, size };
    }
    if (least === undefined) break;
    dropped = new Set([...dropped, least.index]);
  }
  return dropped;
}

/** One part of a funnel that may go as of low effect: its `from`/`to` range, a step's filter, an exclusion, its window or its order. */
interface Candidate {
  kind: 'range' | 'filter' | 'exclusion' | 'window' | 'order';
  step: number;
  /** Seed material: a value filter's values, otherwise the part as written. */
  item: string;
  /** The seed of its low-effect draw, where not `item` (one for every range, and for every prefix of a field). */
  draw?: string | undefined;
  exclusion?: number;
}

/**
 * A funnel's cells as the guard answers them, and per breakdown value the sticky layer's question.
 * The `from`/`to` range, each step filter and each exclusion is tried away, per breakdown value:
 * where none of that value's cells changes by more people than the low-effect threshold, it may go
 * for that value (the one that changes the fewest first, then the rest tried again without it),
 * whose cells then come from the funnel without it.
 * So a funnel "with and without the victim" is one funnel, broken down or not, and an exclusion of
 * an event that never happens is no exclusion. The question is made of what each remaining part
 * selects (a prefix as the values it matches, the range as the first and last buckets it keeps),
 * never of names that select nothing; a breakdown that splits nothing (one value) is no breakdown.
 */
export async function settleFunnel(
  store: Store,
  guard: PrivacyGuard,
  project: string,
  funnel: FunnelQuery,
  cellsOf: (funnel: FunnelQuery) => Promise<FunnelCell[]>,
  /** A funnel's cells with its breakdown and without it, from one read where the store can. */
  cellsAndWholeOf: (funnel: FunnelQuery, alsoWindow?: number) => Promise<FunnelCellsAndWhole> = (asked, alsoWindow) =>
    cellsAndWholeEach(asked, alsoWindow, async (each) => ({ cells: await cellsOf(each), whole: await cellsOf({ ...each, breakdown: undefined }) })),
  entity = 'user_id',
): Promise<{ cells: FunnelCell[]; questionOf: (breakdown: string | null, step: number) => string[]; labelOf: (breakdown: string | null) => string | null; firstStepItemsOf: (breakdown: string | null) => string[] }> {
  const stepConditions: Condition[][] = [];
  for (const step of funnel.steps) {
    const named = { field: { column: 'name' as const }, op: 'eq' as const, value: step.name };
    const asked: EventQuery = { where: [named, ...step.where], groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 };
    stepConditions.push(conditionsOf(asked).filter((condition) => !condition.filters.includes(named)));
  }
  const itemOf = new Map<Condition, string>();
  for (const [step, conditions] of stepConditions.entries()) {
    for (const [index, condition] of conditions.entries()) {
      const { item, tail } = await stepSeedItem(store, guard, project, entity, funnel.steps[step]!.name, condition);
      // The tail's rows go: the filter selects the values enough people hold.
      const settled = tail.length === 0 ? condition : { ...condition, filters: [...condition.filters, ...tail.map((value) => ({ field: condition.valuesOf!, op: 'ne' as const, value }))] };
      conditions[index] = settled;
      itemOf.set(settled, item);
    }
  }
  const range = funnel.from !== undefined || funnel.to !== undefined;
  const candidates: Candidate[] = [
    ...(range ? [{ kind: 'range' as const, step: -1, item: await rangeSeedItem(store, guard, project, entity, funnel), draw: JSON.stringify(['range']) }] : []),
    ...stepConditions.flatMap((conditions, step) => conditions.map((condition) => ({ kind: 'filter' as const, step, item: itemOf.get(condition)!, draw: condition.draw }))).sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : a.step - b.step)),
    ...funnel.exclusions.map((exclusion, index) => ({ kind: 'exclusion' as const, step: -2, item: JSON.stringify(['exclusion', exclusion.name, exclusion.fromStep, exclusion.toStep]), exclusion: index })).sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : a.exclusion - b.exclusion)),
    // The window and the order are conditions on the later steps too: against the widest window
    // and the sequential order, they leave people out. Where those are few they go (so a window
    // that leaves out only one person answers as the widest), and where they stand they seed the
    // later steps (so two windows are two questions, never one answer that moves exactly when
    // that person is in it).
    ...(funnel.steps.length > 1 && funnel.window < widestWindow ? [{ kind: 'window' as const, step: 1, item: JSON.stringify(['window', funnel.window]), draw: JSON.stringify(['window']) }] : []),
    ...(funnel.steps.length > 1 && funnel.order !== 'sequential' ? [{ kind: 'order' as const, step: 1, item: JSON.stringify(['order', funnel.order]), draw: JSON.stringify(['order']) }] : []),
  ];
  const signature = (dropped: ReadonlySet<number>) => [...dropped].sort((a, b) => a - b).join(',');
  const computed = new Map<string, Promise<FunnelCell[]>>();
  const funnelWithout = (dropped: ReadonlySet<number>): FunnelQuery => {
    const gone = (kind: Candidate['kind'], step: number, item: string) => candidates.some((candidate, index) => dropped.has(index) && candidate.kind === kind && candidate.step === step && candidate.item === item);
    const rangeGone = range && dropped.has(0);
    const goneExclusions = new Set(candidates.flatMap((candidate, index) => (dropped.has(index) && candidate.exclusion !== undefined ? [candidate.exclusion] : [])));
    const goneKind = (kind: Candidate['kind']) => candidates.some((candidate, index) => dropped.has(index) && candidate.kind === kind);
    return {
      ...funnel,
      window: goneKind('window') ? widestWindow : funnel.window,
      order: goneKind('order') ? 'sequential' : funnel.order,
      from: rangeGone ? undefined : funnel.from,
      to: rangeGone ? undefined : funnel.to,
      steps: funnel.steps.map((step, index) => ({ name: step.name, where: stepConditions[index]!.filter((condition) => !gone('filter', index, itemOf.get(condition)!)).flatMap((condition) => condition.filters) })),
      exclusions: funnel.exclusions.filter((_, index) => !goneExclusions.has(index)),
    };
  };
  // With a breakdown, each funnel is read once for its cells and the whole funnel's.
  // The funnel with its window and with the widest (the window's candidate dropped) from one read:
  // they differ only in how far each user's steps may reach.
  const both = new Map<string, Promise<FunnelCellsAndWhole>>();
  const windowIndex = candidates.findIndex((candidate) => candidate.kind === 'window');
  const bothWithout = (dropped: ReadonlySet<number>): Promise<FunnelCellsAndWhole> => {
    const key = signature(dropped);
    let cells = both.get(key);
    if (cells !== undefined) return cells;
    if (windowIndex < 0 || dropped.has(windowIndex)) {
      cells = windowIndex < 0 ? cellsAndWholeOf(funnelWithout(dropped)) : bothWithout(new Set([...dropped].filter((index) => index !== windowIndex))).then((read) => read.alsoWindow!);
      both.set(key, cells);
      return cells;
    }
    const read = cellsAndWholeOf(funnelWithout(dropped), widestWindow);
    both.set(key, read);
    both.set(signature(new Set([...dropped, windowIndex])), read.then((result) => result.alsoWindow!));
    return read;
  };
  const cellsWithout = (dropped: ReadonlySet<number>): Promise<FunnelCell[]> => {
    const key = signature(dropped);
    let cells = computed.get(key);
    if (cells === undefined) computed.set(key, (cells = funnel.breakdown === undefined && windowIndex < 0 ? cellsOf(funnelWithout(dropped)) : bothWithout(dropped).then((read) => read.cells)));
    return cells;
  };
  // The same funnels are computed whatever low-effect detection finds, so the time an answer takes
  // does not tell: every combination of parts, and with a breakdown each also without it.
  if (candidates.length > guardedFunnelParts) {
    throw new QueryError('not_allowed', `a guarded funnel has at most ${guardedFunnelParts} step filters, exclusions, time ranges, windows shorter than a year and orders other than sequential in all (this one has ${candidates.length}): each combination of them is computed`);
  }
  const whole = new Map<string, Promise<FunnelCell[]>>();
  const wholeWithout = (dropped: ReadonlySet<number>): Promise<FunnelCell[]> => {
    const key = signature(dropped);
    let cells = whole.get(key);
    if (cells === undefined) whole.set(key, (cells = funnel.breakdown === undefined && windowIndex < 0 ? cellsOf({ ...funnelWithout(dropped), breakdown: undefined }) : bothWithout(dropped).then((read) => read.whole)));
    return cells;
  };
  for (let mask = 0; mask < 2 ** candidates.length; mask++) {
    const dropped = new Set(candidates.flatMap((_, index) => ((mask >> index) & 1 ? [index] : [])));
    await cellsWithout(dropped);
    if (funnel.breakdown !== undefined) await wholeWithout(dropped);
  }
  const asked = await cellsWithout(new Set());
  // Every breakdown value some of those funnels have, not only the asked one's: a value only a part
  // of low effect removes (the victim's own, beside "plan = pro") is settled like the others, so it
  // is in the `*` breakdown whether or not that part was written.
  const values = new Set(asked.map((cell) => cell.breakdown));
  for (const cells of computed.values()) for (const cell of await cells) values.add(cell.breakdown);
  const droppedOf = new Map<string | null, Set<number>>([...values].map((breakdown) => [breakdown, new Set<number>()]));
  if (funnel.breakdown === undefined && droppedOf.size === 0) droppedOf.set(null, new Set());
  for (const breakdown of droppedOf.keys()) droppedOf.set(breakdown, await droppedFor(candidates, cellsWithout, breakdown, guard));
  const cells: FunnelCell[] = [];
  for (const [breakdown, dropped] of droppedOf) cells.push(...(await cellsWithout(dropped)).filter((cell) => cell.breakdown === breakdown));
  // A cell of step i is seeded by what can change who reached it: the names of steps 0 to i, the
  // range, the standing filters of those steps and the standing exclusions. Later steps, the
  // window and the order are not part of it: the people they change change the other layer.
  const questionOf = (breakdown: string | null, step: number) => {
    const dropped = droppedOf.get(breakdown) ?? new Set<number>();
    const standing = candidates.filter((candidate, index) => !dropped.has(index) && candidate.step <= step);
    // Once each: the noise's seed XORs its items, so a filter written twice would cancel out.
    return [JSON.stringify(['funnel', funnel.steps.slice(0, step + 1).map((each) => each.name)]), ...new Set(standing.map((candidate) => JSON.stringify([candidate.step, candidate.item])))];
  };
  // A breakdown value is a condition too: where the funnel without the breakdown differs from this
  // value's cells by a low effect in every step (nobody, for a missing or constant field; the victim
  // alone, for "pro" beside a one-person "free"), the value is answered with the funnel's cells
  // and its label does not seed the noise. Only values that show on their own are settled, so no
  // small breakdown is named through this.
  const unlabelled = new Set<string | null>();
  if (funnel.breakdown !== undefined) {
    for (const [breakdown, dropped] of droppedOf) {
      const own = cells.filter((cell) => cell.breakdown === breakdown);
      const started = own.find((cell) => cell.step === 0);
      if (started === undefined || guard.isLowCount(started.users, started.entityDigest)) continue;
      const all = (await wholeWithout(dropped)).map((cell) => ({ ...cell, breakdown }));
      if (!lowEffect(breakdown, own, all, guard, JSON.stringify(['breakdown', breakdown]))) continue;
      unlabelled.add(breakdown);
      cells.splice(0, cells.length, ...cells.filter((cell) => cell.breakdown !== breakdown), ...all);
    }
  }
  if (funnel.breakdown !== undefined) {
    // The `*` breakdown gathers the values too few people started with. It is a breakdown value of
    // its own, settled as one from the same funnels: a part goes for it where it changes the
    // gathered cells by a low effect, so a value only a part of low effect removes (the victim's
    // own, beside "plan = pro") is in it whether or not that part was written.
    const shown = new Set(cells.filter((cell) => cell.step === 0 && !guard.isLowCount(cell.users, cell.entityDigest)).map((cell) => cell.breakdown));
    const gathered = async (dropped: ReadonlySet<number>): Promise<FunnelCell[]> => {
      const byStep = new Map<number, FunnelCell>();
      for (const cell of await cellsWithout(dropped)) {
        if (shown.has(cell.breakdown)) continue;
        const before = byStep.get(cell.step);
        byStep.set(cell.step, { breakdown: SUPPRESSED, step: cell.step, users: (before?.users ?? 0) + cell.users, entityDigest: xorDigests(before?.entityDigest ?? '', cell.entityDigest), medianMs: null, middleMs: null });
      }
      return [...byStep.values()];
    };
    const droppedStar = await droppedFor(candidates, gathered, SUPPRESSED, guard);
    droppedOf.set(SUPPRESSED, droppedStar);
    cells.splice(0, cells.length, ...cells.filter((cell) => shown.has(cell.breakdown)), ...(await gathered(droppedStar)));
  }
  const labelOf = (breakdown: string | null) => (unlabelled.has(breakdown) ? null : breakdown);
  // The first step's people are those of the query "users who did step 0" (its standing filters,
  // the breakdown value as a grouping's row): seeded as that query is, the two forms of one
  // question get one answer. A range or exclusion that stands makes it another question (a
  // query's time range is seeded by its group's rows, which a funnel cell does not read).
  const firstStepItemsOf = (breakdown: string | null) => {
    const dropped = droppedOf.get(breakdown) ?? new Set<number>();
    const label = labelOf(breakdown);
    const standing = candidates.filter((candidate, index) => !dropped.has(index) && candidate.step <= 0);
    return [
      labelItem(funnel.steps[0]!.name),
      ...standing.map((candidate) => candidate.item),
      ...(label === null ? [] : [labelItem(label)]),
    ];
  };
  return { cells, questionOf, labelOf, firstStepItemsOf };
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
