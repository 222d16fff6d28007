/**
 * Funnels against hand-computed answers: the window's edge, the three order modes, exclusions,
 * breakdown by experiment variant, median times, and the guarded answer for untrusted readers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { funnelCells, summarizeFunnel, userOutcome } from '../analytics/funnel.js';
import { type FunnelCell, type FunnelEvent, type FunnelQuery, parseFunnel } from '../domain/funnel-model.js';
import { type CollectorProcess, cliPath, keys, startCollector } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

const hour = 3_600_000;
const day = 24 * hour;
const t0 = Date.UTC(2026, 9, 1);

function funnel(order: FunnelQuery['order'], extra: Partial<FunnelQuery> = {}): FunnelQuery {
  return { steps: [{ name: 'A', where: [] }, { name: 'B', where: [] }, { name: 'C', where: [] }], window: 14 * day, order, exclusions: [], ...extra };
}

/** Events for one user from (step letter or other, hours after t0). */
function events(user: string, ...items: [string, number][]): FunnelEvent[] {
  return items.map(([what, hours]) => ({
    user,
    time: t0 + hours * hour,
    steps: what === 'A' ? 1 : what === 'B' ? 2 : what === 'C' ? 4 : 0,
    exclusions: what === 'X' ? 1 : 0,
    breakdown: null,
  }));
}

describe('one user through a funnel', () => {
  it('counts the best attempt in sequential order, other events allowed between', () => {
    expect(userOutcome(events('u', ['A', 0], ['other', 1], ['B', 2], ['C', 3]), funnel('sequential'))?.reached).toBe(2);
    expect(userOutcome(events('u', ['A', 0], ['C', 1], ['B', 2]), funnel('sequential'))?.reached).toBe(1);
    // A later attempt that gets further wins.
    expect(userOutcome(events('u', ['A', 0], ['A', 400], ['B', 401], ['C', 402]), funnel('sequential'))?.times).toEqual([t0 + 400 * hour, t0 + 401 * hour, t0 + 402 * hour]);
    expect(userOutcome(events('u', ['B', 0], ['C', 1]), funnel('sequential'))).toBeUndefined();
  });

  it('keeps the window edge inclusive and nothing past it', () => {
    expect(userOutcome(events('u', ['A', 0], ['B', 14 * 24]), funnel('sequential'))?.reached).toBe(1);
    const late = events('u', ['A', 0], ['B', 14 * 24]);
    late[1]!.time += 1;
    expect(userOutcome(late, funnel('sequential'))?.reached).toBe(0);
  });

  it('breaks a strict sequence on any other event', () => {
    expect(userOutcome(events('u', ['A', 0], ['B', 1], ['C', 2]), funnel('strict'))?.reached).toBe(2);
    expect(userOutcome(events('u', ['A', 0], ['other', 1], ['B', 2]), funnel('strict'))?.reached).toBe(0);
    expect(userOutcome(events('u', ['A', 0], ['other', 1], ['A', 2], ['B', 3]), funnel('strict'))?.reached).toBe(1);
  });

  it('accepts any order within the window', () => {
    expect(userOutcome(events('u', ['C', 0], ['A', 1], ['B', 2]), funnel('any'))?.reached).toBe(2);
    expect(userOutcome(events('u', ['B', 0], ['B', 1]), funnel('any'))?.reached).toBe(0);
    expect(userOutcome(events('u', ['C', 0], ['A', 15 * 24]), funnel('any'))?.reached).toBe(0);
  });

  it('gives guarded readers a blurred median: the middle percentiles, to three significant figures', () => {
    // Ten users, the second step 1..10 minutes (plus 123 ms) after the first.
    const outcomes = Array.from({ length: 10 }, (_, index) => ({ user: `u${index}`, breakdown: null, reached: 1, times: [t0, t0 + (index + 1) * 60_000 + 123] }));
    const twoSteps = funnel('sequential', { steps: [{ name: 'A', where: [] }, { name: 'B', where: [] }] });
    const cells = funnelCells(twoSteps, outcomes, (users) => users.join());
    const shown = (cell: FunnelCell) => ({ value: cell.users, noiseSd: 1, suppressed: false });
    expect(summarizeFunnel(twoSteps, cells, shown, true)[0]!.steps[1]!.medianTimeToConvert).toBe(330_123);
    // p40 = 276,123, p50 = 330,123, p60 = 384,123: their mean to three figures.
    expect(summarizeFunnel(twoSteps, cells, shown, false)[0]!.steps[1]!.medianTimeToConvert).toBe(330_000);
    const hidden = summarizeFunnel(twoSteps, cells, () => ({ value: 0, noiseSd: 0, suppressed: true }), false);
    expect(hidden[0]!.steps[1]!.medianTimeToConvert).toBeNull();
  });

  it('drops users who do an exclusion event between the steps it names', () => {
    const excludeBetweenAB = funnel('sequential', { exclusions: [{ name: 'X', fromStep: 0, toStep: 1 }] });
    expect(userOutcome(events('u', ['A', 0], ['X', 1], ['B', 2], ['C', 3]), excludeBetweenAB)).toBeUndefined();
    expect(userOutcome(events('u', ['A', 0], ['B', 1], ['X', 2], ['C', 3]), excludeBetweenAB)?.reached).toBe(2);
    // Not reaching the later step: the exclusion counts up to the window's end.
    expect(userOutcome(events('u', ['A', 0], ['X', 1]), excludeBetweenAB)).toBeUndefined();
  });
});

