// Cross-site requests in a real browser (Debian's Chromium): the visitor's browser holds the v1
// umami.auth cookie for Dashi on analytics.example.test; pages on a sibling subdomain
// (www.example.test: same-site, so SameSite does not help) and on another site (127.0.0.2)
// submit forms (text/plain and urlencoded) and credentialed fetches to create an admin, reset a
// website and publish its share link. Nothing changes. Same-origin cookie use (the v1 seed) still
// works; the dashboard's own login sets no cookie; the dashboard renders under its CSP with no
// violation; an admin on the default password sees a banner until the password changes.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureChromium, launchChromium, USER_AGENT } from '../helpers/browser.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';

const DASHI_HOST = 'analytics.example.test';
const SIBLING_HOST = 'www.example.test';

/** Pages that attack Dashi: each takes its target from the query string and fires on load. */
function attackerPage(query: URLSearchParams): string {
  const target = query.get('target') ?? '';
  const kind = query.get('kind');
  const json = query.get('json') ?? '{}';
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  if (kind === 'form-text') {
    // The classic trick: one field whose name is the JSON up to a dangling string, whose value closes it.
    const name = `${json.slice(0, -1)},"pad":"`;
    return `<form method="POST" enctype="text/plain" action="${esc(target)}"><input name='${esc(name)}' value='"}'></form><script>document.forms[0].submit()</script>`;
  }
  if (kind === 'form-urlencoded') {
    const fields = Object.entries(JSON.parse(json) as Record<string, string>)
      .map(([k, v]) => `<input name="${esc(k)}" value="${esc(String(v))}">`)
      .join('');
    return `<form method="POST" action="${esc(target)}">${fields}</form><script>document.forms[0].submit()</script>`;
  }
  return '<p>attacker</p>';
}

function startAttacker(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://attacker');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><body>${attackerPage(url.searchParams)}</body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.2', () => resolve(server)));
}

interface Seen {
  method: string;
  path: string;
  status: number;
}

