/**
 * The overview: events over time by severity (live, zoomable), the error rate, the busiest
 * templates (Sentry's issue list, with a trend), and modules as a tree by path prefix. Every
 * number comes from the query API, so an untrusted key sees guarded counts and closed buckets.
 */
import type { Api, TemplateRow } from '../api.js';
import { type ZoomState, rateChart } from '../charts/rate-chart.js';
import { sparkline } from '../charts/sparkline.js';
import { type View, h, replace } from '../dom.js';
import { noisy, number, percent } from '../format.js';

const ranges = [
  { label: '1 hour', milliseconds: 3_600_000, grain: 'minute', grainMilliseconds: 60_000 },
  { label: '6 hours', milliseconds: 6 * 3_600_000, grain: '5 minutes', grainMilliseconds: 300_000 },
  { label: '24 hours', milliseconds: 86_400_000, grain: '5 minutes', grainMilliseconds: 300_000 },
  { label: '7 days', milliseconds: 7 * 86_400_000, grain: 'hour', grainMilliseconds: 3_600_000 },
] as const;

const refreshMilliseconds = 10_000;

interface ModuleNode {
  name: string;
  path: string;
  own: number;
  total: number;
  children: Map<string, ModuleNode>;
}

function moduleTree(rows: readonly { module: string; count: number }[]): ModuleNode {
  const root: ModuleNode = { name: '', path: '', own: 0, total: 0, children: new Map() };
  for (const { module, count } of rows) {
    let node = root;
    node.total += count;
    const parts = module.split('/').filter((part) => part !== '');
    parts.forEach((part, index) => {
      let child = node.children.get(part);
      if (child === undefined) node.children.set(part, (child = { name: part, path: parts.slice(0, index + 1).join('/'), own: 0, total: 0, children: new Map() }));
      child.total += count;
      node = child;
    });
    node.own += count;
  }
  return root;
}

function renderTree(node: ModuleNode, prefix: string): HTMLElement {
  const children = [...node.children.values()].sort((a, b) => b.total - a.total);
  const list = h('ul', { class: 'module-tree', role: 'group' });
  for (const child of children) {
    if (prefix !== '' && !child.path.startsWith(prefix) && !prefix.startsWith(child.path)) continue;
    const label = h('span', {}, h('code', {}, child.name), ' ', h('span', { class: 'count' }, number.format(child.total)));
    list.append(h('li', { role: 'treeitem' },
      child.children.size === 0 ? label : h('details', { open: prefix.startsWith(child.path) || child.total > node.total * 0.3 }, h('summary', {}, label), renderTree(child, prefix))));
  }
  return list;
}

