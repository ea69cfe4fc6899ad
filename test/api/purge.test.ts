// Purge by filter and forget a visitor, on every store: a dry run counts and changes nothing; a
// purge removes exactly the matching rows (stats before and after, by hand) and is logged;
// forgetting a session removes all of its rows and nothing else; view-only members and outsiders
// get 401; bad input gets 400 and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { assertError, assertUnauthorized, createUser, type TestUser } from '../helpers/api.js';

const stores = await testStores();
after(stopAll);

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const HOUR = 3_600_000;
// Two days ago, on a whole hour: the aligned stats range below is served by the embedded store's rollups.
const T = Math.floor((Date.now() - 2 * 24 * HOUR) / HOUR) * HOUR;

for (const store of stores) {
  describe(`purge and forget (${store.name})`, () => {
    let d: Dashi;
    let admin: string;
    let viewer: TestUser;
    let outsider: TestUser;
    let site: string;
    let other: string;
    const sessionOf: Record<string, string> = {};

    const hit = async (website: string, visitor: string, minute: number, extra: Record<string, unknown> = {}) => {
      const payload = { website, hostname: 'example.com', url: '/a', id: visitor, timestamp: Math.floor((T + minute * 60_000) / 1000), ...extra };
      const res = await d.post('/api/send', { type: 'event', payload }, { headers: { 'user-agent': UA } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      sessionOf[`${website}:${visitor}`] = res.body.sessionId;
    };
    /** Stats over an aligned range (rollups on the embedded store) and a ragged one (raw rows): they must agree. */
    const stats = async (website: string) => {
      const aligned = await d.get(`/api/websites/${website}/stats?startAt=${T - 24 * HOUR}&endAt=${T + 24 * HOUR - 1}`, { token: admin });
      const ragged = await d.get(`/api/websites/${website}/stats?startAt=${T - 24 * HOUR + 1234}&endAt=${T + 24 * HOUR - 4321}`, { token: admin });
      assert.equal(aligned.status, 200, JSON.stringify(aligned.body));
      const pick = (b: any) => ({ pageviews: b.pageviews.value, visitors: b.visitors.value, visits: b.visits.value, bounces: b.bounces.value });
      assert.deepEqual(pick(aligned.body), pick(ragged.body));
      return pick(aligned.body);
    };
    const events = async (website: string) => {
      const res = await d.get(`/api/websites/${website}/metrics?type=event&startAt=${T - 24 * HOUR}&endAt=${T + 24 * HOUR}`, { token: admin });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return Object.fromEntries(res.body.map((r: any) => [r.x, r.y]));
    };

    before(async () => {
      d = await startDashi({ env: await store.env() });
      admin = await d.login();
      [viewer, outsider] = await Promise.all([createUser(d, admin, 'viewer'), createUser(d, admin, 'outsider')]);
      const team = await d.post('/api/teams', { name: 'Purgers' }, { token: admin });
      const teamId = team.body[0].id;
      assert.equal((await d.post(`/api/teams/${teamId}/users`, { userId: viewer.id, role: 'team-view-only' }, { token: admin })).status, 200);
      site = (await d.post('/api/websites', { name: 'Site', domain: 'example.com', teamId }, { token: admin })).body.id;
      other = (await d.post('/api/websites', { name: 'Other', domain: 'other.example' }, { token: admin })).body.id;
      // alice: three page views from spam.com in one visit.
      await hit(site, 'alice', 0, { referrer: 'https://spam.com/x' });
      await hit(site, 'alice', 1, { url: '/b', referrer: 'https://spam.com/x' });
      await hit(site, 'alice', 2, { url: '/c', referrer: 'https://spam.com/y' });
      // bob: a page view from google.com and a custom event with data.
      await hit(site, 'bob', 5, { referrer: 'https://google.com/' });
      await hit(site, 'bob', 6, { name: 'signup', data: { plan: 'pro' } });
      // carol: lands from spam.com, then one more page view.
      await hit(site, 'carol', 10, { referrer: 'https://spam.com/' });
      await hit(site, 'carol', 11, { url: '/d' });
      // The other website's spam referral must survive.
      await hit(other, 'alice', 0, { referrer: 'https://spam.com/x' });
    });
    after(() => store.cleanup());

    test('a dry run counts the matching rows and changes nothing', async () => {
      assert.deepEqual(await stats(site), { pageviews: 6, visitors: 3, visits: 3, bounces: 1 });
      const res = await d.post(`/api/websites/${site}/purge`, { filters: { referrer: 'eq.spam.com' }, dryRun: true }, { token: admin });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { dryRun: true, count: 4, events: 4, sessions: 2 });
      assert.deepEqual(await stats(site), { pageviews: 6, visitors: 3, visits: 3, bounces: 1 });
      // A range that holds none of them.
      const none = await d.post(`/api/websites/${site}/purge`, { filters: { referrer: 'eq.spam.com' }, startAt: T + HOUR, dryRun: true }, { token: admin });
      assert.equal(none.body.count, 0);
      assert.equal((await d.get(`/api/websites/${site}/purges`, { token: admin })).body.count, 0, 'dry runs are not logged');
    });

    test('view-only members and outsiders cannot purge, forget or read the log', async () => {
      for (const u of [viewer, outsider]) {
        assertUnauthorized(await d.post(`/api/websites/${site}/purge`, { filters: { referrer: 'eq.spam.com' } }, { token: u.token }));
        assertUnauthorized(await d.post(`/api/websites/${site}/purge`, { filters: { referrer: 'eq.spam.com' }, dryRun: true }, { token: u.token }));
        assertUnauthorized(await d.del(`/api/websites/${site}/sessions/${sessionOf[`${site}:bob`]}`, { token: u.token }));
        assertUnauthorized(await d.get(`/api/websites/${site}/purges`, { token: u.token }));
        assertUnauthorized(await d.post(`/api/websites/${site}`, { retentionDays: 1 }, { token: u.token }));
      }
      assertUnauthorized(await d.post(`/api/websites/${site}/purge`, { filters: { referrer: 'eq.spam.com' } }));
      assert.equal((await d.get(`/api/websites/${site}`, { token: viewer.token })).status, 200);
      assert.deepEqual(await stats(site), { pageviews: 6, visitors: 3, visits: 3, bounces: 1 });
    });

    test('bad input is a 400 naming the parameter, and changes nothing', async () => {
      const bad: [unknown, RegExp][] = [
        [{ filters: { nope: 'x' } }, /filters\.nope/],
        [{ filters: { referrer: 'gt.5' } }, /referrer/],
        [{ filters: { referrer: 're.(?=x)' } }, /referrer/],
        [{ filters: { referrer: 5 } }, /filters/],
        [{ filters: 'referrer=spam.com' }, /filters/],
        [{ filters: {} }, /filters/],
        [{}, /filters/],
        [{ filters: { referrer: 'eq.spam.com' }, dryRun: 'yes' }, /dryRun/],
        [{ filters: { referrer: 'eq.spam.com' }, startAt: T, endAt: T - 1 }, /endAt/],
        [{ filters: { referrer: 'eq.spam.com' }, startAt: 'yesterday' }, /startAt/],
        [{ filters: { referrer: 'eq.spam.com', match: 'some' } }, /match/],
      ];
      for (const [body, message] of bad) assertError(await d.post(`/api/websites/${site}/purge`, body, { token: admin }), 400, message);
      assertError(await d.request('POST', `/api/websites/${site}/purge`, { token: admin, rawBody: '{"filters":{"__proto__":{"x":1}}}' }), 400);
      assertError(await d.del(`/api/websites/${site}/sessions/not-a-session`, { token: admin }), 400, /sessionId/);
      assertError(await d.post(`/api/websites/not-a-site/purge`, { filters: { referrer: 'eq.spam.com' } }, { token: admin }), 400, /websiteId/);
      assert.deepEqual(await stats(site), { pageviews: 6, visitors: 3, visits: 3, bounces: 1 });
      assert.equal((await d.get(`/api/websites/${site}/purges`, { token: admin })).body.count, 0);
    });

    test('a purge removes exactly the matching rows and is logged', async () => {
      const res = await d.post(`/api/websites/${site}/purge`, { filters: { referrer: 'eq.spam.com' } }, { token: admin });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.count, 4);
      assert.equal(res.body.sessions, 2);
      // bob's two rows and carol's second page view are left: two visits of one page view each.
      assert.deepEqual(await stats(site), { pageviews: 2, visitors: 2, visits: 2, bounces: 2 });
      assert.deepEqual(await events(site), { signup: 1 });
      assert.deepEqual(await stats(other), { pageviews: 1, visitors: 1, visits: 1, bounces: 1 });
      const again = await d.post(`/api/websites/${site}/purge`, { filters: { referrer: 'eq.spam.com' }, dryRun: true }, { token: admin });
      assert.equal(again.body.count, 0);
      const log = await d.get(`/api/websites/${site}/purges`, { token: admin });
      assert.equal(log.status, 200);
      assert.equal(log.body.count, 1);
      const [entry] = log.body.data;
      assert.equal(entry.kind, 'purge');
      assert.deepEqual(entry.filters, { referrer: 'eq.spam.com' });
      assert.equal(entry.events, 4);
      assert.equal(entry.sessions, 2);
      assert.equal(entry.startAt, null);
      assert.ok(entry.userId);
    });

    test('forgetting a visitor removes every row of the session and nothing else', async () => {
      const bob = sessionOf[`${site}:bob`];
      const res = await d.del(`/api/websites/${site}/sessions/${bob}`, { token: admin });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.ok, true);
      // Two events, one event-data row, and at least one session row.
      assert.ok(res.body.deleted >= 4, JSON.stringify(res.body));
      assert.deepEqual(await stats(site), { pageviews: 1, visitors: 1, visits: 1, bounces: 1 });
      assert.deepEqual(await events(site), {});
      const props = await d.get(`/api/websites/${site}/event-data/events?startAt=${T - HOUR}&endAt=${T + HOUR}`, { token: admin });
      if (props.status === 200) assert.equal(JSON.stringify(props.body).includes('signup'), false);
      const sessions = await d.get(`/api/websites/${site}/sessions?startAt=${T - HOUR}&endAt=${T + HOUR}`, { token: admin });
      assert.equal(sessions.status, 200);
      assert.deepEqual(sessions.body.data.map((s: any) => s.id), [sessionOf[`${site}:carol`]]);
      assert.deepEqual(await stats(other), { pageviews: 1, visitors: 1, visits: 1, bounces: 1 });
      // Gone means gone: a second request finds nothing, and is recorded too.
      const twice = await d.del(`/api/websites/${site}/sessions/${bob}`, { token: admin });
      assert.deepEqual(twice.body, { ok: true, deleted: 0 });
      const log = (await d.get(`/api/websites/${site}/purges`, { token: admin })).body;
      assert.equal(log.count, 3);
      const forget = log.data.filter((e: any) => e.kind === 'forget');
      assert.deepEqual(forget.map((e: any) => e.filters), [{ sessionId: bob }, { sessionId: bob }]);
      assert.deepEqual(forget.map((e: any) => e.events).sort(), [0, 2]);
    });
  });
}