describe('cross-site requests in Chromium', () => {
  let d: Dashi;
  let attacker: http.Server;
  let browser: Browser;
  let dashi: string; // the origin the browser uses for Dashi
  let admin: string;
  let websiteId: string;
  let victim: BrowserContext;
  const seen: Seen[] = [];

  before(async () => {
    ensureChromium();
    d = await startDashi();
    attacker = await startAttacker();
    const port = new URL(d.url).port;
    dashi = `http://${DASHI_HOST}:${port}`;
    browser = await launchChromium([`--host-resolver-rules=MAP ${DASHI_HOST} 127.0.0.1, MAP ${SIBLING_HOST} 127.0.0.2`]);

    admin = await d.login();
    const w = await d.post('/api/websites', { name: 'Victim site', domain: 'victim.example' }, { token: admin });
    websiteId = w.body.id;
    const hit = await d.request('POST', '/api/send', {
      body: { type: 'event', payload: { website: websiteId, hostname: 'victim.example', url: '/', language: 'en-US', screen: '1920x1080' } },
      headers: { 'user-agent': USER_AGENT },
    });
    assert.equal(hit.status, 200, JSON.stringify(hit.body));

    // The visitor's browser holds the cookie a v1 client gets from login (seed 000), with the
    // attributes the server gave it.
    const login = await fetch(`${d.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'umami' }) });
    const set = login.headers.get('set-cookie') ?? '';
    const value = /^umami\.auth=([^;]+)/.exec(set)?.[1];
    assert.ok(value, `login set no cookie: ${set}`);
    const sameSite = /SameSite=(\w+)/i.exec(set)?.[1].toLowerCase();
    victim = await browser.newContext({ userAgent: USER_AGENT });
    await victim.addCookies([
      { name: 'umami.auth', value, domain: DASHI_HOST, path: '/', httpOnly: /HttpOnly/i.test(set), secure: false, sameSite: sameSite === 'strict' ? 'Strict' : sameSite === 'none' ? 'None' : 'Lax' },
    ]);
    victim.on('response', (res) => {
      const u = new URL(res.url());
      if (u.host === new URL(dashi).host) seen.push({ method: res.request().method(), path: u.pathname, status: res.status() });
    });
  });

  after(async () => {
    await browser?.close();
    attacker?.close();
    await stopAll();
  });

  const state = async () => {
    const users = (await d.get('/api/admin/users?pageSize=100', { token: admin })).body.data.map((u: { username: string }) => u.username);
    const w = (await d.get(`/api/websites/${websiteId}`, { token: admin })).body;
    const stats = await d.get(`/api/websites/${websiteId}/stats?startAt=0&endAt=${Date.now() + 60_000}`, { token: admin });
    return { users: users.sort(), resetAt: w.resetAt, shareId: w.shareId, pageviews: stats.body.pageviews.value };
  };

  async function attackWithForm(page: Page, origin: string, kind: string, path: string, json: object): Promise<void> {
    const target = `${dashi}${path}`;
    const q = new URLSearchParams({ kind, target, json: JSON.stringify(json) });
    const answered = page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST', { timeout: 10_000 });
    await page.goto(`${origin}/attack?${q}`);
    await answered;
  }

  test('forms and credentialed fetches from a sibling subdomain and from another site change nothing', async () => {
    const before = await state();
    assert.deepEqual(before, { users: ['admin'], resetAt: null, shareId: null, pageviews: 1 });
    const port = (attacker.address() as AddressInfo).port;
    const origins = [`http://${SIBLING_HOST}:${port}`, `http://127.0.0.2:${port}`];
    const newAdmin = { username: 'mallory', password: 'mallory-password', role: 'admin' };
    const page = await victim.newPage();
    for (const origin of origins) {
      seen.length = 0;
      for (const kind of ['form-text', 'form-urlencoded']) {
        await attackWithForm(page, origin, kind, '/api/users', newAdmin);
        await attackWithForm(page, origin, kind, `/api/websites/${websiteId}/reset`, { confirm: 'yes' });
        await attackWithForm(page, origin, kind, `/api/websites/${websiteId}`, { shareId: 'stolen' });
      }
      await page.goto(`${origin}/attack`);
      const results = await page.evaluate(
        async ({ dashi, websiteId, newAdmin }) => {
          const send = (path: string, init: RequestInit) =>
            fetch(dashi + path, { credentials: 'include', method: 'POST', ...init }).then(
              (r) => `${r.type} ${r.status}`,
              (e: Error) => `error ${e.name}`,
            );
          return [
            // no-cors "simple" requests: sent with the cookie, answer unreadable
            await send('/api/users', { mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(newAdmin) }),
            await send(`/api/websites/${websiteId}/reset`, { mode: 'no-cors' }),
            await send(`/api/websites/${websiteId}`, { mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ shareId: 'stolen' }) }),
            await send(`/api/websites/${websiteId}`, { mode: 'no-cors', body: new URLSearchParams({ shareId: 'stolen' }) }),
            // a real JSON request needs a preflight, which never allows credentials
            await send('/api/users', { mode: 'cors', headers: { 'content-type': 'application/json' }, body: JSON.stringify(newAdmin) }),
            await send(`/api/websites/${websiteId}`, { mode: 'cors', method: 'DELETE' }),
          ];
        },
        { dashi, websiteId, newAdmin },
      );
      assert.deepEqual(results, ['opaque 0', 'opaque 0', 'opaque 0', 'opaque 0', 'error TypeError', 'error TypeError'], origin);
      await page.waitForTimeout(200);
      const writes = seen.filter((s) => s.method !== 'OPTIONS' && s.method !== 'GET');
      assert.ok(writes.length >= 10, `${origin}: the requests reached Dashi: ${JSON.stringify(seen)}`);
      for (const s of writes) assert.ok([401, 403, 415].includes(s.status), `${origin}: ${JSON.stringify(s)}`);
      // From the sibling subdomain the cookie does arrive (same-site): the bodiless reset is refused
      // by the origin rule (403), not for want of credentials (401).
      if (origin.includes(SIBLING_HOST)) {
        const reset = writes.find((s) => s.path.endsWith('/reset') && s.status !== 415);
        assert.equal(reset?.status, 403, JSON.stringify(writes));
      }
      assert.deepEqual(await state(), before, `${origin} changed something`);
    }
    await page.close();
  });

  test('same-origin cookie use still works for v1 clients, as the seed describes', async () => {
    const page = await victim.newPage();
    await page.goto(`${dashi}/login`);
    const out = await page.evaluate(async () => {
      const created = await fetch('api/website', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain: 'v1.example', name: 'V1 site' }) });
      const list = await fetch('api/websites', { credentials: 'same-origin' });
      return { status: created.status, created: await created.json(), list: await list.json() };
    });
    assert.equal(out.status, 200, JSON.stringify(out.created));
    assert.equal(typeof out.created.website_id, 'number');
    assert.ok(Array.isArray(out.list), 'the cookie alone answers the v1 array');
    assert.ok(out.list.some((w: { name: string }) => w.name === 'V1 site'));
    const stats = await page.evaluate(async (id) => (await fetch(`api/website/${id}/stats?start_at=0&end_at=${Date.now()}`)).status, out.created.website_id);
    assert.equal(stats, 200);
    await page.close();
  });

  test('a bearer-token client on another origin can call the API (CORS *, no credentials)', async () => {
    const page = await victim.newPage();
    const port = (attacker.address() as AddressInfo).port;
    await page.goto(`http://127.0.0.2:${port}/attack`);
    const out = await page.evaluate(
      async ({ dashi, admin }) => {
        const res = await fetch(`${dashi}/api/websites`, { headers: { authorization: `Bearer ${admin}` } });
        return { status: res.status, count: (await res.json()).count };
      },
      { dashi, admin },
    );
    assert.deepEqual(out, { status: 200, count: 2 });
    await page.close();
  });
});

