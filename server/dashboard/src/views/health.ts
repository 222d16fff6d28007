/**
 * Collector health: the numbers `/metrics` exposes, read from `/metrics` itself every few seconds
 * (uptime, ingest rate, rejects by reason, duplicates, storage, client spools), each labelled with
 * its Prometheus metric so the page and a Grafana board can be compared line by line.
 */
import type { Api } from '../api.js';
import { sparkline } from '../charts/sparkline.js';
import { type View, h, replace } from '../dom.js';
import { duration, number } from '../format.js';
import { type Sample, parsePrometheusText, total } from '../prometheus.js';

const pollMilliseconds = 5_000;

function bytes(value: number): string {
  return value < 1024 * 1024 ? `${(value / 1024).toFixed(1)} KiB` : value < 1024 ** 3 ? `${(value / 1024 / 1024).toFixed(1)} MiB` : `${(value / 1024 ** 3).toFixed(2)} GiB`;
}

export function healthView(api: Api): View {
  const cards = h('div', { class: 'cards' }, h('p', { class: 'muted' }, 'loading…'));
  const rejects = h('div', { class: 'table-scroll' });
  const rates: number[] = [];
  let previous: { at: number; accepted: number } | undefined;
  let timer: number | undefined;

  function card(label: string, value: string, metric: string, extra?: Node): HTMLElement {
    return h('div', { class: 'card', 'data-metric': metric }, h('span', { class: 'label' }, label), h('strong', {}, value), h('code', { class: 'hint' }, metric), extra);
  }

  function render(samples: Sample[]): void {
    const now = performance.now();
    const accepted = total(samples, 'logmill_events_accepted_total');
    if (previous !== undefined && now > previous.at) rates.push(Math.max(0, (accepted - previous.accepted) / ((now - previous.at) / 1000)));
    if (rates.length > 120) rates.shift();
    previous = { at: now, accepted };
    const rate = rates.at(-1);
    replace(cards,
      card('uptime', duration(total(samples, 'logmill_uptime_seconds') * 1000), 'logmill_uptime_seconds'),
      card('ingest rate', rate === undefined ? '…' : `${number.format(Math.round(rate))} events/s`, 'rate(logmill_events_accepted_total)', rates.length > 1 ? sparkline(rates, 'ingest rate, last 10 minutes', 160, 28) : undefined),
      card('events accepted', number.format(accepted), 'logmill_events_accepted_total'),
      card('duplicates', number.format(total(samples, 'logmill_events_duplicate_total')), 'logmill_events_duplicate_total'),
      card('stored events', number.format(total(samples, 'logmill_storage_rows')), 'logmill_storage_rows'),
      card('storage size', bytes(total(samples, 'logmill_storage_bytes')), 'logmill_storage_bytes'),
      card('awaiting load', number.format(total(samples, 'logmill_storage_pending_events')), 'logmill_storage_pending_events'),
      card('client spools', number.format(total(samples, 'logmill_client_spool_events')), 'logmill_client_spool_events'),
      card('client drops', number.format(total(samples, 'logmill_client_dropped_events')), 'logmill_client_dropped_events'),
      card('clients reporting', number.format(total(samples, 'logmill_clients_reporting')), 'logmill_clients_reporting'));
    const byReason = new Map<string, { requests: number; events: number }>();
    for (const sample of samples) {
      if (sample.name !== 'logmill_requests_rejected_total' && sample.name !== 'logmill_events_rejected_total') continue;
      const entry = byReason.get(sample.labels['reason'] ?? '?') ?? { requests: 0, events: 0 };
      if (sample.name === 'logmill_requests_rejected_total') entry.requests += sample.value;
      else entry.events += sample.value;
      byReason.set(sample.labels['reason'] ?? '?', entry);
    }
    replace(rejects, byReason.size === 0
      ? h('p', { class: 'muted' }, 'No rejected requests.')
      : h('table', { class: 'rejects' },
          h('thead', {}, h('tr', {}, h('th', {}, 'reason'), h('th', {}, 'requests'), h('th', {}, 'events'))),
          h('tbody', {}, ...[...byReason].sort((a, b) => b[1].requests - a[1].requests).map(([reason, counts]) =>
            h('tr', {}, h('td', {}, h('code', {}, reason)), h('td', { class: 'number' }, number.format(counts.requests)), h('td', { class: 'number' }, number.format(counts.events)))))));
  }

  async function poll(): Promise<void> {
    try {
      // /metrics counts single events, so it answers keys with direct access only.
      const response = await fetch('/metrics', { headers: { authorization: `Bearer ${api.key}` } });
      if (response.status === 401 || response.status === 403) {
        replace(cards, h('p', { class: 'muted' }, 'The collector\'s health numbers count single events: they need the admin key or a read key with direct access.'));
        return;
      }
      render(parsePrometheusText(await response.text()));
    } catch (error) {
      replace(cards, h('p', { class: 'error' }, `cannot read /metrics: ${String(error)}`));
    }
    // The second reading comes soon, so the ingest rate shows without a long wait.
    timer = window.setTimeout(() => void poll(), rates.length === 0 ? 1000 : pollMilliseconds);
  }
  void poll();
  const element = h('section', { class: 'view health-view', 'aria-labelledby': 'health-title' },
    h('h1', { id: 'health-title' }, 'Health'),
    h('p', { class: 'muted' }, 'From ', h('a', { href: '/metrics' }, '/metrics'), `, every ${pollMilliseconds / 1000} s.`),
    cards,
    h('h2', {}, 'Rejected requests by reason'), rejects);
  return { element, dispose: () => window.clearTimeout(timer) };
}
