/**
 * One event in full: rendered message, template and args, attributes, context variables, the
 * logical async stack frame by frame (with links to the source), and the error's cause chain.
 */
import type { StoredEvent } from '../api.js';
import { h } from '../dom.js';
import { json, time } from '../format.js';

interface Frame {
  function?: string;
  module?: string;
  file?: string;
  line?: number;
}

interface ErrorInfo {
  type?: string;
  message?: string;
  stack?: string;
  cause?: ErrorInfo | { value: string };
}

/** Where file:line links point: an editor URL with {file} and {line}, kept per browser. */
export function sourceLinkTemplate(): string {
  return localStorage.getItem('logmill.sourceLink') ?? 'vscode://file/{file}:{line}';
}

function sourceLink(file: string | undefined, line: number | undefined): Node {
  if (file === undefined) return document.createTextNode('');
  const label = line === undefined ? file : `${file}:${line}`;
  const href = sourceLinkTemplate().replace('{file}', encodeURI(file)).replace('{line}', String(line ?? 1));
  return h('a', { href, class: 'source-link' }, label);
}

function jsonBlock(value: unknown): HTMLElement {
  const parsed = json(value);
  const empty = parsed === null || parsed === undefined || (typeof parsed === 'object' && Object.keys(parsed as object).length === 0);
  return empty ? h('p', { class: 'muted' }, 'none') : h('pre', { class: 'json' }, JSON.stringify(parsed, null, 2));
}

function errorChain(error: ErrorInfo): HTMLElement {
  const list = h('ol', { class: 'cause-chain' });
  let current: ErrorInfo | { value: string } | undefined = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    if ('value' in current) {
      list.append(h('li', {}, h('strong', {}, depth === 0 ? 'thrown' : 'caused by'), ` ${current.value}`));
      break;
    }
    list.append(
      h('li', {},
        h('strong', {}, depth === 0 ? '' : 'caused by '),
        h('code', {}, current.type ?? 'Error'), `: ${current.message ?? ''}`,
        current.stack === undefined ? null : h('pre', { class: 'stack-trace' }, current.stack)),
    );
    current = current.cause;
  }
  return list;
}

export function eventDetail(event: StoredEvent, close: () => void): HTMLElement {
  const frames = (json(event.stack) as Frame[] | null) ?? [];
  const error = json(event.error) as ErrorInfo | null;
  const closeButton = h('button', { class: 'close', 'aria-label': 'Close the event', onclick: close }, '×');
  const panel = h('aside', { class: 'event-detail', role: 'dialog', 'aria-label': 'Event detail', tabindex: -1 },
    h('header', {}, h('span', { class: `severity severity-${event.severity}` }, event.severity), h('h2', {}, event.message), closeButton),
    h('dl', { class: 'facts' },
      h('dt', {}, 'time'), h('dd', {}, time(event.ts)),
      h('dt', {}, 'template'), h('dd', {}, h('code', { class: 'template' }, event.template)),
      h('dt', {}, 'call site'), h('dd', {}, event.function_name ?? '', ' ', event.module === null ? '' : `(${event.module}) `, sourceLink(event.file ?? undefined, event.line ?? undefined)),
      h('dt', {}, 'user'), h('dd', {}, event.user_id ?? '—'),
      h('dt', {}, 'id'), h('dd', {}, h('code', {}, event.id)),
      event.trace_id === null ? null : h('dt', {}, 'trace'), event.trace_id === null ? null : h('dd', {}, h('code', {}, event.trace_id))),
    h('h3', {}, 'Args'), jsonBlock(event.args),
    h('h3', {}, 'Logical async stack'),
    frames.length === 0
      ? h('p', { class: 'muted' }, 'no frames')
      : h('ol', { class: 'logical-stack' }, ...frames.map((frame) =>
          h('li', {}, h('code', {}, frame.function ?? '<anonymous>'), ' ', h('span', { class: 'muted' }, frame.module ?? ''), ' ', sourceLink(frame.file, frame.line)))),
    h('h3', {}, 'Context variables'), jsonBlock(event.context_vars),
    h('h3', {}, 'Attributes'), jsonBlock(event.attributes),
    error === null ? null : h('h3', {}, 'Error'),
    error === null ? null : errorChain(error),
  );
  panel.addEventListener('keydown', (keyboard) => {
    if (keyboard.key === 'Escape') close();
  });
  return panel;
}
