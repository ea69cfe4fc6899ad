// The dashboard in a real browser (Debian's Chromium via playwright-core) against a real server:
// log in, create a website, send hits through the real tracker from a test site, read the right
// numbers on the overview, filter, change the date range, open realtime, sessions, events and a
// report, turn on the share link and open it logged out, change the password; then BASE_PATH and
// DISABLE_UI. Screenshots go to test-artifacts/screenshots (UPDATE_SCREENSHOTS=1: docs/screenshots).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ensureChromium, launchChromium, USER_AGENT } from '../helpers/browser.js';
import { root, startDashi, stopAll, type Dashi } from '../helpers/server.js';


const shotDir = process.env.UPDATE_SCREENSHOTS ? path.join(root, 'docs/screenshots') : path.join(root, 'test-artifacts/screenshots');

/** A site on its own origin that embeds the tracking code copied from the dashboard. */
function startSite(snippet: string): Promise<http.Server> {
  const page = (title: string, body: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${snippet}</head><body><h1>${title}</h1>${body}</body></html>`;
  const pages: Record<string, string> = {
    '/': page('Home', `<button id="signup" onclick="umami.track('signup', { plan: 'pro' })">Sign up</button><a id="about" href="/about">About</a>`),
    '/about': page('About', '<p>About us</p>'),
  };
  const server = http.createServer((req, res) => {
    const html = pages[(req.url ?? '/').split('?')[0]];
    if (!html) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Poll until fn returns true (the dashboard loads data asynchronously). */
async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

async function textOf(loc: Locator): Promise<string> {
  return ((await loc.first().textContent({ timeout: 5000 })) ?? '').trim();
}

async function metric(page: Page, name: string): Promise<string> {
  return textOf(page.locator(`[data-metric="${name}"] .metric-value`));
}

async function expectMetric(page: Page, name: string, value: string): Promise<void> {
  let seen = '';
  await until(`${name} = ${value}`, async () => (seen = await metric(page, name)) === value).catch((e) => {
    throw new Error(`${(e as Error).message} (last seen ${JSON.stringify(seen)})`);
  });
}

/** The text of every body cell, row by row. */
function tableRows(table: Locator): Promise<string[][]> {
  return table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
}

/** "1m 5s" -> 65 (the dashboard's visit duration). */
function seconds(text: string): number {
  let s = 0;
  for (const [, n, u] of text.matchAll(/(\d+)([hms])/g)) s += Number(n) * (u === 'h' ? 3600 : u === 'm' ? 60 : 1);
  return s;
}

/** A CSV file's rows (RFC 4180 quoting). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === '\n') {
      row.push(cell);
      cell = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else if (c !== '\r') cell += c;
  }
  return rows;
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(shotDir, { recursive: true });
  await page.waitForTimeout(300); // let charts finish their first paint
  await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage });
}

after(stopAll);

describe('dashboard in Chromium', () => {
  let dashi: Dashi;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let site: http.Server;
  let websiteId = '';
  const errors: string[] = [];

  before(async () => {
    ensureChromium();
    dashi = await startDashi();
    browser = await launchChromium();
    ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'UTC', locale: 'en-US' });
    page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    site?.close();
  });

  test('logs in', async () => {
    await page.goto(`${dashi.url}/`);
    await page.waitForURL(/\/login/);
    await shot(page, 'login', false);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: /incorrect/i }).waitFor();
    await page.getByLabel('Password').fill('umami');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/websites$/);
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
  });

  test('creates a website and shows its tracking code', async () => {
    await page.getByRole('button', { name: '+ Add website' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add website' });
    await dialog.getByLabel('Name').fill('Example Site');
    await dialog.getByLabel('Domain').fill('https://example.com/');
    await dialog.getByRole('button', { name: 'Add website', exact: true }).click();
    await page.waitForURL(/\/websites\/[0-9a-f-]{36}\/settings$/);
    websiteId = /\/websites\/([0-9a-f-]{36})\//.exec(page.url())![1];
    await page.getByRole('heading', { name: 'Example Site' }).waitFor();
    const snippet = await textOf(page.locator('pre.code code'));
    assert.match(snippet, new RegExp(`^<script defer src="${dashi.url}/script.js" data-website-id="${websiteId}"></script>$`));
    const site1 = await dashi.get(`/api/websites/${websiteId}`, { token: await dashi.login() });
    assert.equal(site1.body.domain, 'example.com');

    // The real tracker, from the copied snippet, on a site of its own origin.
    site = await startSite(snippet);
    const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const visitor = await browser.newContext({ userAgent: USER_AGENT, locale: 'de-DE', viewport: { width: 1440, height: 900 } });
    const v = await visitor.newPage();
    const sent = () => v.waitForResponse((r) => r.url().includes('/api/send') && r.status() === 200);
    let hit = sent();
    await v.goto(`${siteUrl}/`);
    await hit;
    hit = sent();
    await v.click('#signup');
    await hit;
    hit = sent();
    await v.click('#about');
    await hit;
    await visitor.close();
  });

  test('shows the right numbers on the overview', async () => {
    await page.goto(`${dashi.url}/websites/${websiteId}?range=today`);
    await expectMetric(page, 'views', '2');
    await expectMetric(page, 'visitors', '1');
    await expectMetric(page, 'visits', '1');
    await expectMetric(page, 'bounce-rate', '0%');
    const pages = page.getByRole('region', { name: 'Pages' });
    await pages.getByRole('button', { name: '/about' }).waitFor();
    await pages.getByRole('button', { name: '/', exact: true }).waitFor();
    await page.getByRole('region', { name: 'Events', exact: true }).getByRole('button', { name: 'signup' }).waitFor();
    const env = page.getByRole('region', { name: 'Environment' });
    await env.getByRole('button', { name: 'Chrome' }).waitFor();
    await page.getByRole('region', { name: 'Location' }).getByRole('tab', { name: 'Languages' }).click();
    await page.getByRole('region', { name: 'Location' }).getByRole('button', { name: /German/ }).waitFor();
    await page.locator('.chart .uplot').waitFor();
    await page.locator('svg.world-map').waitFor();
    await shot(page, 'overview');
  });

  test('filters by clicking a row, and by date range', async () => {
    await page.getByRole('region', { name: 'Pages' }).getByRole('button', { name: '/about' }).click();
    await page.waitForURL(/path=eq\.%2Fabout/);
    await page.getByRole('region', { name: 'Filters' }).getByText('Path is /about').waitFor();
    await expectMetric(page, 'views', '1');
    await expectMetric(page, 'visitors', '1');

    // A custom range with no data.
    await page.selectOption('#range-select', 'custom');
    const dialog = page.getByRole('dialog', { name: 'Custom date range' });
    await dialog.getByLabel('From').fill('2020-01-01');
    await dialog.getByLabel('To').fill('2020-01-31');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/range=custom%3A2020-01-01%3A2020-01-31/);
    await expectMetric(page, 'views', '0');
    await page.getByRole('region', { name: 'Pages' }).getByText('No data for this period.').waitFor();

    // Back to a range with data; the filter is still on.
    await page.selectOption('#range-select', '7d');
    await page.waitForURL(/range=7d/);
    await expectMetric(page, 'views', '1');
    await page.getByRole('button', { name: /^Remove filter Path is \/about/ }).click();
    await expectMetric(page, 'views', '2');

    // Filter bar: any dimension, any operator.
    await page.getByRole('button', { name: '+ Filter' }).click();
    const add = page.getByRole('dialog', { name: 'Add filter' });
    await add.getByLabel('Field').selectOption('path');
    await add.getByLabel('Condition').selectOption('c');
    await add.getByLabel('Value').fill('abo');
    await add.getByRole('button', { name: 'Apply filter' }).click();
    await page.waitForURL(/path=c\.abo/);
    await expectMetric(page, 'views', '1');
    await page.getByRole('button', { name: 'Clear all' }).click();
    await expectMetric(page, 'views', '2');

    // The unit switch refetches the chart by hour.
    await page.getByRole('group', { name: 'Chart unit' }).getByRole('button', { name: 'Hours' }).click();
    await page.waitForURL(/unit=hour/);
    await page.locator('.chart .uplot').waitFor();
  });

  test('is usable at 375 px wide and in the dark theme', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      await page.goto(`${dashi.url}/websites/${websiteId}?range=today`);
      await expectMetric(page, 'views', '2');
      await page.locator('.heatmap').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px at 375px`);
      await shot(page, 'overview-mobile');
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.locator('.chart .uplot').waitFor();
    await shot(page, 'overview-dark', false);
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  test('keyboard: skip link and tabs', async () => {
    await page.reload();
    await page.locator('.chart .uplot').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    const tabs = page.getByRole('region', { name: 'Environment' }).getByRole('tab');
    await tabs.first().focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'OS');
    assert.equal(await tabs.nth(1).getAttribute('aria-selected'), 'true');
  });

  test('realtime page', async () => {
    await page.getByRole('navigation', { name: 'Website sections' }).getByRole('link', { name: 'Realtime' }).click();
    await page.waitForURL(/\/realtime/);
    await expectMetric(page, 'views', '2');
    await expectMetric(page, 'active', '1');
    await page.getByRole('region', { name: 'Live activity' }).getByText('/about').first().waitFor();
    await shot(page, 'realtime');
  });

  test('sessions, one session, events', async () => {
    await page.getByRole('navigation', { name: 'Website sections' }).getByRole('link', { name: 'Sessions' }).click();
    await page.waitForURL(/\/sessions/);
    const rows = page.getByRole('region', { name: 'Sessions' }).locator('tbody tr');
    await until('one session', async () => (await rows.count()) === 1);
    await page.locator('.heatmap').waitFor();
    await shot(page, 'sessions');
    await rows.first().getByRole('link').click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}/);
    await page.getByRole('region', { name: 'Activity' }).getByText('/about').waitFor();
    await page.getByRole('region', { name: 'Session', exact: true }).getByText('Chrome').waitFor();
    await shot(page, 'session');

    await page.getByRole('navigation', { name: 'Website sections' }).getByRole('link', { name: 'Events' }).click();
    await page.waitForURL(/\/events/);
    await page.getByRole('region', { name: 'Events', exact: true }).getByRole('button', { name: 'signup' }).waitFor();
    await page.getByRole('tab', { name: 'Properties' }).click();
    await page.getByRole('button', { name: 'plan' }).click();
    await page.getByRole('cell', { name: 'pro' }).waitFor();
    await shot(page, 'events');
  });

  test('opens a report', async () => {
    await page.getByRole('navigation', { name: 'Website sections' }).getByRole('link', { name: 'Reports' }).click();
    await page.waitForURL(/\/reports/);
    await page.getByRole('link', { name: /Funnel/ }).click();
    await page.waitForURL(/\/reports\/funnel/);
    await page.getByLabel('Step 1 value').fill('/');
    await page.getByLabel('Step 2 value').fill('/about');
    await page.getByRole('button', { name: 'Run report' }).click();
    const results = page.getByRole('region', { name: 'Results' });
    // Until the reports API exists the page must say so clearly; once it does, show the funnel.
    const probe = await dashi.post('/api/reports/funnel', {}, { token: await dashi.login() });
    if (probe.status === 404) {
      await results.getByRole('alert').getByText('The report could not run').waitFor();
    } else {
      await results.locator('.funnel li').nth(1).waitFor();
      assert.match(await textOf(results.locator('.funnel li').nth(0)), /1 visitors/);
      assert.match(await textOf(results.locator('.funnel li').nth(1)), /1 visitors/);
      await page.getByLabel('Name', { exact: true }).fill('Signup funnel');
      await page.getByRole('button', { name: 'Save report' }).click();
      await page.waitForURL(/reportId=/);
      await page.goto(`${dashi.url}/websites/${websiteId}/reports`);
      await page.getByRole('link', { name: 'Signup funnel' }).click();
      await page.waitForURL(/reports\/funnel\?reportId=/);
      await until('the saved steps', async () => (await page.getByLabel('Step 2 value').inputValue()) === '/about');
      assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Signup funnel');
    }
    await shot(page, 'report-funnel');
  });

  test('websites list with traffic per website', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Websites' }).click();
    await page.waitForURL(/\/websites$/);
    const card = page.locator('.website-card').filter({ hasText: 'Example Site' });
    await until('visitors on the card', async () => (await textOf(card.locator('.mini-stats dd').first())) === '1');
    await card.locator('svg.sparkline').waitFor();
    await shot(page, 'websites', false);
  });

  test('share link, opened logged out', async () => {
    await page.goto(`${dashi.url}/websites/${websiteId}/settings`);
    await page.getByLabel('Enable share link').check();
    const input = page.getByLabel('Share URL');
    await input.waitFor();
    const shareUrl = await input.inputValue();
    assert.match(shareUrl, new RegExp(`^${dashi.url}/share/[A-Za-z0-9_-]+$`));
    await shot(page, 'website-settings');

    const anon = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'UTC' });
    const p = await anon.newPage();
    await p.goto(`${shareUrl}?range=today`);
    await p.getByRole('heading', { name: 'Example Site' }).waitFor();
    await expectMetric(p, 'views', '2');
    assert.equal(await p.getByRole('link', { name: 'Settings' }).count(), 0);
    await shot(p, 'share');
    await p.goto(`${dashi.url}/share/not-a-share`);
    await p.getByText('This share link does not work').waitFor();
    await anon.close();
  });

  test('settings: preferences, teams, profile password change, logout', async () => {
    await page.goto(`${dashi.url}/settings/preferences`);
    await page.getByLabel('Default date range').selectOption('30d');
    assert.equal(await page.evaluate(() => localStorage.getItem('dashi.range')), '30d');
    await page.goto(`${dashi.url}/settings/teams`);
    await page.getByLabel('Team name').fill('Marketing');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('link', { name: 'Marketing' }).click();
    await page.getByText(/team_/).first().waitFor();
    await page.getByRole('region', { name: 'Members' }).getByRole('cell', { name: 'admin', exact: true }).waitFor();
    await shot(page, 'team', false);
    await page.goto(`${dashi.url}/settings/users`);
    await page.getByRole('cell', { name: 'admin', exact: true }).first().waitFor();

    await page.goto(`${dashi.url}/settings/profile`);
    await page.getByLabel('Current password').fill('umami');
    await page.getByLabel('New password', { exact: true }).fill('a-new-password');
    await page.getByLabel('Confirm new password').fill('a-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('a-new-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/websites$/);
    assert.deepEqual(errors, [], 'no uncaught errors in the page');
  });
});

