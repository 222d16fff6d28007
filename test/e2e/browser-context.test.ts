/**
 * Context propagation in a real browser (Debian's Chromium), where there is no AsyncLocalStorage
 * and zone.js cannot follow native `await`: the page's code is compiled with the transformer and
 * bundled by esbuild with the browser build of the runtime and the real OpenTelemetry SDK.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, formatDiagnostics } from '../helpers/compile.js';
import { launchChromium, repository, staticServer } from './helpers/browser.js';
import type { Report, Seen, SpanRecord } from './pages/context-app-types.js';
let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let page: Page;
let results: Seen[];
let spans: SpanRecord[];

beforeAll(async () => {
  const pages = join(repository, 'test/e2e/pages');
  const compiled = compile([join(pages, 'context-app.ts')], {
    format: 'esm',
    rootDir: pages,
    compilerOptions: { lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [], paths: { logmill: ['dist/esm/runtime/browser.d.ts'], 'logmill/opentelemetry': ['dist/esm/runtime/opentelemetry.d.ts'] } },
  });
  const errors = compiled.diagnostics.filter((diagnostic) => diagnostic.category === 1);
  if (errors.length > 0) throw new Error(formatDiagnostics(errors));
  // The browser conditions pick the runtime's browser entry and hooks (no node: imports).
  const bundle = await build({ entryPoints: [join(compiled.outDir, 'context-app.js')], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  const script = bundle.outputFiles[0]!.text.replace(/<\/script/gi, '<\\/script');
  site = await staticServer({
    '/app.html': `<!doctype html><meta charset="utf-8"><title>app</title><button id="buy">Buy</button><button id="fail">Fail</button><script type="module">${script}</script>`,
    '/profile': 'profile',
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${site.origin}/app.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 20_000 });
  results = await page.evaluate(() => (window as unknown as { results: Seen[] }).results);
  spans = await page.evaluate(() => (window as unknown as { spans: SpanRecord[] }).spans);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const seen = (label: string) => {
  const found = results.find((result) => result.label === label);
  if (found === undefined) throw new Error(`nothing seen as ${label}`);
  return found;
};

describe('in a real browser', () => {
  it('keeps each request its own variables and logical stack across timers, fetch and microtasks', () => {
    for (const id of ['slow', 'fast', 'middle']) {
      for (const point of ['after-timer', 'after-fetch', 'in-render-span']) {
        const { requestId, stack } = seen(`${id}:${point}`);
        expect(requestId, `${id}:${point}`).toBe(id);
        // Innermost first: loadProfile, called (through the span's callback) by request, by main.
        expect(stack.indexOf('loadProfile'), `${id}:${point} ${stack.join(' < ')}`).toBeGreaterThanOrEqual(0);
        expect(stack.indexOf('request')).toBeGreaterThan(stack.indexOf('loadProfile'));
        expect(stack.at(-1)).toBe('main');
      }
      expect(seen(`${id}:done`).requestId).toBe(id);
    }
    expect(seen('top').requestId).toBeUndefined();
  });

  it('runs a DOM listener registered in instrumented code in the context that registered it', async () => {
    await page.click('#buy');
    const click = (await page.evaluate(() => (window as unknown as { results: Seen[] }).results)).find((result) => result.label === 'click');
    expect(click?.requestId).toBe('button-setup');
    expect(click?.stack).toContain('registerButton');
  });

  it('reports uncaught errors and unhandled rejections in the context where they were thrown, with breadcrumbs and the session', async () => {
    await page.click('#fail');
    await page.waitForFunction(() => (window as unknown as { reports: () => unknown[] }).reports().length >= 2, undefined, { timeout: 10_000 });
    const reports = await page.evaluate(() => (window as unknown as { reports: () => Report[] }).reports());
    const rejection = reports.find((report) => report.mechanism === 'unhandledrejection')!;
    expect(rejection).toMatchObject({ template: 'unhandled rejection %s', requestId: 'sync-job' });
    expect(rejection.message).toContain('background sync failed');
    expect(rejection.stack).toEqual(['rejectLater', 'main']);
    const uncaught = reports.find((report) => report.mechanism === 'onerror')!;
    expect(uncaught).toMatchObject({ template: 'uncaught %s', requestId: 'fail-setup', cause: 'price missing' });
    expect(uncaught.message).toContain('checkout button broke');
    expect(uncaught.stack).toContain('registerFailingButton');
    // The console still works, and its last messages ride along (at most five were asked for).
    expect(uncaught.breadcrumbs.map((crumb) => `${crumb.level}: ${crumb.message}`)).toEqual(['log: opened the cart', 'warn: slow network']);
    const session = await page.evaluate(() => sessionStorage.getItem('logmill.session'));
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    expect(uncaught.sessionId).toBe(session);
    expect(rejection.sessionId).toBe(session);
  });

  it('parents OpenTelemetry spans across native awaits, and puts their ids on Logmill events', async () => {
    for (const id of ['slow', 'fast', 'middle']) {
      const request = spans.find((span) => span.name === `request ${id}`)!;
      const render = spans.find((span) => span.name === `render ${id}`)!;
      expect(request.parent).toBeNull();
      expect(render.parent).toBe(request.spanId);
      expect(seen(`${id}:after-fetch`).spanId).toBe(request.spanId);
      expect(seen(`${id}:in-render-span`).spanId).toBe(render.spanId);
    }
    const events = await page.evaluate(() => (window as unknown as { events: { message: string; requestId: string; traceId: string }[] }).events);
    for (const id of ['slow', 'fast', 'middle']) {
      const event = events.find((candidate) => candidate.message === `rendered ${id}`)!;
      expect(event.requestId).toBe(id);
      expect(event.traceId).toBe(spans.find((span) => span.name === `request ${id}`)!.traceId);
    }
  });
});
