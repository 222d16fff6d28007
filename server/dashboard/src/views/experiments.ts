/**
 * Experiments: for each one, exposures per variant, conversion to a chosen goal event with its
 * 95% interval, and the probability that each variant beats the control.
 */
import type { Api, ExperimentAnswer } from '../api.js';
import { eventNames, experimentNames } from '../catalogue.js';
import { intervalChart } from '../charts/interval-chart.js';
import { type View, h, replace } from '../dom.js';
import { noisy, percent } from '../format.js';

export function experimentsView(api: Api): View {
  const host = h('div', { class: 'experiments' }, h('p', { class: 'muted' }, 'loading…'));

  function panel(experiment: string, goals: string[]): HTMLElement {
    const result = h('div', { 'aria-live': 'polite' });
    const goal = h('select', { 'aria-label': `Goal for ${experiment}` }, ...goals.map((name) => h('option', { value: name, selected: name === 'order placed' }, name)));
    const show = (answer: ExperimentAnswer) => replace(result,
      answer.variants.length === 0 ? h('p', { class: 'muted' }, 'No variant has enough people to show.') : intervalChart(answer.variants),
      h('table', { class: 'experiment-table' },
        h('thead', {}, h('tr', {}, ...['variant', 'exposed', 'converted', 'rate [95% interval]', 'beats control'].map((title) => h('th', {}, title)))),
        h('tbody', {}, ...answer.variants.map((variant) => h('tr', { 'data-variant': variant.variant },
          h('td', {}, variant.variant),
          h('td', { class: 'number' }, noisy(variant.exposed, variant.noiseSd)),
          h('td', { class: 'number' }, String(variant.converted)),
          h('td', { class: 'number' }, `${percent(variant.conversionRate)} [${percent(variant.interval[0])}, ${percent(variant.interval[1])}]`),
          h('td', { class: 'number' }, variant.probabilityToBeatControl === null ? 'control' : percent(variant.probabilityToBeatControl)))))),
      h('p', { class: 'muted' }, answer.exact ? 'Exact answer.' : 'Guarded answer: counts carry noise (±1 sd shown).'));
    const load = () => {
      replace(result, h('p', { class: 'muted' }, 'computing…'));
      api.experiment({ experiment, goal: goal.value }).then(show, (error: unknown) => replace(result, h('p', { class: 'error' }, String(error))));
    };
    goal.addEventListener('change', load);
    if (goals.length > 0) load();
    return h('article', { class: 'experiment', 'data-experiment': experiment }, h('h2', {}, experiment), h('label', {}, h('span', {}, 'Goal '), goal), result);
  }

  void Promise.all([experimentNames(api), eventNames(api)]).then(([experiments, goals]) => {
    if (experiments.length === 0) return replace(host, h('p', { class: 'muted' }, 'No experiment exposures yet (experiment(name, variant, work) records them).'));
    replace(host, ...experiments.map((experiment) => panel(experiment, goals)));
  }, (error: unknown) => replace(host, h('p', { class: 'error' }, String(error))));

  const element = h('section', { class: 'view experiments-view', 'aria-labelledby': 'experiments-title' }, h('h1', { id: 'experiments-title' }, 'Experiments'), host);
  return { element, dispose() {} };
}
