/**
 * The live tail: acknowledged events as they arrive. Severity, module prefix and free text are
 * filtered by the collector; template and context variable here. At most `visibleLimit` rows
 * stay in the DOM and arrivals are drawn once per animation frame, so 100,000 events a minute
 * cost a few hundred nodes and sixty paints a second, not a growing page.
 */
import { type Api, ApiError, type StoredEvent } from '../api.js';
import { type View, h, replace } from '../dom.js';
import { json, number, severities, time } from '../format.js';
import { eventDetail } from './event-detail.js';

const visibleLimit = 500;
const heldLimit = 5000;

interface Filters {
  severity: string;
  module: string;
  q: string;
  template: string;
  variable: string;
}

function matchesLocally(event: StoredEvent, filters: Filters): boolean {
  if (filters.template !== '' && !event.template.toLowerCase().includes(filters.template.toLowerCase())) return false;
  if (filters.variable !== '') {
    const [key, ...rest] = filters.variable.split('=');
    const variables = (json(event.context_vars) ?? {}) as Record<string, unknown>;
    const value = variables[key!.trim()];
    if (value === undefined) return false;
    if (rest.length > 0 && String(typeof value === 'object' ? JSON.stringify(value) : value) !== rest.join('=').trim()) return false;
  }
  return true;
}

