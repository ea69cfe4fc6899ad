// The tracker in a real browser (Debian's Chromium via playwright-core) against a real server:
// pageviews, SPA navigation (pushState and the back button), data-umami-event clicks, the
// window.umami API and the script attributes; then exactly those rows must be stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { ensureChromium, launchChromium, USER_AGENT } from '../helpers/browser.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { readAll } from '../helpers/ingest-db.js';


/** A site on its own origin that embeds the tracker from Dashi, as a real site would. */
function startSite(pages: Record<string, string>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const html = pages[path] ?? pages['*'];
    if (!html) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function page(title: string, scriptTag: string, body = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${scriptTag}</head><body>${body}
<script>function go(path, title) { history.pushState({}, '', path); document.title = title; }</script></body></html>`;
}

after(stopAll);

describe('tracker in Chromium', () => {
  let dashi: Dashi;
  let browser: Browser;
  let site: http.Server;
  let siteUrl: string;
  const websites: Record<string, string> = {};

  before(async () => {
    ensureChromium();
    dashi = await startDashi();
    const token = await dashi.login();
    for (const name of ['main', 'domains', 'options', 'manual']) {
      const res = await dashi.post('/api/websites', { name, domain: 'example.com' }, { token });
      websites[name] = res.body.id;
    }
    const tag = (website: string, attrs = '') => `<script defer src="${dashi.url}/script.js" data-website-id="${website}" ${attrs}></script>`;
    const mainBody = `
      <button id="buy" data-umami-event="buy" data-umami-event-plan="pro" data-umami-event-color="blue"><span id="buy-label">Buy</span></button>
      <button id="plain">No event</button>
      <a id="next" href="/next" data-umami-event="go-next" data-umami-event-from="home">Next</a>`;
    site = await startSite({
      '/': page('Home', tag(websites.main, 'data-tag="e2e"'), mainBody),
      '/about': page('Home', tag(websites.main, 'data-tag="e2e"'), mainBody),
      '/next': page('Next', tag(websites.main, 'data-tag="e2e"')),
      '/domains': page('Domains', tag(websites.domains, 'data-domains="other.example,another.example"')),
      '/options': page(
        'Options',
        tag(websites.options, 'data-exclude-search="true" data-exclude-hash="true" data-before-send="beforeSend"') +
          `<script>window.beforeSend = (type, p) => p.name === 'secret' ? null : Object.assign(p, { tag: 'hooked' });</script>`,
      ),
      '/manual': page('Manual', tag(websites.manual, 'data-auto-track="false"')),
    });
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    site?.close();
  });

  async function newPage(): Promise<{ page: Page; sent: () => number; settled: () => Promise<void> }> {
    const context = await browser.newContext({ userAgent: USER_AGENT, viewport: { width: 1280, height: 800 }, screen: { width: 1280, height: 800 } });
    const page = await context.newPage();
    let sent = 0;
    const pending = new Set<Promise<unknown>>();
    page.on('request', (req) => {
      if (req.url().startsWith(`${dashi.url}/api/send`) && req.method() === 'POST') {
        sent++;
        const done = req.response().catch(() => null);
        pending.add(done);
        void done.then(() => pending.delete(done));
      }
    });
    return {
      page,
      sent: () => sent,
      settled: async () => {
        await page.waitForTimeout(500); // SPA pageviews go out 300 ms after navigation
        while (pending.size) await Promise.all([...pending]);
      },
    };
  }

  test('pageviews, pushState, back button, data-umami-event clicks and window.umami', async () => {
    const { page, sent, settled } = await newPage();
    await page.goto(`${siteUrl}/?ref=newsletter`);
    await page.waitForFunction(() => (window as any).umami);
    await settled();
    assert.equal(sent(), 1, 'one pageview on load');

    await page.evaluate(() => (window as any).go('/about', 'About us'));
    await settled();
    await page.click('#buy-label'); // inside the button: the closest button carries the event
    await page.click('#plain');
    await settled();
    await page.goBack(); // popstate back to /?ref=newsletter
    await settled();
    await page.evaluate(() => (window as any).umami.track('signup', { plan: 'team', seats: 3 }));
    await page.evaluate(() => (window as any).umami.identify('visitor-7', { role: 'admin' }));
    await settled();
    await Promise.all([page.waitForURL(`${siteUrl}/next`), page.click('#next')]);
    await settled();
    assert.equal(sent(), 8);
    await page.context().close();
  });

  test('data-domains: no hit from a host that is not listed', async () => {
    const { page, sent, settled } = await newPage();
    await page.goto(`${siteUrl}/domains`);
    await page.waitForFunction(() => (window as any).umami);
    await page.evaluate(() => (window as any).umami.track('should-not-send'));
    await settled();
    assert.equal(sent(), 0);
    await page.context().close();
  });

  test('exclude-search, exclude-hash and before-send', async () => {
    const { page, sent, settled } = await newPage();
    await page.goto(`${siteUrl}/options?secret=1#frag`);
    await page.waitForFunction(() => (window as any).umami);
    await settled();
    await page.evaluate(() => (window as any).umami.track('secret'));
    await page.evaluate(() => (window as any).umami.track('public'));
    await settled();
    assert.equal(sent(), 2, 'the before-send hook cancelled one event');
    await page.context().close();
  });

  test('data-auto-track="false": only manual calls are sent', async () => {
    const { page, sent, settled } = await newPage();
    await page.goto(`${siteUrl}/manual`);
    await page.waitForFunction(() => (window as any).umami);
    await page.evaluate(() => (window as any).go('/manual/2', 'Manual 2'));
    await settled();
    assert.equal(sent(), 0);
    await page.evaluate(() => (window as any).umami.track());
    await settled();
    assert.equal(sent(), 1);
    await page.context().close();
  });

  test('exactly those pageviews, events and properties are stored', async () => {
    await dashi.stop();
    const { events, eventData, sessionData } = await readAll(dashi);
    const of = (site: string) => events.filter((e) => e.website_id === websites[site]);

    const main = of('main').map((e) => [e.event_type, e.event_name, e.url_path, e.url_query]);
    assert.deepEqual(main, [
      [1, null, '/', 'ref=newsletter'],
      [1, null, '/about', null],
      [2, 'buy', '/about', null],
      [1, null, '/', 'ref=newsletter'],
      [2, 'signup', '/', 'ref=newsletter'],
      [2, 'go-next', '/', 'ref=newsletter'],
      [1, null, '/next', null],
    ]);
    const rows = of('main');
    const about = rows[1];
    assert.equal(about.page_title, 'About us');
    assert.equal(about.referrer_domain, '127.0.0.1', 'the previous SPA URL is the referrer');
    assert.equal(about.referrer_path, '/');
    assert.ok(rows.every((e) => e.tag === 'e2e' && e.browser === 'chrome' && e.os === 'Linux' && e.screen === '1280x800' && e.device === 'laptop'));
    assert.ok(rows.every((e) => e.hostname === '127.0.0.1' && e.language));
    // One visitor, one visit (the cache token) until identify switches to the distinct id.
    const beforeIdentify = rows.slice(0, 5);
    assert.equal(new Set(beforeIdentify.map((e) => e.session_id)).size, 1);
    assert.equal(new Set(beforeIdentify.map((e) => e.visit_id)).size, 1);
    assert.equal(rows[5].distinct_id, 'visitor-7');
    assert.notEqual(rows[5].session_id, rows[0].session_id);
    assert.equal(rows[6].distinct_id, null, 'the identity lives in page memory only');

    const props = (name: string) =>
      Object.fromEntries(eventData.filter((d) => d.event_id === rows.find((e) => e.event_name === name)!.event_id).map((d) => [d.data_key, [d.data_type, d.string_value]]));
    assert.deepEqual(props('buy'), { plan: [1, 'pro'], color: [1, 'blue'] });
    assert.deepEqual(props('signup'), { plan: [1, 'team'], seats: [2, '3'] });
    assert.deepEqual(props('go-next'), { from: [1, 'home'] });
    assert.deepEqual(
      sessionData.map((d) => [d.data_key, d.string_value, d.distinct_id]),
      [['role', 'admin', 'visitor-7']],
    );

    assert.deepEqual(of('domains'), []);
    const options = of('options').map((e) => [e.event_name, e.url_path, e.url_query, e.tag]);
    assert.deepEqual(options, [
      [null, '/options', null, 'hooked'],
      ['public', '/options', null, 'hooked'],
    ]);
    assert.deepEqual(
      of('manual').map((e) => [e.event_type, e.url_path]),
      [[1, '/manual/2']],
    );
  });
});