describe('dashboard under BASE_PATH, and DISABLE_UI', () => {
  let browser: Browser;
  before(async () => {
    ensureChromium();
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  test('works under BASE_PATH', async () => {
    const dashi = await startDashi({ env: { BASE_PATH: '/stats' } });
    const origin = dashi.url;
    const html = await fetch(`${origin}/stats/websites/x`).then((r) => r.text());
    assert.match(html, /<base href="\/stats\/">/);
    const api404 = await fetch(`${origin}/stats/api/nope`);
    assert.equal(api404.status, 404);
    assert.equal((await api404.json()).error.code, 'not-found');
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${origin}/stats/`);
    await page.waitForURL(/\/stats\/login/);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('umami');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${origin}/stats/websites`);
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(`${origin}/stats/settings/preferences`);
    await page.reload();
    await page.getByRole('heading', { name: 'Preferences' }).waitFor();
    assert.deepEqual(failed, []);
    await ctx.close();
  });

  test('DISABLE_UI serves no dashboard, the API still answers', async () => {
    const dashi = await startDashi({ env: { DISABLE_UI: '1' } });
    const root = await dashi.get('/');
    assert.equal(root.status, 404);
    assert.equal(root.body.error.code, 'not-found');
    assert.equal((await dashi.get('/share/abc')).status, 404);
    assert.equal((await dashi.get('/api/heartbeat')).status, 200);
  });
});

// A month of varied traffic sent through /api/send, so the screenshots show a dashboard in use.
describe('dashboard with a month of demo traffic (screenshots)', () => {
  let dashi: Dashi;
  let browser: Browser;
  let page: Page;
  let websiteId = '';
  let token = '';

  const UAS = [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
  ];
  const IPS = ['8.8.8.', '85.214.132.', '81.2.69.', '90.84.0.', '133.242.0.', '200.147.0.', '117.192.0.', '99.224.0.', '1.128.0.', '145.100.0.'];
  const LANGS = ['en-US', 'de-DE', 'en-GB', 'fr-FR', 'ja-JP', 'pt-BR', 'hi-IN', 'en-CA', 'en-AU', 'nl-NL'];
  const SCREENS = ['1920x1080', '1440x900', '2560x1440', '390x844', '412x915', '1366x768'];
  const PATHS = ['/', '/pricing', '/blog/fast-analytics', '/docs', '/docs/install', '/about', '/blog/privacy'];
  const REFS = ['', '', '', 'https://www.google.com/', 'https://news.ycombinator.com/', 'https://github.com/', 'https://duckduckgo.com/', 'https://twitter.com/'];

  before(async () => {
    ensureChromium();
    dashi = await startDashi();
    token = await dashi.login();
    websiteId = (await dashi.post('/api/websites', { name: 'dashi.example', domain: 'dashi.example' }, { token })).body.id;
    // Deterministic pseudo-random numbers, so every run draws the same pictures.
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(seed / 65536) % n;
    };
    const now = Math.floor(Date.now() / 1000);
    const sends: Promise<unknown>[] = [];
    for (let v = 0; v < 90; v++) {
      const ua = UAS[rnd(UAS.length)];
      const c = rnd(IPS.length);
      const ip = `${IPS[c]}${10 + v}`;
      // More visits on recent days; the last few visitors are here right now (realtime); a third
      // of them come back later the same day (or the day before), so visits outnumber visitors.
      const first = v >= 84 ? now - rnd(600) : now - (rnd(29) * 86400 + rnd(86400));
      const back = first + 7200 + rnd(12) * 3600;
      const starts = rnd(3) === 0 ? [first, back < now - 600 ? back : first - 86400] : [first];
      for (const start of starts) {
        const views = 1 + rnd(4);
        const referrer = REFS[rnd(REFS.length)];
        const utm = rnd(6) === 0 ? '?utm_source=newsletter&utm_medium=email&utm_campaign=launch' : '';
        for (let i = 0; i < views; i++) {
          const url = (i === 0 ? PATHS[rnd(3)] : PATHS[rnd(PATHS.length)]) + (i === 0 ? utm : '');
          const payload: Record<string, unknown> = {
            website: websiteId,
            hostname: 'dashi.example',
            url,
            title: url,
            language: LANGS[c],
            screen: SCREENS[rnd(SCREENS.length)],
            referrer: i === 0 ? referrer : '',
            timestamp: Math.min(now, start + i * 40),
          };
          sends.push(dashi.post('/api/send', { type: 'event', payload }, { headers: { 'user-agent': ua, 'x-forwarded-for': ip } }));
          if (rnd(4) === 0) {
            const name = ['signup', 'download', 'newsletter'][rnd(3)];
            sends.push(
              dashi.post('/api/send', { type: 'event', payload: { ...payload, name, data: { plan: ['free', 'pro', 'team'][rnd(3)] } } }, { headers: { 'user-agent': ua, 'x-forwarded-for': ip } }),
            );
          }
        }
      }
      if (sends.length > 40) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'UTC', locale: 'en-US', acceptDownloads: true });
    page = await ctx.newPage();
    await page.goto(`${dashi.url}/login`);
    await page.evaluate((t) => localStorage.setItem('dashi.token', t), token);
  });

  after(async () => browser?.close());

  test('overview, realtime, sessions, events, reports and share', async () => {
    await page.goto(`${dashi.url}/websites`);
    await until('card numbers', async () => /\d/.test(await textOf(page.locator('.website-card .mini-stats dd').first())));
    await page.locator('svg.sparkline').waitFor();
    await shot(page, 'websites', false);

    await page.goto(`${dashi.url}/websites/${websiteId}?range=30d`);
    await until('visitors', async () => Number(await metric(page, 'visitors')) > 50);
    await page.getByRole('region', { name: 'Location' }).locator('tbody tr').nth(3).waitFor();
    await page.locator('.country.has').first().waitFor();
    await page.locator('.heatmap').waitFor();
    await shot(page, 'overview');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await shot(page, 'overview-dark', false);
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.setViewportSize({ width: 375, height: 800 });
    await shot(page, 'overview-mobile', false);
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.goto(`${dashi.url}/websites/${websiteId}/realtime`);
    await until('realtime views', async () => Number(await metric(page, 'views')) > 0);
    await shot(page, 'realtime', false);

    await page.goto(`${dashi.url}/websites/${websiteId}/sessions?range=30d`);
    await page.getByRole('region', { name: 'Sessions' }).locator('tbody tr').nth(5).waitFor();
    await shot(page, 'sessions');

    await page.goto(`${dashi.url}/websites/${websiteId}/events?range=30d`);
    await page.getByRole('region', { name: 'Events', exact: true }).getByRole('button', { name: 'signup' }).waitFor();
    await page.locator('.chart .uplot').first().waitFor();
    await shot(page, 'events', false);

    await page.goto(`${dashi.url}/websites/${websiteId}/reports/funnel?range=30d`);
    await page.getByLabel('Step 1 value').fill('/');
    await page.getByLabel('Step 2 value').fill('/pricing');
    await page.getByRole('button', { name: '+ Add step' }).click();
    await page.getByLabel('Step 3 type').selectOption('event');
    await page.getByLabel('Step 3 value').fill('signup');
    await page.getByRole('button', { name: 'Run report' }).click();
    await page.getByRole('region', { name: 'Results' }).locator('.funnel li, [role=alert]').first().waitFor();
    await shot(page, 'report-funnel', false);

    await page.goto(`${dashi.url}/websites/${websiteId}/settings`);
    await page.getByLabel('Enable share link').check();
    const shareUrl = await page.getByLabel('Share URL').inputValue();
    await shot(page, 'website-settings', false);
    const anon = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'UTC', locale: 'en-US' });
    const p = await anon.newPage();
    await p.goto(`${shareUrl}?range=30d`);
    await until('shared visitors', async () => Number(await metric(p, 'visitors')) > 50);
    await p.locator('.country.has').first().waitFor();
    await shot(p, 'share', false);
    await anon.close();
  });

  test('expanded table: numbers as the API has them, search, sorting, CSV download, keyboard, 375 px', async () => {
    const seen: string[] = [];
    page.on('request', (r) => seen.push(r.url()));
    await page.goto(`${dashi.url}/websites/${websiteId}?range=30d`);
    const pages = page.getByRole('region', { name: 'Pages' });
    const more = pages.getByRole('button', { name: 'View more: Path' });
    await more.waitFor();

    // Keyboard: the button opens the dialog, which starts in its search box.
    await more.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Path' });
    const table = dialog.getByRole('table');
    await table.locator('tbody tr').first().waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'search');

    // The same range as the overview's own numbers.
    const range = (part: string) => {
      const u = new URL(seen.find((x) => x.includes(part))!);
      return { startAt: u.searchParams.get('startAt'), endAt: u.searchParams.get('endAt') };
    };
    const r = range('/metrics/expanded?');
    assert.deepEqual(r, range(`/websites/${websiteId}/stats?`));
    type Row = { name: string; pageviews: number; visitors: number; visits: number; bounces: number; totaltime: number };
    const expanded = async (search = '') =>
      (await dashi.get(`/api/websites/${websiteId}/metrics/expanded?type=path&startAt=${r.startAt}&endAt=${r.endAt}${search ? `&search=${search}` : ''}`, { token })).body as Row[];
    const all = await expanded();
    assert.ok(all.length >= 5, `paths in the demo data: ${all.length}`);
    assert.ok(all.some((x) => x.visits > x.visitors) && all.some((x) => x.pageviews > x.visits), 'the demo data tells visitors, visits and views apart');
    const bounce = (x: Row) => (x.visits ? Math.min(x.visits, x.bounces) / x.visits : 0);
    const duration = (x: Row) => (x.visits ? x.totaltime / x.visits : 0);

    // Every row and column as the API has it, in its order (views, most first).
    const num = (t: string) => Number(t.replace(/,/g, ''));
    const shown = await tableRows(table);
    assert.deepEqual(
      shown.map(([name, visitors, visits, views, rate, time]) => [name, num(visitors), num(visits), num(views), rate, seconds(time)]),
      all.map((x) => [x.name, x.visitors, x.visits, x.pageviews, `${Math.round(bounce(x) * 100)}%`, Math.round(duration(x))]),
    );
    assert.deepEqual(await dialog.locator('thead th').allTextContents().then((h) => h.map((t) => t.replace(/[▲▼↕]/g, ''))), ['Path', 'Visitors', 'Visits', 'Views', 'Bounce rate', 'Visit duration']);
    await shot(page, 'overview-expanded', false);

    // Sorting: by visitors (most first, then fewest first), then by path A to Z.
    const visitorsHeader = dialog.locator('th', { hasText: 'Visitors' });
    await visitorsHeader.getByRole('button').click();
    assert.equal(await visitorsHeader.getAttribute('aria-sort'), 'descending');
    const column = async (i: number) => (await tableRows(table)).map((row) => row[i]);
    const byVisitors = [...all].sort((a, b) => b.visitors - a.visitors);
    assert.deepEqual((await column(1)).map(num), byVisitors.map((x) => x.visitors));
    await visitorsHeader.getByRole('button').press('Enter');
    assert.equal(await visitorsHeader.getAttribute('aria-sort'), 'ascending');
    assert.deepEqual((await column(1)).map(num), [...byVisitors.map((x) => x.visitors)].reverse());
    const pathHeader = dialog.locator('th', { hasText: 'Path' });
    await pathHeader.getByRole('button').click();
    assert.equal(await pathHeader.getAttribute('aria-sort'), 'ascending');
    assert.equal(await visitorsHeader.getAttribute('aria-sort'), null);
    assert.deepEqual(await column(0), all.map((x) => x.name).sort((a, b) => a.localeCompare(b)));

    // Search asks the API, and keeps the sort.
    await dialog.getByRole('searchbox', { name: 'Search path' }).fill('blog');
    await dialog.getByRole('status').getByText('matching “blog”').waitFor();
    const blog = await expanded('blog');
    assert.ok(blog.length >= 1 && blog.length < all.length);
    await until('only the matching rows', async () => (await column(0)).join() === blog.map((x) => x.name).sort((a, b) => a.localeCompare(b)).join());

    // The CSV holds what is shown: the matching rows, in the shown order, every column.
    await visitorsHeader.getByRole('button').click();
    const [file] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download CSV' }).click()]);
    assert.match(file.suggestedFilename(), /^path-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await file.path())!, 'utf8');
    assert.equal(text.charCodeAt(0), 0xfeff, 'a byte-order mark for spreadsheets');
    const expectedRows = [...blog].sort((a, b) => b.visitors - a.visitors);
    assert.deepEqual(parseCsv(text.slice(1)), [
      ['Path', 'Visitors', 'Visits', 'Views', 'Bounce rate (%)', 'Visit duration (s)'],
      ...expectedRows.map((x) => [x.name, x.visitors, x.visits, x.pageviews, Math.round(bounce(x) * 1000) / 10, Math.round(duration(x))].map(String)),
    ]);
    assert.deepEqual(
      (await column(0)),
      expectedRows.map((x) => x.name),
    );

    // Escape closes it and gives the focus back to the button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'View more: Path');

    // Clicking a value filters by it, as in the small table.
    await more.click();
    await dialog.getByRole('button', { name: blog[0].name, exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForURL(new RegExp(`path=eq\\.${encodeURIComponent(blog[0].name)}`));
    await page.goto(`${dashi.url}/websites/${websiteId}?range=30d`);

    // At 375 px the dialog fits the screen; its table scrolls inside it.
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      await page.getByRole('region', { name: 'Location' }).getByRole('button', { name: 'View more: Country' }).click();
      const countries = page.getByRole('dialog', { name: 'Country' });
      await countries.locator('tbody tr').first().waitFor();
      const box = (await countries.boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= 375, `dialog spans ${box.x}..${box.x + box.width}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px at 375px`);
      await countries.getByRole('button', { name: 'Download CSV' }).waitFor();
      await page.keyboard.press('Escape');
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });
});
