/**
 * The dashboard shell: asks for a key once per browser session, learns its access level, and
 * routes between the views by the URL fragment (#/tail, #/overview, ...). A link may carry the
 * key as `#key=...` (what `npm start` prints); it is moved to sessionStorage and removed from the
 * address bar at once.
 */
import './styles.css';
import { Api, ApiError, type Whoami, keyStorage } from './api.js';
import { type View, h, replace } from './dom.js';
import { sourceLinkTemplate } from './views/event-detail.js';
import { experimentsView } from './views/experiments.js';
import { funnelsView } from './views/funnels.js';
import { healthView } from './views/health.js';
import { overviewView } from './views/overview.js';
import { tailView } from './views/tail.js';

const root = document.getElementById('app')!;

interface Route {
  path: string;
  label: string;
  /** Needs direct access (raw events). */
  direct?: boolean;
  make: (api: Api) => View;
}

const routes: Route[] = [
  { path: 'overview', label: 'Overview', make: overviewView },
  { path: 'tail', label: 'Live tail', direct: true, make: tailView },
  { path: 'funnels', label: 'Funnels', make: funnelsView },
  { path: 'experiments', label: 'Experiments', make: experimentsView },
  { path: 'health', label: 'Health', make: (api: Api) => healthView(api) },
];

function takeKeyFromAddress(): void {
  const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (match === null) return;
  keyStorage.write(decodeURIComponent(match[1]!));
  history.replaceState(null, '', `${location.pathname}${location.search}#/overview`);
}

function askForKey(message?: string): void {
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, 'aria-label': 'Read key', placeholder: 'lm_read_…' });
  const form = h('form', { class: 'key-form' },
    h('h1', {}, 'Logmill'),
    h('p', {}, 'Enter a read key (or the admin key). It is kept for this browser session only.'),
    message === undefined ? null : h('p', { class: 'error', role: 'alert' }, message),
    h('label', {}, h('span', {}, 'Key'), input),
    h('button', { type: 'submit', class: 'primary' }, 'Open the dashboard'));
  form.addEventListener('submit', (submit) => {
    submit.preventDefault();
    keyStorage.write(input.value.trim());
    void start();
  });
  replace(root, h('main', { class: 'centered' }, form));
  input.focus();
}

function shell(api: Api, who: Whoami): void {
  const main = h('main', { id: 'main', tabindex: -1 });
  const nav = h('nav', { 'aria-label': 'Views' });
  let current: View | undefined;
  const forget = h('button', { type: 'button', class: 'link' }, 'forget key');
  forget.addEventListener('click', () => {
    keyStorage.forget();
    current?.dispose();
    askForKey();
  });
  const sourceLinks = h('input', { type: 'text', value: sourceLinkTemplate(), 'aria-label': 'Source link template', size: 32 });
  sourceLinks.addEventListener('change', () => localStorage.setItem('logmill.sourceLink', sourceLinks.value));

  function route(): void {
    const path = /^#\/([a-z]+)/.exec(location.hash)?.[1] ?? 'overview';
    const target = routes.find((candidate) => candidate.path === path) ?? routes[0]!;
    for (const link of nav.querySelectorAll('a')) link.toggleAttribute('aria-current', link.dataset['path'] === target.path);
    current?.dispose();
    current = undefined;
    if (target.direct === true && who.access !== 'direct') {
      replace(main, h('section', { class: 'view' }, h('h1', {}, target.label),
        h('p', {}, `This view shows raw events, which need direct access; this key is ${who.access}. Its aggregates are in the other views.`)));
      return;
    }
    current = target.make(api);
    replace(main, current.element);
  }
  for (const target of routes) {
    nav.append(h('a', { href: `#/${target.path}`, 'data-path': target.path, class: target.direct === true && who.access !== 'direct' ? 'unavailable' : undefined }, target.label));
  }
  replace(root,
    h('a', { href: '#main', class: 'skip-link' }, 'Skip to content'),
    h('header', { class: 'top' }, h('strong', { class: 'brand' }, 'Logmill'), nav,
      h('span', { class: `access access-${who.access}`, title: 'What this key may see' }, `${who.project} · ${who.access}`), forget),
    main,
    h('footer', {}, h('label', {}, h('span', {}, 'Source links '), sourceLinks), h('span', { class: 'muted' }, ' ({file} and {line} are replaced)')));
  window.addEventListener('hashchange', route);
  route();
}

async function start(): Promise<void> {
  takeKeyFromAddress();
  const key = keyStorage.read();
  if (key === null || key === '') return askForKey();
  const api = new Api(key);
  try {
    shell(api, await api.whoami());
  } catch (error) {
    keyStorage.forget();
    askForKey(error instanceof ApiError ? `${error.message} (${error.status})` : String(error));
  }
}

void start();
