/**
 * The privacy guard through the real API and CLI: what untrusted readers can and cannot learn,
 * exact answers for direct readers, sticky noise, and inert hostile input. The statistical attack
 * suite works on the guard itself, over many seeds.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapTimeRange } from '../analytics/access-rules.js';
import { xorDigests } from '../analytics/guarded-statistics.js';
import { PrivacyGuard, digestOfEntities } from '../analytics/privacy-guard.js';
import { SUPPRESSED } from '../domain/group-statistics.js';
import type { EventQuery } from '../domain/query-model.js';
import { type CollectorProcess, cliPath, keys, startCollector, temporaryDirectory } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

let collector: CollectorProcess;
const untrusted = { authorization: `Bearer ${keys.read}` };
const direct = { authorization: `Bearer ${keys.admin}` };
const countries = ['FR', 'DE', 'ES', 'IT', 'PL'];

async function query(body: unknown, headers: Record<string, string>): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${collector.url}/api/query`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function countOf(where: string[], headers: Record<string, string>): Promise<Record<string, any>> {
  const search = new URLSearchParams(where.map((filter): [string, string] => ['where', filter]));
  const response = await fetch(`${collector.url}/api/count?${search}`, { headers });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, any>;
}

beforeAll(async () => {
  // "Designate where specificity is important": payment failures need 100 people before they show.
  const data = temporaryDirectory('privacy');
  writeFileSync(join(data, 'config.json'), JSON.stringify({ privacy: { minimumUsers: { templates: { 'payment failed for %s': 100 }, fields: { 'attributes.card_bin': 1000 } } } }));
  collector = await startCollector({ data, args: ['--config', join(data, 'config.json')] });
  const lines: string[] = [];
  // Five people, one per country.
  countries.forEach((country, index) => {
    for (let event = 0; event < 4; event++) lines.push(envelope({ userId: `solo-${index}`, template: 'signed in from %s', args: [country], attributes: { country, plan: 'free' } }));
  });
  // A crowd of 500 users and 100,000 events, among which a critical message twice (two users).
  for (let index = 0; index < 99_980 - 2; index++) {
    const user = `user-${index % 500}`;
    lines.push(envelope({ userId: user, template: index % 3 === 0 ? 'checkout %s' : 'page viewed', args: index % 3 === 0 ? [`o-${index}`] : [], attributes: { country: 'NL', plan: index % 500 === 7 ? 'enterprise' : 'free', device: index % 2 === 0 ? 'ios' : 'web', amount: (index % 500) * 2 } }));
  }
  lines.push(envelope({ userId: 'user-3', template: 'disk failure on node %s', args: ['n1'], severity: 'ERROR', attributes: { country: 'NL' } }));
  lines.push(envelope({ userId: 'user-4', template: 'disk failure on node %s', args: ['n2'], severity: 'ERROR', attributes: { country: 'NL' } }));
  // 40 people with a payment failure each: enough for the usual threshold, not for the designated one.
  for (let index = 0; index < 40; index++) lines.push(envelope({ userId: `payer-${index}`, template: 'payment failed for %s', args: [`o-${index}`], severity: 'ERROR', attributes: { country: 'SE', card_bin: '411111' } }));
  // A template 40 people log at INFO and one of them once at ERROR.
  for (let index = 0; index < 40; index++) lines.push(envelope({ userId: `cache-${index}`, template: 'cache miss for %s', args: [`k-${index}`], severity: 'INFO', attributes: { country: 'DK' } }));
  lines.push(envelope({ userId: 'cache-5', template: 'cache miss for %s', args: ['k-held'], severity: 'ERROR', attributes: { country: 'DK' } }));
  // For the low-effect merge: 60 people in three plans (BE) and 12 with a plan of their own (LU), each on a device of their own.
  for (let index = 0; index < 60; index++) lines.push(envelope({ userId: `merge-${index}`, template: 'merge probe', attributes: { country: 'BE', plan: `p${index % 3}`, device: `d${index}` } }));
  for (let index = 0; index < 12; index++) lines.push(envelope({ userId: `lux-${index}`, template: 'merge probe', attributes: { country: 'LU', plan: `q${index}`, device: `e${index}` } }));
  await ingestAll(collector.url, keys.ingest, lines);
}, 180_000);

afterAll(async () => {
  await collector.stop();
});

describe('privacy guard', () => {
  it('reveals no country of a five-person, one-per-country dataset to an untrusted reader', async () => {
    const grouped = { where: [{ field: 'template', value: 'signed in from %s' }], groupBy: [{ field: 'attributes.country' }], aggregates: [{ fn: 'count' }, { fn: 'users' }] };
    const guarded = await query(grouped, untrusted);
    expect(guarded.status).toBe(200);
    expect(guarded.body['exact']).toBe(false);
    const shown = guarded.body['rows'].map((row: Record<string, unknown>) => row['attributes.country']);
    for (const country of countries) expect(shown).not.toContain(country);
    expect(shown.every((label: unknown) => label === SUPPRESSED)).toBe(true);
    // How many groups went into `*` is itself noisy, and nothing at all unless `*` is shown.
    if (guarded.body['rows'].length === 0) expect(guarded.body['suppressedGroups']).toBe(0);
    else expect(Math.abs(guarded.body['suppressedGroups'] - 5)).toBeLessThanOrEqual(4);
    const exact = await query(grouped, direct);
    expect(exact.body['exact']).toBe(true);
    expect(exact.body['rows']).toEqual(countries.slice().sort().map((country) => ({ 'attributes.country': country, count: 4, users: 1 })));
  });

  it('keeps two occurrences of a critical message among 100,000 events hidden', async () => {
    const guarded = await countOf(['template=disk failure on node %s'], untrusted);
    expect(guarded).toMatchObject({ count: 0, suppressed: true, exact: false });
    expect(await countOf(['template=disk failure on node %s'], direct)).toMatchObject({ count: 2, exact: true, noiseSd: 0 });
    const bySeverity = await query({ where: [{ field: 'severity', value: 'ERROR' }], groupBy: [{ field: 'template' }] }, untrusted);
    expect(JSON.stringify(bySeverity.body['rows'])).not.toContain('disk failure');
  });

  it('answers large groups close to the truth, with the noise it used, the same every time', async () => {
    const truth = (await countOf(['attributes.country=NL', 'attributes.device=ios'], direct))['count'] as number;
    const first = await countOf(['attributes.country=NL', 'attributes.device=ios'], untrusted);
    expect(first['noiseSd']).toBeGreaterThan(0);
    expect(Math.abs(first['count'] - truth)).toBeLessThan(6 * first['noiseSd']);
    for (let repeat = 0; repeat < 5; repeat++) {
      expect(await countOf(['attributes.country=NL', 'attributes.device=ios'], untrusted)).toEqual(first);
      // Rephrased: the same conditions in another order give the same answer.
      expect(await countOf(['attributes.device=ios', 'attributes.country=NL'], untrusted)).toEqual(first);
    }
  });

  it('refuses what would single out a person, and logs every guarded query', async () => {
    expect((await query({ where: [{ field: 'user_id', value: 'user-7' }] }, untrusted)).status).toBe(403);
    expect((await query({ groupBy: [{ field: 'userId' }] }, untrusted)).status).toBe(403);
    expect((await query({ where: [{ field: 'message', op: 'contains', value: 'disk' }] }, untrusted)).status).toBe(403);
    expect((await query({ aggregates: [{ fn: 'sum', field: 'attributes.amount' }] }, untrusted)).status).toBe(403);
    // A rare combination (the one enterprise user) is suppressed like any small group.
    const isolated = await countOf(['attributes.plan=enterprise'], untrusted);
    expect(isolated).toMatchObject({ count: 0, suppressed: true });
    const audit = readFileSync(join(collector.data, 'audit/queries.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(audit.length).toBeGreaterThan(10);
    expect(audit[0]).toMatchObject({ access: 'untrusted', key: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(JSON.stringify(audit)).not.toContain(keys.read);
  });

  it('audits questions the access rules refuse (forbidden operators, aggregates, funnel breakdowns) before refusing them', async () => {
    const refused = [
      { where: [{ field: 'attributes.country', op: 'in', value: ['NL', 'audit-probe-in'] }] },
      { where: [{ field: 'attributes.country', op: 'ne', value: 'audit-probe-ne' }] },
      { where: [{ field: 'attributes.country', value: 'audit-probe-p50' }], aggregates: [{ fn: 'p50', field: 'attributes.amount' }] },
    ];
    const auditFile = join(collector.data, 'audit/queries.ndjson');
    const before = existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).length : 0;
    for (const body of refused) expect((await query(body, untrusted)).status).toBe(403);
    const funnel = await fetch(`${collector.url}/api/funnel`, { method: 'POST', headers: { ...untrusted, 'content-type': 'application/json' }, body: JSON.stringify({ steps: [{ name: 'audit-probe-funnel' }, { name: 'x' }], breakdown: 'userId' }) });
    expect(funnel.status).toBe(403);
    // The same questions from the admin key are answered and not audited.
    expect((await query(refused[1], direct)).status).toBe(200);
    // Values are written hashed; the new lines are these four questions.
    const entries = readFileSync(auditFile, 'utf8').trim().split('\n').slice(before).map((line) => JSON.parse(line) as Record<string, any>);
    expect(entries.map((entry) => [entry['access'], entry['refused']])).toEqual(Array.from({ length: 4 }, () => ['untrusted', 'not_allowed']));
    expect(entries.map((entry) => entry['query']['where']?.[0]?.['op'] ?? entry['query']['aggregates']?.[0]?.['fn'] ?? 'funnel')).toEqual(['in', 'ne', 'eq', 'funnel']);
    expect(entries[2]!['query']['aggregates'][0]['fn']).toBe('p50');
  });

  it('shows the template view exactly to direct readers and guarded to untrusted ones', async () => {
    const view = async (headers: Record<string, string>) => (await (await fetch(`${collector.url}/api/templates`, { headers })).json()) as { exact: boolean; rows: Record<string, any>[] };
    const exact = await view(direct);
    const byTemplate = Object.fromEntries(exact.rows.map((row) => [row['template'], row]));
    expect(byTemplate['disk failure on node %s']).toMatchObject({ events: 2, users: 2, severity: 'ERROR' });
    expect(byTemplate['disk failure on node %s']['sampleArgs'].map((args: string[]) => args[0]).sort()).toEqual(['n1', 'n2']);
    expect(byTemplate['signed in from %s']).toMatchObject({ events: 20, users: 5 });
    expect(exact.rows[0]!['template']).toBe('page viewed');
    const guarded = await view(untrusted);
    expect(guarded.exact).toBe(false);
    const shown = guarded.rows.map((row) => row['template']);
    expect(shown).toContain('page viewed');
    expect(shown).toContain('checkout %s');
    expect(shown).not.toContain('disk failure on node %s');
    for (const row of guarded.rows) {
      expect(row['sampleArgs']).toBeNull();
      expect(row['firstSeen']).toMatch(/T\d\d:00:00\.000Z$|^\*$/);
    }
    // A range from a query string: milliseconds as digits, or an ISO date; anything else is a 400.
    const since = async (from: string) => fetch(`${collector.url}/api/templates?from=${encodeURIComponent(from)}`, { headers: direct });
    expect(((await (await since(String(Date.now() - 30 * 86_400_000))).json()) as { rows: unknown[] }).rows.length).toBe(exact.rows.length);
    expect(((await (await since(String(Date.now() + 86_400_000))).json()) as { rows: unknown[] }).rows).toEqual([]);
    expect(((await (await since(new Date(Date.now() - 30 * 86_400_000).toISOString())).json()) as { rows: unknown[] }).rows.length).toBe(exact.rows.length);
    expect((await since('yesterday-ish')).status).toBe(400);
    const checkout = guarded.rows.find((row) => row['template'] === 'checkout %s')!;
    expect(Math.abs(checkout['events'] - byTemplate['checkout %s']['events'])).toBeLessThan(6 * checkout['noiseSd']['events']);
  });

  it("labels a template with no severity that only one person's events have", async () => {
    const view = async (headers: Record<string, string>, path = '/api/templates') => (await (await fetch(`${collector.url}${path}`, { headers })).json()) as { rows: Record<string, any>[] };
    const row = async (headers: Record<string, string>, path?: string) => (await view(headers, path)).rows.find((entry) => entry['template'] === 'cache miss for %s');
    // Admin answers stay exact: the highest severity of any event.
    expect(await row(direct)).toMatchObject({ severity: 'ERROR', users: 40, events: 41 });
    // One person's single ERROR does not label the row for an untrusted reader: the highest level
    // enough people logged does.
    expect(await row(untrusted)).toMatchObject({ severity: 'INFO' });
    // The ERROR events alone are one person's: not listed at all.
    expect(await row(untrusted, '/api/templates?severity=ERROR')).toBeUndefined();
  });

  it('keeps designated templates and fields hidden until enough people are behind them', async () => {
    expect(await countOf(['template=payment failed for %s'], direct)).toMatchObject({ count: 40, exact: true });
    expect(await countOf(['template=payment failed for %s'], untrusted)).toMatchObject({ count: 0, suppressed: true });
    // The same 40 people under another template would show: the designation, not the size, hides them.
    expect(await countOf(['attributes.country=SE'], untrusted)).toMatchObject({ suppressed: false });
    expect(await countOf(['attributes.country=SE', 'attributes.card_bin=411111'], untrusted)).toMatchObject({ count: 0, suppressed: true });
    const view = (await (await fetch(`${collector.url}/api/templates?severity=ERROR`, { headers: untrusted })).json()) as { rows: { template: string }[] };
    expect(view.rows.map((row) => row.template)).not.toContain('payment failed for %s');
  });

  it('merges small groups of three dimensions by their leading dimensions before the `*` bin', async () => {
    const grouped = {
      where: [{ field: 'template', value: 'merge probe' }],
      groupBy: [{ field: 'attributes.country' }, { field: 'attributes.plan' }, { field: 'attributes.device' }],
      aggregates: [{ fn: 'users' }],
    };
    expect((await query(grouped, direct)).body['rows']).toHaveLength(72);
    const guarded = (await query(grouped, untrusted)).body;
    const label = (row: Record<string, unknown>) => [row['attributes.country'], row['attributes.plan'], row['attributes.device']].join('/');
    // Every person is alone on their device; three plans of 20 show as (BE, plan, *), the twelve LU plans only as (LU, *, *).
    expect(guarded['rows'].map(label).sort()).toEqual(['BE/p0/*', 'BE/p1/*', 'BE/p2/*', 'LU/*/*']);
    const truth: Record<string, number> = { 'BE/p0/*': 20, 'BE/p1/*': 20, 'BE/p2/*': 20, 'LU/*/*': 12 };
    guarded['rows'].forEach((row: Record<string, number>, index: number) => {
      expect(Math.abs(row['users']! - truth[label(row)]!)).toBeLessThan(6 * guarded['noiseSd'][index]['users']);
    });
    // All 72 went into merged rows; no `*` row, so no count of suppressed groups either.
    expect(guarded['suppressedGroups']).toBe(0);
  });

  it('groups numbers in money-style bins for untrusted readers, and refuses other widths', async () => {
    const binned = { where: [{ field: 'attributes.country', value: 'NL' }], groupBy: [{ field: 'attributes.amount', bin: 500 }], aggregates: [{ fn: 'users' }] };
    const exact = await query(binned, direct);
    // The two disk failures carry no amount: their own (null) bin.
    expect(exact.body['rows']).toEqual([{ 'attributes.amount/500': 0, users: 250 }, { 'attributes.amount/500': 500, users: 250 }, { 'attributes.amount/500': null, users: 2 }]);
    const guarded = await query(binned, untrusted);
    expect(guarded.body['rows'].map((row: Record<string, unknown>) => row['attributes.amount/500'])).toEqual([0, 500]);
    expect((await query({ ...binned, groupBy: [{ field: 'attributes.amount', bin: 300 }] }, untrusted)).status).toBe(400);
    // Ranges: one money-style bin, both ends given; nothing narrower, shifted or one-sided.
    const ranged = (low: number, high?: number) => ({
      where: [{ field: 'attributes.country', value: 'NL' }, { field: 'attributes.amount', op: 'gte', value: low }, ...(high === undefined ? [] : [{ field: 'attributes.amount', op: 'lt', value: high }])],
      aggregates: [{ fn: 'users' }],
    });
    const upper = await query(ranged(500, 1000), untrusted);
    expect(upper.status).toBe(200);
    expect(Math.abs(upper.body['rows'][0]['users'] - 250)).toBeLessThan(6 * upper.body['noiseSd'][0]['users']);
    expect((await query(ranged(500, 1000), direct)).body['rows']).toEqual([{ users: 250 }]);
    for (const [low, high] of [[100, 400], [100, 600], [500, undefined], [996, 998.5]] as const) {
      const refused = await query(ranged(low, high), untrusted);
      expect(refused.status).toBe(403);
      expect(refused.body['message']).toMatch(/range|gte/);
    }
  });

  it('keeps hostile strings in fields and values inert', async () => {
    const hostile = ["' OR 1=1 --", '"); DROP TABLE events; --', '\u0000', '%', '_', '\\', "'||(SELECT 1)||'", '$1', '?'];
    for (const value of hostile) {
      expect(await countOf([`severity=${value}`], direct)).toMatchObject({ count: 0 });
      expect(await countOf([`attributes.${value}=x`], direct)).toMatchObject({ count: 0 });
      const answer = await query({ where: [{ field: `vars.${value}`, op: 'prefix', value }], groupBy: [{ field: `attributes.${value}` }] }, direct);
      expect(answer.status).toBe(200);
    }
    expect((await query({ where: [{ field: 'severity; DROP TABLE events', value: 'x' }] }, direct)).status).toBe(400);
    expect((await countOf([], direct))['count']).toBe(100_040 + 72 + 41);
  });

  it('serves `logmill count` with --where and --json, exact for a direct key', async () => {
    const run = (key: string, ...args: string[]) =>
      promisify(execFile)(process.execPath, [cliPath, 'count', '--url', collector.url, '--key', key, ...args], { env: { ...process.env, LOGMILL_URL: '', LOGMILL_KEY: '' } });
    const exact = JSON.parse((await run(keys.admin, '--where', 'attributes.country=NL', '--where', 'severity=ERROR', '--json')).stdout);
    expect(exact).toEqual({ count: 2, noiseSd: 0, exact: true, suppressed: false });
    const guarded = JSON.parse((await run(keys.read, '--where', 'attributes.country=NL', '--json')).stdout);
    expect(guarded.exact).toBe(false);
    expect(guarded.noiseSd).toBeGreaterThan(0);
    expect(Math.abs(guarded.count - 99_980)).toBeLessThan(6 * guarded.noiseSd);
    expect((await run(keys.read, '--where', 'attributes.country=NL')).stdout).toMatch(/^\d+ ± [\d.]+ \(guarded\)\n$/);
    await expect(run(keys.read, '--where', 'user_id=user-3')).rejects.toThrow(/403/);
  });
});

