/**
 * Answers queries at the reader's access level: exact for `direct`, through the privacy guard for
 * `trusted` and `untrusted` (whose queries are also written to the audit log).
 */
import { severityText } from 'logmill';
import type { AccessLevel } from '../domain/access-level.js';
import type { Store } from '../store/store.js';
import { applyAccessRules, applyFunnelAccessRules, funnelSingleValueUses, singleValueUses, snapTimeRange } from './access-rules.js';
import type { AuditLog } from './audit-log.js';
import { QueryError } from '../domain/query-error.js';
import { funnelCells, funnelOutcomes, summarizeFunnel } from './funnel.js';
import { type FunnelAnswer, type FunnelCellsAndWhole, type FunnelQuery, cellsAndWholeEach } from '../domain/funnel-model.js';
import type { ExperimentQuery, VariantResult } from '../domain/experiment-model.js';
import { experimentOutcomes, experimentResults } from './experiment.js';
import { guardFunnelBreakdowns, settleFunnel, snapWindow, snappedWindows } from './funnel-guard.js';
import { GuardedQuestion } from './guarded-statistics.js';
import { IsolatingColumns } from './isolating-columns.js';
import { type DesignatedMinimums, PrivacyGuard, storeDigestOfEntities } from './privacy-guard.js';
import type { TemplateQuery, TemplateRow } from '../domain/template-view.js';
import { type EventQuery, type QueryAnswer, fieldName } from '../domain/query-model.js';

export function aggregateName(aggregate: EventQuery['aggregates'][number]): string {
  return aggregate.fn === 'count' || aggregate.fn === 'users' ? aggregate.fn : `${aggregate.fn}(${fieldName(aggregate.field)})`;
}

export class Analytics {
  readonly #guard: PrivacyGuard;
  readonly #isolating: IsolatingColumns;

  constructor(
    private readonly store: Store,
    salt: string,
    private readonly audit: AuditLog,
    /** The protected entity column. */
    readonly entity = 'user_id',
    minimums: DesignatedMinimums = {},
  ) {
    this.#guard = new PrivacyGuard(salt, minimums);
    this.#isolating = new IsolatingColumns(store, entity, (column, holders) => this.#guard.columnNoise(column, holders));
  }