export function overviewView(api: Api): View {
  let range: (typeof ranges)[number] = ranges[0];
  let timer: number | undefined;
  let prefix = '';
  let modules: ModuleNode | undefined;
  let zoom: ZoomState = {};
  const chartHost = h('div', { class: 'chart-host' }, h('p', { class: 'muted' }, 'loading…'));
  const cards = h('div', { class: 'cards' });
  const templatesHost = h('div', { class: 'table-scroll' });
  const treeHost = h('div', { class: 'tree-host' });
  const note = h('p', { class: 'muted note' });
  const rangeButtons = ranges.map((option) => {
    const button = h('button', { type: 'button', 'aria-pressed': String(option === range) }, option.label);
    button.addEventListener('click', () => {
      range = option;
      zoom = {};
      for (const other of rangeButtons) other.setAttribute('aria-pressed', String(other === button));
      void refresh();
    });
    return button;
  });
  const prefixInput = h('input', { type: 'search', placeholder: 'api/checkout', 'aria-label': 'Module prefix' });
  prefixInput.addEventListener('input', () => {
    prefix = prefixInput.value.trim();
    if (modules !== undefined) replace(treeHost, renderTree(modules, prefix));
  });

  async function refresh(): Promise<void> {
    window.clearTimeout(timer);
    const from = Date.now() - range.milliseconds;
    try {
      const [series, totals, templates, byModule, trend] = await Promise.all([
        api.query({ from, groupBy: [{ time: range.grain }, { field: 'severity' }], aggregates: [{ fn: 'count' }], limit: 10_000 }),
        api.query({ from, aggregates: [{ fn: 'count' }, { fn: 'users' }] }),
        api.templates({ from, limit: 12 }),
        api.query({ from, groupBy: [{ field: 'module' }], aggregates: [{ fn: 'count' }], limit: 1000 }),
        api.query({ from, groupBy: [{ time: range.grain }, { field: 'template' }], aggregates: [{ fn: 'count' }], limit: 10_000 }),
      ]);
      const grainKey = `time:${range.grain}`;
      const points = series.rows
        .filter((row) => row['severity'] !== '*' && row[grainKey] !== '*')
        .map((row) => ({ time: Number(row[grainKey]), severity: String(row['severity']), count: Number(row['count']) }));
      replace(chartHost, rateChart(points, range.grainMilliseconds, [from, Date.now()], zoom));
      const total = points.reduce((sum, point) => sum + point.count, 0);
      const errors = points.filter((point) => point.severity === 'ERROR' || point.severity === 'FATAL').reduce((sum, point) => sum + point.count, 0);
      const totalsRow = totals.rows[0] ?? {};
      const card = (label: string, value: string, hint?: string) => h('div', { class: 'card' }, h('span', { class: 'label' }, label), h('strong', {}, value), hint === undefined ? null : h('span', { class: 'hint' }, hint));
      replace(cards,
        card('events', noisy(Number(totalsRow['count'] ?? 0), totals.noiseSd[0]?.['count'] ?? 0), range.label),
        card('users', noisy(Number(totalsRow['users'] ?? 0), totals.noiseSd[0]?.['users'] ?? 0)),
        card('error rate', total === 0 ? '—' : percent(errors / total, 2), `${number.format(errors)} ERROR or FATAL`),
        card('answers', series.exact ? 'exact' : 'guarded', series.exact ? 'direct access' : 'noisy, closed buckets only'));
      replace(templatesHost, templatesTable(templates.rows, trend.rows, grainKey));
      modules = moduleTree(byModule.rows.filter((row) => row['module'] !== '*').map((row) => ({ module: String(row['module'] ?? '(none)'), count: Number(row['count']) })));
      replace(treeHost, renderTree(modules, prefix));
      note.textContent = series.exact ? '' : "Guarded answers: groups too small to show are left out or gathered into *; ± is the noise's standard deviation.";
    } catch (error) {
      replace(chartHost, h('p', { class: 'error' }, String(error)));
    }
    timer = window.setTimeout(() => void refresh(), refreshMilliseconds);
  }

  function templatesTable(rows: readonly TemplateRow[], trend: readonly Record<string, unknown>[], grainKey: string): HTMLElement {
    const buckets = [...new Set(trend.map((row) => Number(row[grainKey])).filter((time) => Number.isFinite(time)))].sort((a, b) => a - b);
    const counts = new Map(trend.map((row) => [`${String(row['template'])}\u0000${Number(row[grainKey])}`, Number(row['count'])]));
    const trendOf = (template: string) => buckets.map((time) => counts.get(`${template}\u0000${time}`) ?? 0);
    return h('table', { class: 'templates' },
      h('thead', {}, h('tr', {}, ...['template', 'severity', 'events', 'trend', 'users', 'first seen', 'last seen'].map((title) => h('th', {}, title)))),
      h('tbody', {}, ...rows.map((row) => h('tr', {},
        h('td', {}, h('code', { class: 'template' }, row.template)),
        h('td', {}, h('span', { class: `severity severity-${row.severity}` }, row.severity)),
        h('td', { class: 'number' }, noisy(row.events, row.noiseSd.events)),
        h('td', {}, sparkline(trendOf(row.template), `trend of ${row.template}`)),
        h('td', { class: 'number' }, noisy(row.users, row.noiseSd.users)),
        h('td', {}, row.firstSeen.replace('T', ' ').slice(0, 19)),
        h('td', {}, row.lastSeen.replace('T', ' ').slice(0, 19))))));
  }

  const element = h('section', { class: 'view overview-view', 'aria-labelledby': 'overview-title' },
    h('h1', { id: 'overview-title' }, 'Overview'),
    h('div', { class: 'toolbar', role: 'group', 'aria-label': 'Time range' }, ...rangeButtons),
    cards,
    h('h2', {}, 'Events by severity'),
    h('p', { class: 'muted' }, 'Scroll or drag to zoom and pan; with the chart focused, + − ← → and 0.'),
    chartHost,
    note,
    h('div', { class: 'columns' },
      h('div', {}, h('h2', {}, 'Top templates'), templatesHost),
      h('div', {}, h('h2', {}, 'Modules'), h('label', {}, h('span', {}, 'Prefix '), prefixInput), treeHost)));
  void refresh();
  return { element, dispose: () => window.clearTimeout(timer) };
}