describe('attacks on the guard, over many seeds', () => {
  const query: EventQuery = { where: [{ field: { json: 'attributes', key: 'country' }, op: 'eq', value: 'NL' }], groupBy: [], aggregates: [{ fn: 'count' }], limit: 10 };

  function crowd(seed: number, withTarget: boolean) {
    const rows = Array.from({ length: 40 }, (_, index) => ({ labels: [], entity: `u${seed}-${index}`, events: 1 + ((index * 7 + seed) % 5) }));
    if (withTarget) rows.push({ labels: [], entity: `target-${seed}`, events: 1 });
    return rows;
  }

  it('makes a difference attack (with and without the target) no better than a weak guess', () => {
    let correct = 0;
    const trials = 400;
    for (let trial = 0; trial < trials; trial++) {
      const guard = new PrivacyGuard(`salt-${trial}`);
      const present = trial % 2 === 0;
      // The attacker knows the crowd without the target and asks for the count with it (if present).
      const withAnswer = guard.answer(query, crowd(trial, present)).rows[0]!.values[0]!;
      const baseline = crowd(trial, false).reduce((sum, row) => sum + row.events, 0);
      if ((withAnswer - baseline >= 0.5) === present) correct++;
    }
    // Guessing is 50%; a single-event contributor against noise of sd ≈ 1.4 × the top group's average stays close to it.
    expect(correct / trials).toBeLessThan(0.62);
  });

  it('gives nothing to average: repeating or rephrasing returns the identical answer', () => {
    const guard = new PrivacyGuard('fixed');
    const rows = crowd(1, true);
    const answers = new Set<number>();
    for (let repeat = 0; repeat < 50; repeat++) answers.add(guard.answer(query, rows).rows[0]!.values[0]!);
    const reordered = guard.answer({ ...query, where: [...query.where].reverse() }, [...rows].reverse());
    answers.add(reordered.rows[0]!.values[0]!);
    expect(answers.size).toBe(1);
  });

  it('keeps a funnel median\'s noise for its people however many questions over them are averaged', () => {
    // Adversary 7 averaged six rephrased funnels over the same people: one draw seeded by question
    // and people together came out to 599 s against an exact 600 s. With a layer seeded by the
    // people alone, the average over 40 questions still carries that layer's error (sd 3.5%).
    const guard = new PrivacyGuard('median');
    let squares = 0;
    const cells = 60;
    for (let cell = 0; cell < cells; cell++) {
      const people = digestOfEntities([`p${cell}-a`, `p${cell}-b`, `p${cell}-c`, `p${cell}-d`]);
      let sum = 0;
      for (let question = 0; question < 40; question++) sum += guard.noisyDuration([`question-${question}`], ['*', 1], people, 600_000);
      squares += (sum / 40 / 600_000 - 1) ** 2;
    }
    // One draw per (question, people): the averages' error would be about 0.05/√40 = 0.008.
    expect(Math.sqrt(squares / cells)).toBeGreaterThan(0.02);
  });

  it('suppresses every group of one or two people, whatever the seed', () => {
    for (let trial = 0; trial < 300; trial++) {
      const guard = new PrivacyGuard(`s${trial}`);
      expect(guard.lowCount([`a${trial}`])).toBe(true);
      expect(guard.lowCount([`a${trial}`, `b${trial}`])).toBe(true);
    }
  });

  it('hides one heavy user behind flattening', () => {
    let revealed = 0;
    for (let trial = 0; trial < 200; trial++) {
      const guard = new PrivacyGuard(`heavy-${trial}`);
      const base = crowd(trial, false);
      const heavy = [...base, { labels: [], entity: `whale-${trial}`, events: 500 }];
      const answer = guard.answer(query, heavy).rows[0]!.values[0]!;
      const baseline = base.reduce((sum, row) => sum + row.events, 0);
      // Without flattening the answer would be ~500 above the crowd; with it, only the top group's average.
      if (answer - baseline > 50) revealed++;
    }
    expect(revealed).toBe(0);
  });
});