export function tailView(api: Api): View {
  const filters: Filters = { severity: '', module: '', q: '', template: '', variable: '' };
  let shown: StoredEvent[] = [];
  let incoming: StoredEvent[] = [];
  let held: StoredEvent[] = [];
  let overflow = 0;
  let droppedByServer = 0;
  let received = 0;
  let paused = false;
  let frame = 0;
  let stream: AbortController | undefined;
  let disposed = false;
  let selectedId: string | undefined;
  /** The collector-side filters of the open stream: a field that settles on them again changes nothing. */
  let streamFilters: string | undefined;

  const body = h('tbody');
  const status = h('p', { class: 'status', 'aria-live': 'polite' }, 'connecting…');
  const detail = h('div', { class: 'detail-host' });
  const pauseButton = h('button', { class: 'pause', 'aria-pressed': 'false' }, 'Pause');

  const input = (name: keyof Filters, label: string, placeholder: string, serverSide: boolean) => {
    const field = h('input', { type: 'search', name, placeholder, 'aria-label': label });
    let timer: number | undefined;
    field.addEventListener('input', () => {
      filters[name] = field.value.trim();
      window.clearTimeout(timer);
      timer = window.setTimeout(() => (serverSide ? applyServerFilters() : redraw()), 250);
    });
    return h('label', {}, h('span', {}, label), field);
  };
  const severity = h('select', { name: 'severity', 'aria-label': 'Minimum severity' }, h('option', { value: '' }, 'all'), ...severities.map((name) => h('option', { value: name }, `${name}+`)));
  severity.addEventListener('change', () => {
    filters.severity = severity.value;
    applyServerFilters();
  });

  function updateStatus(): void {
    const parts = [`${number.format(shown.length)} shown`, `${number.format(received)} received`];
    if (paused) parts.push(`paused: ${number.format(held.length)} held${overflow > 0 ? `, ${number.format(overflow)} skipped` : ''}`);
    if (droppedByServer > 0) parts.push(`${number.format(droppedByServer)} dropped by the collector (reader too slow)`);
    status.textContent = parts.join(' · ');
  }

  function rowOf(event: StoredEvent): HTMLTableRowElement {
    const row = h('tr', { tabindex: 0, 'data-id': event.id, 'data-ts': event.ts, class: event.id === selectedId ? 'selected' : undefined },
      h('td', { class: 'time' }, time(event.ts).slice(11)),
      h('td', {}, h('span', { class: `severity severity-${event.severity}` }, event.severity)),
      h('td', { class: 'module' }, event.module ?? ''),
      h('td', { class: 'message' }, event.message));
    row.addEventListener('click', () => open(event));
    row.addEventListener('keydown', (keyboard) => {
      if (keyboard.key === 'Enter') open(event);
      if (keyboard.key === 'ArrowDown') (row.nextElementSibling as HTMLElement | null)?.focus();
      if (keyboard.key === 'ArrowUp') (row.previousElementSibling as HTMLElement | null)?.focus();
    });
    return row;
  }

  function open(event: StoredEvent): void {
    selectedId = event.id;
    for (const row of body.querySelectorAll('tr')) row.classList.toggle('selected', row.dataset['id'] === event.id);
    const panel = eventDetail(event, () => {
      selectedId = undefined;
      replace(detail);
      (body.querySelector(`tr[data-id="${CSS.escape(event.id)}"]`) as HTMLElement | null)?.focus();
    });
    replace(detail, panel);
    panel.focus();
  }

  function redraw(): void {
    const visible = shown.filter((event) => matchesLocally(event, filters));
    replace(body, ...visible.map(rowOf));
    updateStatus();
  }

  /** Draws what arrived since the last frame: newest on top, the oldest rows trimmed. */
  function flush(): void {
    frame = 0;
    const batch = incoming.filter((event) => matchesLocally(event, filters));
    incoming = [];
    if (batch.length === 0) return updateStatus();
    const newest = batch.slice(-visibleLimit).reverse();
    shown = [...newest, ...shown].slice(0, visibleLimit);
    const fragment = document.createDocumentFragment();
    for (const event of newest) fragment.appendChild(rowOf(event));
    body.prepend(fragment);
    while (body.childElementCount > visibleLimit) body.lastElementChild!.remove();
    updateStatus();
  }

  function arrive(event: StoredEvent): void {
    received++;
    if (paused) {
      if (held.length < heldLimit) held.push(event);
      else overflow++;
      if (received % 50 === 0) updateStatus();
      return;
    }
    incoming.push(event);
    if (incoming.length > visibleLimit) incoming = incoming.slice(-visibleLimit);
    if (frame === 0) frame = requestAnimationFrame(flush);
  }

  function serverFilters(): { severity: string; module: string; q: string } {
    return { severity: filters.severity, module: filters.module, q: filters.q };
  }

  /**
   * Reconnects only if the collector-side filters differ from the open stream's: a debounced
   * field settling after another control already applied its value must not empty the table.
   */
  function applyServerFilters(): void {
    if (JSON.stringify(serverFilters()) !== streamFilters) connect();
  }

  /** Opens the stream; `resuming` keeps what is drawn, for a stream that ended under unchanged filters. */
  function connect(resuming = false): void {
    stream?.abort();
    const controller = new AbortController();
    stream = controller;
    const wanted = serverFilters();
    streamFilters = JSON.stringify(wanted);
    if (!resuming) {
      // Nothing from the previous stream may be drawn under the new filters.
      shown = [];
      incoming = [];
      held = [];
      overflow = 0;
      received = 0;
      droppedByServer = 0;
      replace(body);
      status.textContent = 'connecting…';
    }
    // A stream that was replaced may still hand over what it had already read: ignore it.
    const current = () => stream === controller;
    const resume = (delay: number) => window.setTimeout(() => current() && !disposed && connect(true), delay);
    api.tail(wanted, controller.signal, (event) => current() && arrive(event), (count) => {
      if (!current()) return;
      droppedByServer += count;
      updateStatus();
    }).then(
      () => {
        if (!controller.signal.aborted && !disposed) resume(1000);
      },
      (error: unknown) => {
        if (controller.signal.aborted || disposed) return;
        if (error instanceof ApiError && error.status === 403) {
          status.textContent = `The live tail shows raw events: ${error.message}.`;
          return;
        }
        status.textContent = `disconnected (${String(error)}); retrying…`;
        resume(2000);
      },
    );
    updateStatus();
  }

  pauseButton.addEventListener('click', () => {
    paused = !paused;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    pauseButton.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      incoming.push(...held.slice(-visibleLimit));
      held = [];
      overflow = 0;
      if (frame === 0) frame = requestAnimationFrame(flush);
    }
    updateStatus();
  });

  const element = h('section', { class: 'view tail-view', 'aria-labelledby': 'tail-title' },
    h('h1', { id: 'tail-title' }, 'Live tail'),
    h('form', { class: 'filters', onsubmit: (submit: Event) => submit.preventDefault() },
      h('label', {}, h('span', {}, 'Severity'), severity),
      input('module', 'Module', 'api/checkout', true),
      input('template', 'Template', 'checkout failed', false),
      input('variable', 'Context variable', 'requestId=r42', false),
      input('q', 'Text', 'search messages', true),
      pauseButton),
    status,
    h('div', { class: 'tail-layout' },
      h('div', { class: 'table-scroll' },
        h('table', { class: 'tail' }, h('thead', {}, h('tr', {}, h('th', {}, 'time (UTC)'), h('th', {}, 'severity'), h('th', {}, 'module'), h('th', {}, 'message'))), body)),
      detail));
  connect();
  return {
    element,
    dispose() {
      disposed = true;
      stream?.abort();
      if (frame !== 0) cancelAnimationFrame(frame);
    },
  };
}