  /**
   * A funnel: each user's furthest step first, then users per (breakdown, step), exact for direct
   * readers and through the guard otherwise (so suppressed cells show 0 and carry their noise).
   */
  async funnel(project: string, funnel: FunnelQuery, access: AccessLevel, key: string): Promise<FunnelAnswer> {
    // A refused question is audited too: a probe is what the audit log is for.
    funnel = await this.#allowed(key, access, { funnel }, () => applyFunnelAccessRules(funnel, access, this.entity));
    if (access !== 'direct') await this.audit.record(key, access, { funnel });
    if (access === 'untrusted') {
      await this.#isolating.refuse(project, funnelSingleValueUses(funnel));
      funnel = { ...funnel, window: snapWindow(funnel.window) };
    }
    // Sequential funnels are computed by the store; strict and any order per user in Node.
    const cellsOf = async (asked: FunnelQuery) => asked.order === 'sequential'
      ? this.store.sequentialFunnelCells(project, asked, this.entity)
      : funnelCells(asked, funnelOutcomes(await this.store.funnelEvents(project, asked, this.entity), asked), storeDigestOfEntities);
    if (access === 'direct') {
      const cells = await cellsOf(funnel);
      return { exact: true, breakdowns: summarizeFunnel(funnel, cells, (cell) => ({ value: cell.users, noiseSd: 0, suppressed: false }), true) };
    }
    // A user's outcome does not depend on the breakdown: one read gives the funnel with and without it.
    // With `alsoWindow`, the same funnel with that window too, from the same read: the store's,
    // where it folds both from one read (the layout), else the events read once and folded here
    // (the store's SQL would run once per window).
    const cellsAndWholeOf = async (asked: FunnelQuery, alsoWindow?: number): Promise<FunnelCellsAndWhole> => {
      if (asked.order === 'sequential' && (alsoWindow === undefined || this.store.foldsFunnel?.(asked, this.entity) === true)) return this.store.sequentialFunnelCellsAndWhole(project, asked, this.entity, alsoWindow);
      const events = await this.store.funnelEvents(project, alsoWindow === undefined ? asked : { ...asked, window: Math.max(asked.window, alsoWindow) }, this.entity);
      return cellsAndWholeEach(asked, alsoWindow, async (funnel) => {
        const outcomes = funnelOutcomes(events, funnel);
        return { cells: funnelCells(funnel, outcomes, storeDigestOfEntities), whole: funnelCells({ ...funnel, breakdown: undefined }, outcomes.map((outcome) => ({ ...outcome, breakdown: null })), storeDigestOfEntities) };
      });
    };
    const { cells, questionOf, labelOf, firstStepItemsOf } = await settleFunnel(this.store, this.#guard, project, funnel, cellsOf, cellsAndWholeOf, this.entity);
    return {
      exact: false,
      breakdowns: summarizeFunnel(
        funnel,
        guardFunnelBreakdowns(funnel, cells, this.#guard),
        (cell) => cell.step === 0
          ? this.#guard.peopleAsQueried(firstStepItemsOf(cell.breakdown), cell.users, cell.entityDigest)
          : this.#guard.peopleOf(questionOf(cell.breakdown, cell.step), [labelOf(cell.breakdown), cell.step], cell.users, cell.entityDigest),
        false,
        (cell, blurred) => this.#guard.noisyDuration(questionOf(cell.breakdown, cell.step), [labelOf(cell.breakdown), cell.step], cell.entityDigest, blurred),
      ),
    };
  }

  /**
   * An experiment: users exposed per variant and those who then converted, exact for direct
   * readers and guarded per (variant, exposed|converted) cell otherwise; rates, intervals and
   * the probability to beat control are computed from the numbers shown.
   */
  async experiment(project: string, query: ExperimentQuery, access: AccessLevel, key: string): Promise<{ exact: boolean; control: string | undefined; variants: VariantResult[] }> {
    // A window moved by a millisecond would be a new question with fresh noise: untrusted readers get fixed windows.
    if (access === 'untrusted') query = { ...query, window: snapWindow(query.window) };
    const events = await this.store.experimentEvents(project, query, this.entity);
    const outcomes = experimentOutcomes(events, query);
    // The window is a condition too: against the widest one, it leaves out the people who
    // converted later. Where those are of low effect for a variant, its converted users are the
    // widest window's (so a window that leaves out only one person tells nothing about them);
    // elsewhere the window seeds their noise (so two windows are two questions, not one answer
    // that moves exactly when that person is in it).
    const widest = experimentOutcomes(events, { ...query, window: snappedWindows.at(-1)! });
    const byVariant = new Map<string, { exposed: string[]; converted: string[]; convertedLater: string[] }>();
    for (const [user, { variant, converted }] of outcomes) {
      const entry = byVariant.get(variant) ?? { exposed: [], converted: [], convertedLater: [] };
      entry.exposed.push(user);
      if (converted) entry.converted.push(user);
      else if (widest.get(user)?.converted === true) entry.convertedLater.push(user);
      byVariant.set(variant, entry);
    }
    const exact = access === 'direct';
    if (!exact) await this.audit.record(key, access, { experiment: query });
    // Who was exposed does not depend on the goal or the window: neither may refresh its noise.
    const exposedQuestion = [JSON.stringify(['experiment', query.experiment])];
    const counts = [...byVariant].map(([variant, users]) => {
      if (exact) return { variant, exposed: users.exposed.length, converted: users.converted.length, noiseSd: 0, suppressed: false };
      const exposed = this.#guard.people(exposedQuestion, [variant, 'exposed'], users.exposed);
      const windowGoes = this.#guard.isLowEffect(users.convertedLater.length, storeDigestOfEntities(users.convertedLater), JSON.stringify(['window']));
      const convertedQuestion = [JSON.stringify(['experiment', query.experiment, query.goal, ...(windowGoes ? [] : [query.window])])];
      const converted = this.#guard.people(convertedQuestion, [variant, 'converted'], windowGoes ? [...users.converted, ...users.convertedLater] : users.converted);
      // A variant whose exposures are too few is hidden whole; converted users alone may be too few to show (0).
      return { variant, exposed: exposed.value, converted: converted.value, noiseSd: exposed.noiseSd, suppressed: exposed.suppressed };
    });
    return { exact, control: query.control, variants: experimentResults(counts.filter((entry) => exact || !entry.suppressed), query.control) };
  }

  /** The template ("issues") view: one row per template, busiest first. */
  async templates(project: string, query: TemplateQuery, access: AccessLevel, key: string): Promise<{ exact: boolean; rows: TemplateRow[] }> {
    const iso = (value: unknown) => new Date(Number(value)).toISOString();
    if (access === 'direct') {
      const rows = await this.store.templateRows(project, query, this.entity);
      return {
        exact: true,
        rows: rows.map((row) => ({
          template: String(row['template']),
          severity: severityText(Number(row['severity_number'])),
          events: Number(row['events']),
          users: Number(row['users']),
          firstSeen: iso(row['first_seen']),
          lastSeen: iso(row['last_seen']),
          sampleArgs: (typeof row['sample_args'] === 'string' ? JSON.parse(row['sample_args']) : row['sample_args'] ?? []).map((args: unknown) => (typeof args === 'string' ? JSON.parse(args) : args)) as unknown[][],
          noiseSd: { events: 0, users: 0 },
        })),
      };
    }
    await this.audit.record(key, access, { templates: query });
    const range = access === 'untrusted' ? snapTimeRange(query.from, query.to) : query;
    const asked: EventQuery = {
      from: range.from,
      to: range.to,
      where: [
        { field: { column: 'kind' }, op: 'eq', value: 'log' },
        ...(query.minimumSeverity === undefined ? [] : [{ field: { column: 'severity_number' }, op: 'gte', value: query.minimumSeverity } as const]),
      ],
      groupBy: [{ field: { column: 'template' } }],
      aggregates: [{ fn: 'count' }, { fn: 'users' }],
      limit: query.limit,
    };
    const answer = await this.#guarded(project, asked, true);
    // First and last seen: the first and last hours (their start) in which enough people hit the
    // template to pass the low-count filter. The exact first and last events are one person's each.
    const hours = new Map<string, number[]>();
    for (const group of await this.store.groupStatistics(project, { ...asked, groupBy: [{ field: { column: 'template' } }, { time: 'hour' }] }, this.entity)) {
      if (this.#guard.isLowCount(group.entities, group.entityDigest)) continue;
      const template = String(group.labels[0]);
      hours.set(template, [...(hours.get(template) ?? []), Number(group.labels[1])]);
    }
    // Severity: the highest level whose events, on their own, enough people logged to pass the
    // low-count filter. The exact maximum would be one person's single ERROR.
    const severities = new Map<string, number>();
    for (const group of await this.store.groupStatistics(project, { ...asked, groupBy: [{ field: { column: 'template' } }, { field: { column: 'severity_number' } }] }, this.entity)) {
      if (this.#guard.isLowCount(group.entities, group.entityDigest)) continue;
      const template = String(group.labels[0]);
      const level = Number(group.labels[1]);
      if (level > (severities.get(template) ?? -Infinity)) severities.set(template, level);
    }
    const seen = (template: string, pick: (times: number[]) => number) => {
      const times = hours.get(template);
      return times === undefined ? '*' : new Date(pick(times)).toISOString();
    };
    const rows = answer.rows
      .map((row): TemplateRow => {
        const template = String(row.labels[0]);
        const fact = answer.factsOf(row.labels);
        return {
          template,
          severity: fact === undefined || !severities.has(template) ? '*' : severityText(severities.get(template)!),
          events: row.values[0]!,
          users: row.values[1]!,
          firstSeen: fact === undefined ? '*' : seen(template, (times) => Math.min(...times)),
          lastSeen: fact === undefined ? '*' : seen(template, (times) => Math.max(...times)),
          sampleArgs: null,
          noiseSd: { events: row.noiseSd[0]!, users: row.noiseSd[1]! },
        };
      })
      .sort((a, b) => b.events - a.events)
      .slice(0, query.limit);
    return { exact: false, rows };
  }

  async query(project: string, query: EventQuery, access: AccessLevel, key: string): Promise<QueryAnswer> {
    // A refused question is audited too: a probe is what the audit log is for.
    const allowed = await this.#allowed(key, access, query, () => applyAccessRules(query, access, this.entity));
    if (access !== 'direct') await this.audit.record(key, access, query);
    if (access === 'untrusted') await this.#isolating.refuse(project, singleValueUses(allowed));
    const dimensionNames = allowed.groupBy.map((dimension) =>
      'time' in dimension ? `time:${dimension.time}` : dimension.bin === undefined ? fieldName(dimension.field) : `${fieldName(dimension.field)}/${dimension.bin}`);
    const aggregateNames = allowed.aggregates.map(aggregateName);
    const columns = [...dimensionNames, ...aggregateNames];
    if (access === 'direct') {
      const rows = await this.store.runQuery(project, allowed);
      return {
        exact: true,
        columns,
        rows: rows.map((row) => Object.fromEntries(columns.map((name, index) => [name, index < dimensionNames.length ? row[`d${index}`] : numeric(row[`a${index - dimensionNames.length}`])]))),
        noiseSd: rows.map(() => Object.fromEntries(aggregateNames.map((name) => [name, 0]))),
        suppressedGroups: 0,
      };
    }
    const answer = await this.#guarded(project, allowed);
    const rows = answer.rows.slice(0, allowed.limit);
    return {
      exact: false,
      columns,
      rows: rows.map((row) => Object.fromEntries([...dimensionNames.map((name, index) => [name, numeric(row.labels[index])]), ...aggregateNames.map((name, index) => [name, row.values[index]])])),
      noiseSd: rows.map((row) => Object.fromEntries(aggregateNames.map((name, index) => [name, row.noiseSd[index]!]))),
      suppressedGroups: answer.suppressedGroups,
    };
  }

  /** What the access rules allow of a question; one they refuse is written to the audit log, with the reason, before the refusal. */
  async #allowed<T>(key: string, access: AccessLevel, asked: unknown, rules: () => T): Promise<T> {
    try {
      return rules();
    } catch (error) {
      if (access !== 'direct' && error instanceof QueryError) await this.audit.record(key, access, asked, error.reason);
      throw error;
    }
  }

  /** A guarded answer: low-effect detection, data-seeded noise, the low-effect merge and the `*` row (guarded-statistics.ts). */
  #guarded(project: string, query: EventQuery, facts = false) {
    return new GuardedQuestion(this.store, this.#guard, project, query, this.entity, facts).answer();
  }
}

function numeric(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}
