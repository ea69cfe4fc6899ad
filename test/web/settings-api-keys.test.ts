// Settings → API keys in Chromium: create a read key limited to one website with an expiry, copy it
// once, use it, see it listed, revoke it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ensureChromium, launchChromium } from '../helpers/browser.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';

let dashi: Dashi;
let browser: Browser;
let page: Page;
const errors: string[] = [];

before(async () => {
  ensureChromium();
  dashi = await startDashi();
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'UTC', locale: 'en-US' });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: dashi.url });
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
});

after(async () => {
  await browser?.close();
  await stopAll();
});

test('create, copy once, use, list and revoke an API key', async () => {
  const token = await dashi.login();
  const alpha = (await dashi.post('/api/websites', { name: 'Alpha', domain: 'alpha.example' }, { token })).body;
  const beta = (await dashi.post('/api/websites', { name: 'Beta', domain: 'beta.example' }, { token })).body;

  await page.goto(`${dashi.url}/login`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('umami');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Websites' }).waitFor();

  await page.goto(`${dashi.url}/settings/api-keys`);
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'API keys' }).waitFor();
  await page.getByText('No API keys yet.').waitFor();
  await page.getByRole('button', { name: '+ Create API key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create API key' });
  await dialog.getByLabel('Name').fill('homepage');
  await dialog.getByLabel('Scope').selectOption('read');
  await dialog.getByLabel('Only some websites').check();
  await dialog.getByRole('checkbox', { name: /Alpha/ }).check();
  await dialog.getByLabel('Expires (optional)').fill('2999-12-31');
  await dialog.getByRole('button', { name: 'Create key' }).click();

  const shown = page.getByRole('status', { name: 'New API key' });
  await shown.waitFor();
  const key = ((await shown.getByTestId('new-api-key').textContent()) ?? '').trim();
  assert.match(key, /^dashi_[A-Za-z0-9_-]{43}$/);
  await shown.getByRole('button', { name: 'Copy' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);

  const range = `startAt=0&endAt=${Date.now()}`;
  assert.equal((await dashi.get(`/api/websites/${alpha.id}/stats?${range}`, { headers: { 'x-umami-api-key': key } })).status, 200);
  assert.equal((await dashi.get(`/api/websites/${beta.id}/stats?${range}`, { headers: { 'x-umami-api-key': key } })).status, 401);
  assert.equal((await dashi.post('/api/websites', { name: 'x', domain: 'x.example' }, { token: key })).status, 403);

  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.waitFor({ state: 'detached' });
  assert.equal(await page.getByText(key).count(), 0, 'the key is shown once');

  await page.reload();
  const table = page.getByRole('table', { name: 'API keys' });
  const row = table.getByRole('row', { name: /homepage/ });
  await row.waitFor();
  const text = (await row.textContent()) ?? '';
  assert.match(text, /read/);
  assert.match(text, /1 website/);
  assert.match(text, new RegExp(key.slice(0, 10)));
  assert.match(text, /2999/);
  assert.ok(!text.includes(key));

  await row.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog', { name: 'Revoke API key' }).getByRole('button', { name: 'Revoke' }).click();
  await page.getByText('No API keys yet.').waitFor();
  assert.equal((await dashi.get(`/api/websites/${alpha.id}/stats?${range}`, { headers: { 'x-umami-api-key': key } })).status, 401);
  assert.deepEqual(errors, []);
});