describe('funnels through the API', () => {
  let collector: CollectorProcess;
  const lines: string[] = [];
  const add = (user: string, variant: string, ...items: [string, number][]) => {
    for (const [name, hours] of items) lines.push(envelope({ userId: user, name, ts: t0 + hours * hour, vars: { experiments: { checkout: variant } } }));
  };

  beforeAll(async () => {
    collector = await startCollector();
    // Hand-computed: variant A has 30 starters, 20 reach B (after 1 h), 12 reach C (after 2 h more);
    // variant B has 30 starters, 10 reach B (after 3 h), 10 reach C (after 1 h more); variant C has 2 users.
    for (let index = 0; index < 30; index++) {
      add(`a${index}`, 'A', ['A', index], ...(index < 20 ? [['B', index + 1] as [string, number]] : []), ...(index < 12 ? [['C', index + 3] as [string, number]] : []));
      add(`b${index}`, 'B', ['A', index], ...(index < 10 ? [['B', index + 3] as [string, number], ['C', index + 4] as [string, number]] : []));
    }
    add('c0', 'C', ['A', 0], ['B', 1]);
    add('c1', 'C', ['A', 0]);
    // Excluded: a user who cancels between the first two steps.
    add('x0', 'A', ['A', 0], ['cancel', 1], ['B', 2], ['C', 3]);
    await ingestAll(collector.url, keys.ingest, lines);
  }, 120_000);

  afterAll(async () => {
    await collector.stop();
  });

  const body = {
    steps: [{ name: 'A' }, { name: 'B' }, { name: 'C' }],
    window: 14 * day,
    breakdown: 'experiments.checkout',
    exclusions: [{ name: 'cancel', fromStep: 0, toStep: 1 }],
  };

  async function ask(key: string) {
    const response = await fetch(`${collector.url}/api/funnel`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    return (await response.json()) as { exact: boolean; breakdowns: { breakdown: string; steps: Record<string, any>[] }[] };
  }

  it('gives direct readers the exact users, rates and median times per variant', async () => {
    const answer = await ask(keys.admin);
    expect(answer.exact).toBe(true);
    const summary = Object.fromEntries(answer.breakdowns.map((entry) => [entry.breakdown, entry.steps.map((step) => [step['users'], step['medianTimeToConvert']])]));
    expect(summary).toEqual({
      A: [[30, null], [20, hour], [12, 2 * hour]],
      B: [[30, null], [10, 3 * hour], [10, hour]],
      C: [[2, null], [1, hour], [0, null]],
    });
    expect(answer.breakdowns[0]!.steps[2]!['conversionRate']).toBeCloseTo(12 / 30);
  });

  it('guards each (variant, step) cell for untrusted readers', async () => {
    const answer = await ask(keys.read);
    expect(answer.exact).toBe(false);
    const cells = Object.fromEntries(answer.breakdowns.map((entry) => [entry.breakdown, entry.steps]));
    const truth: Record<string, number[]> = { A: [30, 20, 12], B: [30, 10, 10] };
    const medians: Record<string, (number | null)[]> = { A: [null, hour, 2 * hour], B: [null, 3 * hour, hour] };
    for (const [variant, counts] of Object.entries(truth)) {
      counts.forEach((count, step) => {
        const cell = cells[variant]![step]!;
        expect(cell['suppressed']).toBe(false);
        expect(Math.abs(cell['users'] - count)).toBeLessThan(6 * cell['noiseSd']);
        // The blurred median (middle percentiles, noise of sd 5%, three significant figures) of
        // identical times is within four sd of that time.
        const median = medians[variant]![step]!;
        if (median === null) expect(cell['medianTimeToConvert']).toBeNull();
        else expect(Math.abs(cell['medianTimeToConvert'] - median)).toBeLessThanOrEqual(0.2 * median);
      });
    }
    // C's two users are too few to name: their breakdown would go into `*`, itself too small to show,
    // so neither appears.
    expect(Object.keys(cells).sort()).toEqual(['A', 'B']);
    // Sticky: the same funnel, the same answer.
    expect(await ask(keys.read)).toEqual(answer);
  });

  it('answers `logmill funnel` and `logmill query` as JSON and as a table', async () => {
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [cliPath, ...args, '--url', collector.url, '--key', keys.admin]);
    const json = JSON.parse((await cli('funnel', '--step', 'A', '--step', 'B', '--step', 'C', '--breakdown', 'experiments.checkout', '--json')).stdout);
    // Without the exclusion, the user who cancelled counts too (variant A).
    expect(json.breakdowns.map((entry: { breakdown: string; steps: { users: number }[] }) => [entry.breakdown, entry.steps.map((step) => step.users)])).toEqual([
      ['A', [31, 21, 13]], ['B', [30, 10, 10]], ['C', [2, 1, 0]],
    ]);
    const funnelTable = (await cli('funnel', '--step', 'A', '--step', 'B', '--window', '3600')).stdout;
    expect(funnelTable).toMatch(/^breakdown\s+step\s+users\s+from first\s+median time\n/);
    expect(funnelTable).toContain('2. B');
    const queryTable = (await cli('query', '{"groupBy":[{"field":"name"}],"aggregates":[{"fn":"count"},{"fn":"users"}]}')).stdout;
    expect(queryTable.split('\n')[0]).toMatch(/^name\s+count\s+users$/);
    expect(queryTable).toMatch(/\nA\s+63\s+63\n/);
  });

  it('restricts queries to a cohort (users who did an event), exact or guarded', async () => {
    const ask = async (key: string, cohort: boolean = true) => {
      const response = await fetch(`${collector.url}/api/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...(cohort ? { cohort: { name: 'C' } } : {}), groupBy: [{ field: 'name' }], aggregates: [{ fn: 'count' }, { fn: 'users' }] }),
      });
      return (await response.json()) as { rows: Record<string, any>[]; noiseSd: Record<string, number>[] };
    };
    expect((await ask(keys.admin)).rows).toEqual([
      { name: 'A', count: 23, users: 23 }, { name: 'B', count: 23, users: 23 }, { name: 'C', count: 23, users: 23 }, { name: 'cancel', count: 1, users: 1 },
    ]);
    const guarded = await ask(keys.read);
    const names = guarded.rows.map((row) => row['name']);
    expect(names).not.toContain('cancel');
    // Where the cohort leaves out fewer people of a group than the low-effect threshold (at most
    // ten), it goes for that group, which is then answered as without it.
    const without = new Map((await ask(keys.admin, false)).rows.map((row) => [row['name'], row['users'] as number]));
    guarded.rows.forEach((row, index) => {
      if (row['name'] === '*') return;
      const bound = 6 * guarded.noiseSd[index]!['users']!;
      if (Math.abs(row['users'] - 23) < bound) return;
      expect(Math.abs(row['users'] - without.get(row['name'])!)).toBeLessThan(bound);
      expect(without.get(row['name'])! - 23).toBeLessThanOrEqual(10);
    });
  });

  it("shows one event's user journey to direct readers only", async () => {
    const found = await fetch(`${collector.url}/api/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ where: [{ field: 'user_id', value: 'a0' }, { field: 'name', value: 'A' }], groupBy: [{ field: 'id' }] }),
    });
    const id = ((await found.json()) as { rows: { id: string }[] }).rows[0]!.id;
    const journey = async (key: string) => fetch(`${collector.url}/api/events/${id}/journey?around=7200`, { headers: { authorization: `Bearer ${key}` } });
    const direct = (await (await journey(keys.admin)).json()) as { events: Record<string, unknown>[] };
    expect(direct.events.map((event) => event['name'])).toEqual(['A', 'B']);
    // JSON columns as JSON values, as the export gives them.
    for (const event of direct.events) expect([Array.isArray(event['args']), typeof event['attributes'], typeof event['context_vars']]).toEqual([true, 'object', 'object']);
    expect((await journey(keys.read)).status).toBe(403);
  });

  it('refuses funnels that would single out people', async () => {
    const response = await fetch(`${collector.url}/api/funnel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.read}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, breakdown: 'user_id' }),
    });
    expect(response.status).toBe(403);
    expect(() => parseFunnel({ steps: [{ name: 'A' }] })).toThrow(/2 to 20 steps/);
  });

  it('answers guarded funnels of up to seven parts (window and order among them) and refuses more, naming the limit', async () => {
    const filters = (count: number) => Array.from({ length: count }, (_, index) => ({ field: 'attributes.filler', op: 'prefix', value: `f${index}` }));
    const asked = async (key: string, parts: Record<string, unknown>) => fetch(`${collector.url}/api/funnel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, exclusions: [], breakdown: undefined, ...parts }),
    });
    // Six filters and the 14-day window: seven parts. A strict order makes eight.
    expect((await asked(keys.read, { steps: [{ name: 'A', where: filters(6) }, { name: 'B' }] })).status).toBe(200);
    const refused = await asked(keys.read, { steps: [{ name: 'A', where: filters(6) }, { name: 'B' }], order: 'strict' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/at most 7 .*windows shorter than a year and orders other than sequential.*this one has 8/);
    // A year's window is no part: the strict order fits beside the six filters.
    expect((await asked(keys.read, { steps: [{ name: 'A', where: filters(6) }, { name: 'B' }], order: 'strict', window: 366 * day })).status).toBe(200);
    expect((await asked(keys.admin, { steps: [{ name: 'A', where: filters(6) }, { name: 'B' }], order: 'strict' })).status).toBe(200);
  }, 120_000);
});
