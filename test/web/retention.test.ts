// The dashboard's data controls in Chromium: the website settings page sets data retention and
// lists the deletion log; the overview notes when its range reaches past what is kept.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ensureChromium, launchChromium } from '../helpers/browser.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';

after(stopAll);

describe('dashboard data retention in Chromium', () => {
  let dashi: Dashi;
  let browser: Browser;
  let page: Page;
  let token = '';
  let websiteId = '';
  const errors: string[] = [];

  before(async () => {
    ensureChromium();
    dashi = await startDashi();
    token = await dashi.login();
    websiteId = (await dashi.post('/api/websites', { name: 'Kept Site', domain: 'kept.example' }, { token })).body.id;
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'UTC', locale: 'en-US' });
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
  });

  test('settings: set retention, see the purge in the deletion log', async () => {
    const purge = await dashi.post(`/api/websites/${websiteId}/purge`, { filters: { referrer: 'eq.spam.com' } }, { token });
    assert.equal(purge.status, 200);
    await page.goto(`${dashi.url}/websites/${websiteId}/settings`);
    const field = page.getByLabel('Keep raw data for (days)');
    await field.waitFor();
    assert.equal(await field.inputValue(), '');
    await field.fill('30');
    await page.getByRole('form', { name: 'Data retention' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.equal((await dashi.get(`/api/websites/${websiteId}`, { token })).body.retentionDays, 30);
    const log = page.getByRole('table', { name: 'Deletion log' });
    await log.waitFor();
    const text = await log.innerText();
    assert.match(text, /Purge/);
    assert.match(text, /referrer=eq\.spam\.com/);
  });

  test('overview: a note when the range reaches past retention, none when it does not', async () => {
    await page.goto(`${dashi.url}/websites/${websiteId}?range=90d`);
    await page.getByRole('note').filter({ hasText: 'keeps raw data for 30 days' }).waitFor();
    await page.goto(`${dashi.url}/websites/${websiteId}?range=7d`);
    await page.getByRole('heading', { name: 'Kept Site' }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('note').filter({ hasText: 'keeps raw data' }).count(), 0);
    assert.deepEqual(errors, []);
  });
});
