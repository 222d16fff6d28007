/**
 * Funnels without writing queries: steps picked from the known event names, a window, an order
 * mode and a breakdown by experiment variant; the chart shows the guard's noise as error bars.
 */
import type { Api, FunnelAnswer } from '../api.js';
import { eventNames, experimentNames } from '../catalogue.js';
import { funnelChart } from '../charts/funnel-chart.js';
import { type View, h, replace } from '../dom.js';
import { duration, noisy, percent } from '../format.js';

const windows = [
  { label: '1 hour', milliseconds: 3_600_000 },
  { label: '1 day', milliseconds: 86_400_000 },
  { label: '7 days', milliseconds: 7 * 86_400_000 },
  { label: '14 days', milliseconds: 14 * 86_400_000 },
];

export function funnelsView(api: Api): View {
  const stepsHost = h('ol', { class: 'steps' });
  const result = h('div', { class: 'funnel-result', 'aria-live': 'polite' });
  const windowSelect = h('select', { name: 'window', 'aria-label': 'Conversion window' }, ...windows.map((option) => h('option', { value: option.milliseconds, selected: option.label === '14 days' }, option.label)));
  const orderSelect = h('select', { name: 'order', 'aria-label': 'Order' }, h('option', { value: 'sequential' }, 'sequential'), h('option', { value: 'strict' }, 'strict'), h('option', { value: 'any' }, 'any order'));
  const breakdownSelect = h('select', { name: 'breakdown', 'aria-label': 'Breakdown' }, h('option', { value: '' }, 'none'));
  let names: string[] = [];

  function stepSelect(selected?: string): HTMLLIElement {
    const select = h('select', { name: 'step', 'aria-label': 'Step event' }, ...names.map((name) => h('option', { value: name, selected: name === selected }, name)));
    const remove = h('button', { type: 'button', class: 'link', 'aria-label': 'Remove this step' }, 'remove');
    const item = h('li', {}, select, ' ', remove);
    remove.addEventListener('click', () => {
      if (stepsHost.childElementCount > 2) item.remove();
    });
    return item;
  }

  async function run(): Promise<void> {
    const steps = [...stepsHost.querySelectorAll('select')].map((select) => ({ name: select.value }));
    const body: Record<string, unknown> = { steps, window: Number(windowSelect.value), order: orderSelect.value };
    if (breakdownSelect.value !== '') body['breakdown'] = breakdownSelect.value;
    replace(result, h('p', { class: 'muted' }, 'computing…'));
    try {
      show(await api.funnel(body));
    } catch (error) {
      replace(result, h('p', { class: 'error' }, String(error)));
    }
  }

  function show(answer: FunnelAnswer): void {
    const rows = answer.breakdowns.flatMap((entry) => entry.steps.map((step) => h('tr', { 'data-breakdown': entry.breakdown ?? '(all)', 'data-step': step.step },
      h('td', {}, entry.breakdown ?? '(all)'),
      h('td', {}, `${step.step + 1}. ${step.name}`),
      h('td', { class: 'number users' }, step.suppressed ? 'too few' : noisy(step.users, step.noiseSd)),
      h('td', { class: 'number' }, percent(step.conversionRate)),
      h('td', { class: 'number' }, step.step === 0 ? '' : duration(step.medianTimeToConvert)))));
    replace(result,
      funnelChart(answer),
      h('p', { class: 'muted' }, answer.exact ? 'Exact answer (direct access).' : 'Guarded answer: error bars are ±2 standard deviations of the noise; medians are blurred.'),
      h('table', { class: 'funnel-table' },
        h('thead', {}, h('tr', {}, ...['breakdown', 'step', 'users', 'from first', 'median time'].map((title) => h('th', {}, title)))),
        h('tbody', {}, ...rows)));
  }

  const addButton = h('button', { type: 'button' }, 'Add step');
  addButton.addEventListener('click', () => {
    if (stepsHost.childElementCount < 20) stepsHost.append(stepSelect(names[stepsHost.childElementCount]));
  });
  const form = h('form', { class: 'funnel-form' },
    h('fieldset', {}, h('legend', {}, 'Steps'), stepsHost, addButton),
    h('label', {}, h('span', {}, 'Window'), windowSelect),
    h('label', {}, h('span', {}, 'Order'), orderSelect),
    h('label', {}, h('span', {}, 'Breakdown'), breakdownSelect),
    h('button', { type: 'submit', class: 'primary' }, 'Run funnel'));
  form.addEventListener('submit', (submit) => {
    submit.preventDefault();
    void run();
  });

  void Promise.all([eventNames(api), experimentNames(api)]).then(([known, experiments]) => {
    names = known;
    if (names.length < 2) {
      replace(result, h('p', { class: 'muted' }, 'A funnel needs at least two product events (event(...) calls); none yet.'));
      return;
    }
    for (const name of names.slice(0, 3)) stepsHost.append(stepSelect(name));
    for (const experiment of experiments) breakdownSelect.append(h('option', { value: `experiments.${experiment}` }, `variant of ${experiment}`));
  }, (error: unknown) => replace(result, h('p', { class: 'error' }, String(error))));

  const element = h('section', { class: 'view funnels-view', 'aria-labelledby': 'funnels-title' }, h('h1', { id: 'funnels-title' }, 'Funnels'), form, result);
  return { element, dispose() {} };
}
