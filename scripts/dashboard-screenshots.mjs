// Screenshots of each dashboard view, for docs/dashboard.md: `node scripts/dashboard-screenshots.mjs URL
// KEY [DIR]` against a running collector (`npm start` prints URL and the admin key), with Debian's
// Chromium. Writes overview.png, overview-dark.png, tail.png, funnels.png, experiments.png and
// health.png into DIR (default docs/screenshots).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, key, directory = 'docs/screenshots'] = process.argv.slice(2);
if (url === undefined || key === undefined) throw new Error('usage: node scripts/dashboard-screenshots.mjs URL KEY [DIR]');
mkdirSync(directory, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  for (const colorScheme of ['light', 'dark']) {
    const page = await browser.newPage({ viewport: { width: 1300, height: 860 }, colorScheme });
    await page.goto(`${url}/#key=${encodeURIComponent(key)}`);
    await page.waitForSelector('svg.rate-chart');
    await page.waitForSelector('table.templates tbody tr');
    await page.screenshot({ path: join(directory, colorScheme === 'light' ? 'overview.png' : 'overview-dark.png') });
    if (colorScheme === 'dark') break;
    await page.goto(`${url}/#/tail`);
    // An error, for its cause chain, among the latest events.
    await page.selectOption('select[name=severity]', 'ERROR');
    await page.waitForSelector('table.tail tbody tr', { timeout: 60_000 });
    await page.click('table.tail tbody tr');
    await page.selectOption('select[name=severity]', '');
    await page.waitForTimeout(3000);
    await page.screenshot({ path: join(directory, 'tail.png') });
    await page.goto(`${url}/#/funnels`);
    await page.waitForSelector('select[name=breakdown] option[value="experiments.checkout-v2"]', { state: 'attached' });
    await page.selectOption('select[name=breakdown]', 'experiments.checkout-v2');
    await page.click('button[type=submit]');
    await page.waitForSelector('svg.funnel-chart');
    await page.screenshot({ path: join(directory, 'funnels.png') });
    await page.goto(`${url}/#/experiments`);
    await page.waitForSelector('.experiment-table tbody tr');
    await page.screenshot({ path: join(directory, 'experiments.png') });
    await page.goto(`${url}/#/health`);
    await page.waitForFunction(() => /events\/s/.test(document.body.textContent ?? ''), undefined, { timeout: 15_000 });
    await page.screenshot({ path: join(directory, 'health.png') });
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`screenshots in ${directory}`);
