// The website settings page in Chromium: editing the allowed hostnames, and the refused-hit
// counts after the real tracker, on a page whose hostname is not allowed, was refused (which the
// tracker takes quietly: no error on the page, no retry).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureChromium, launchChromium, USER_AGENT } from '../helpers/browser.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';

after(stopAll);

describe('website settings in Chromium', () => {
  let dashi: Dashi;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let site: http.Server;
  let siteUrl = '';
  let token = '';
  let websiteId = '';
  const errors: string[] = [];

  before(async () => {
    ensureChromium();
    dashi = await startDashi();
    token = await dashi.login();
    websiteId = (await dashi.post('/api/websites', { name: 'Guarded Site', domain: 'example.com' }, { token })).body.id;
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>Copy</title>
      <script defer src="${dashi.url}/script.js" data-website-id="${websiteId}"></script></head><body>copied snippet</body></html>`;
    site = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-US', userAgent: USER_AGENT });
    page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${dashi.url}/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('umami');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/websites$/);
  });

  after(async () => {
    await browser?.close();
    site?.close();
  });

  const hostsSection = () => page.locator('section', { has: page.getByRole('heading', { name: 'Allowed hostnames' }) });
  const refusedSection = () => page.locator('section', { has: page.getByRole('heading', { name: 'Refused hits' }) });
  const refusedCount = (label: string) => refusedSection().locator('.prop-row', { hasText: label }).locator('dd');

  /** Opens the copied snippet's page; resolves with the statuses of the hits it sent. */
  async function visitCopy(): Promise<number[]> {
    const p = await ctx.newPage();
    const pageErrors: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    const statuses: number[] = [];
    p.on('response', (r) => {
      if (r.url().startsWith(`${dashi.url}/api/send`)) statuses.push(r.status());
    });
    await p.goto(siteUrl);
    await p.waitForFunction(() => typeof (window as { umami?: unknown }).umami === 'object');
    await p.waitForTimeout(300);
    // An explicit event resolves too, refused or not.
    assert.equal(await p.evaluate(() => (window as unknown as { umami: { track: (n: string) => Promise<void> } }).umami.track('signup').then(() => 'done')), 'done');
    await p.waitForTimeout(500); // time for any retry (there must be none)
    assert.deepEqual(pageErrors, [], 'no error on the tracked page');
    await p.close();
    return statuses;
  }

  test('edit the allowed hostnames; a bad entry is refused with its reason', async () => {
    await page.goto(`${dashi.url}/websites/${websiteId}/settings`);
    const box = hostsSection().getByLabel('Hostnames', { exact: true });
    assert.equal(await box.inputValue(), '');
    await refusedSection().getByText('No hit refused so far.').waitFor();
    assert.equal(await refusedCount('Hostname not allowed').textContent(), '0');

    await box.fill('Example.com\n*.example.org');
    await hostsSection().getByRole('button', { name: 'Save hostnames' }).click();
    await hostsSection().getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.equal(await box.inputValue(), 'example.com\n*.example.org');
    assert.deepEqual((await dashi.get(`/api/websites/${websiteId}`, { token })).body.allowedHostnames, ['example.com', '*.example.org']);

    await box.fill('example.com\nhttp://bad/');
    await hostsSection().getByRole('button', { name: 'Save hostnames' }).click();
    await hostsSection().getByRole('alert').filter({ hasText: /allowedHostnames/ }).waitFor();
    assert.deepEqual((await dashi.get(`/api/websites/${websiteId}`, { token })).body.allowedHostnames, ['example.com', '*.example.org'], 'unchanged');
  });

  test('the tracker on another hostname is refused quietly, and the page shows the count', async () => {
    const statuses = await visitCopy();
    assert.deepEqual(statuses, [403, 403], 'the pageview and the event, each sent once');
    await page.goto(`${dashi.url}/websites/${websiteId}/settings`);
    await refusedSection().getByText(/^Counted since /).waitFor();
    assert.equal(await refusedCount('Hostname not allowed').textContent(), '2');
    assert.equal(await refusedCount('Bots').textContent(), '0');
  });

  test('an emptied list accepts the hits again', async () => {
    await hostsSection().getByLabel('Hostnames', { exact: true }).fill('');
    await hostsSection().getByRole('button', { name: 'Save hostnames' }).click();
    await hostsSection().getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.deepEqual(await visitCopy(), [200, 200]);
    assert.deepEqual(errors, []);
  });
});