describe('the dashboard in Chromium: no cookie from its login, CSP respected, default-password banner', () => {
  let d: Dashi;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  const violations: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    ensureChromium();
    d = await startDashi();
    browser = await launchChromium();
    ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'UTC', locale: 'en-US' });
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const list = ((window as unknown as { __violations?: string[] }).__violations ??= []);
        list.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    page = await ctx.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  async function collect(): Promise<void> {
    violations.push(...(await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? [])));
  }

  async function visit(path: string, ready: () => Promise<unknown>): Promise<void> {
    await page.goto(d.url + path);
    await ready();
    await page.waitForTimeout(150);
    await collect();
  }

  test('log in through the dashboard: no cookie, the banner names the default password and links to the profile', async () => {
    await page.goto(`${d.url}/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('umami');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    await collect();
    assert.deepEqual((await ctx.cookies()).filter((c) => c.name === 'umami.auth'), []);
    const banner = page.getByRole('alert').filter({ hasText: /default password/ });
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /umami/);
    await banner.getByRole('link', { name: /Change the password/ }).click();
    await page.getByRole('heading', { name: 'Change password' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/settings/profile');
    await collect();
  });

  test('every page renders under the CSP without a violation or a console error', async () => {
    const token = await d.login();
    const w = await d.post('/api/websites', { name: 'CSP site', domain: 'csp.example', shareId: 'csp-share' }, { token });
    assert.equal(w.status, 200);
    const id = w.body.id;
    for (const url of ['/', '/about', '/pricing']) {
      const hit = await d.request('POST', '/api/send', {
        body: { type: 'event', payload: { website: id, hostname: 'csp.example', url, language: 'de-DE', screen: '1440x900', referrer: 'https://search.example/' } },
        headers: { 'user-agent': USER_AGENT, 'x-forwarded-for': '81.2.69.160' },
      });
      assert.equal(hit.status, 200);
    }
    const heading = (name: string) => () => page.getByRole('heading', { name }).first().waitFor();
    await visit('/websites', heading('Websites'));
    await visit(`/websites/${id}`, async () => {
      await page.getByRole('heading', { name: 'CSP site' }).waitFor();
      await page.getByRole('region', { name: 'Pages' }).getByRole('button', { name: '/about' }).waitFor();
    });
    for (const tab of ['realtime', 'sessions', 'events', 'reports', 'settings']) await visit(`/websites/${id}/${tab}`, heading('CSP site'));
    for (const section of ['preferences', 'profile', 'users', 'teams', 'websites']) await visit(`/settings/${section}`, () => page.locator('main h2, main h3').first().waitFor());
    // the share page, logged out
    await page.evaluate(() => localStorage.clear());
    await visit('/share/csp-share', () => page.getByRole('region', { name: 'Pages' }).getByRole('button', { name: '/about' }).waitFor());
    assert.deepEqual(violations, []);
    assert.deepEqual(consoleErrors, []);
    // the control: the policy is in force and the listener sees a violation when there is one
    const control = await page.evaluate(async () => {
      const w = window as unknown as { __ran?: number; __violations?: string[] };
      const s = document.createElement('script');
      s.textContent = 'window.__ran = 1';
      document.head.append(s);
      await new Promise((r) => setTimeout(r, 100));
      return { ran: w.__ran === 1, violations: (w.__violations ?? []).length };
    });
    assert.deepEqual(control, { ran: false, violations: 1 });
    consoleErrors.length = 0;
  });

  test('the dashboard cannot be framed by another page', async () => {
    const framer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<iframe src="${d.url}/share/csp-share"></iframe>`));
    await new Promise<void>((r) => framer.listen(0, '127.0.0.2', () => r()));
    const p = await ctx.newPage();
    const errors: string[] = [];
    p.on('console', (m) => errors.push(m.text()));
    await p.goto(`http://127.0.0.2:${(framer.address() as AddressInfo).port}/`);
    await p.waitForTimeout(500);
    const frame = p.frames().find((f) => f !== p.mainFrame());
    // Chromium replaces a refused frame with an error page: the dashboard never renders in it
    const rendered = frame ? await frame.locator('#root').count().catch(() => 0) : 0;
    assert.equal(rendered, 0);
    assert.ok(errors.some((e) => /frame-ancestors|Refused to (display|frame)/i.test(e)), errors.join('\n'));
    await p.close();
    framer.close();
  });

  test('the banner goes away once the password changes, and stays away', async () => {
    await page.goto(`${d.url}/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('umami');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    await page.getByRole('alert').filter({ hasText: /default password/ }).waitFor();
    await page.goto(`${d.url}/settings/profile`);
    await page.getByLabel('Current password').fill('umami');
    await page.getByLabel('New password', { exact: true }).fill('a-new-password');
    await page.getByLabel('Confirm new password').fill('a-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
    await page.getByRole('alert').filter({ hasText: /default password/ }).waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('heading', { name: 'Change password' }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('alert').filter({ hasText: /default password/ }).count(), 0);
    await collect();
    assert.deepEqual(violations, []);
  });
});