describe('low effect, snapping and digests', () => {
  it('always leaves out a condition that excludes one person, and moves the odds by little for one more', () => {
    // Over many salts, the chance that a condition excluding k people goes, against k + 1: the gap
    // is what an attacker learns from whether an answer changed (0.1 by design, plus sampling error).
    let maximumGap = 0;
    for (let k = 1; k <= 12; k++) {
      let goesWithK = 0;
      let goesWithMore = 0;
      const salts = 4000;
      for (let index = 0; index < salts; index++) {
        const guard = new PrivacyGuard(`salt-${index}`);
        if (guard.isLowEffect(k, `set-${k}-${index}`)) goesWithK++;
        if (guard.isLowEffect(k + 1, `set-${k + 1}-${index}`)) goesWithMore++;
      }
      if (k === 1) expect(goesWithK).toBe(salts);
      maximumGap = Math.max(maximumGap, (goesWithK - goesWithMore) / salts);
    }
    expect(maximumGap).toBeLessThan(0.14);
  });

  it('snaps untrusted time ranges to a grid, so a bound moved within it asks the same question', () => {
    const day = 86_400_000;
    const now = Date.UTC(2026, 11, 7, 12, 30);
    expect(snapTimeRange(1, undefined, now)).toEqual({ from: 0, to: undefined });
    expect(snapTimeRange(Date.UTC(2100, 0, 1) + 5, undefined, Date.UTC(2100, 0, 1) + 7)).toEqual(snapTimeRange(Date.UTC(2100, 0, 1) + 6, undefined, Date.UTC(2100, 0, 1) + 7));
    // A month: whole days; a day and a half: whole hours; twenty minutes: whole minutes.
    expect(snapTimeRange(now - 30 * day + 123, now - 456, now)).toEqual({ from: Date.UTC(2026, 10, 7), to: Date.UTC(2026, 11, 8) });
    expect(snapTimeRange(now - 1.5 * day, now, now)).toEqual({ from: Date.UTC(2026, 11, 6), to: Date.UTC(2026, 11, 7, 13) });
    expect(snapTimeRange(now - 1_200_001, now - 1, now)).toEqual({ from: now - 1_260_000, to: now });
  });

  it('XORs digests of disjoint sets into the digest of their union, in either form', () => {
    const a = ['u1', 'u2', 'u3'];
    const b = ['u4', 'u5'];
    expect(xorDigests(digestOfEntities(a), digestOfEntities(b))).toBe(digestOfEntities([...a, ...b]));
    expect(xorDigests('12', '10')).toBe('6');
    expect(xorDigests(digestOfEntities(a), '')).toBe(digestOfEntities(a));
  });
});

