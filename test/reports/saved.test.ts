// Saved reports (CRUD, paging, permissions) and the bad-input table of every report: each bad
// body is a 400 whose message names the field, never a 5xx.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dateRange, ReportFixture, visitor, STORES, stopAllStores } from '../helpers/reports-fixtures.js';

after(stopAllStores);

const RANGE = dateRange('2025-08-01T00:00:00.000Z', '2025-08-01T23:59:59.999Z');
const base = { dateRange: RANGE, timezone: 'UTC' };
const funnelParams = { window: 60, steps: [{ type: 'url', value: '/' }, { type: 'url', value: '/pricing' }] };

for (const store of STORES) describe(`saved reports and permissions (${store.name})`, () => {
  let f: ReportFixture;
  let teamSite: string;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  before(async () => {
    f = await ReportFixture.start(store);
    const admin = f.token;
    for (const name of ['owner', 'member', 'viewer', 'stranger']) {
      const res = await f.dashi.post('/api/users', { username: name, password: 'password123', role: 'user' }, { token: admin });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      ids[name] = res.body.id;
      tokens[name] = await f.dashi.login(name, 'password123');
    }
    // A team website: owner (team-owner), member (team-member: may update websites), viewer
    // (team-view-only: may only view). stranger is in no team.
    const team = await f.dashi.post('/api/teams', { name: 'Shop team' }, { token: tokens.owner });
    assert.equal(team.status, 200, JSON.stringify(team.body));
    const teamId = team.body[0].id;
    for (const [name, role] of [['member', 'team-member'], ['viewer', 'team-view-only']]) {
      const res = await f.dashi.post(`/api/teams/${teamId}/users`, { userId: ids[name], role }, { token: tokens.owner });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const site = await f.dashi.post('/api/websites', { name: 'Team shop', domain: 'team.example', teamId }, { token: tokens.owner });
    assert.equal(site.status, 200, JSON.stringify(site.body));
    teamSite = site.body.id;
    await f.hits(visitor(), [['2025-08-01T10:00:00Z', '/']]);
  });

  test('running a report needs view on the website', async () => {
    const body = { websiteId: teamSite, ...base, ...funnelParams };
    assert.equal((await f.dashi.post('/api/reports/funnel', body, { token: tokens.viewer })).status, 200);
    assert.equal((await f.dashi.post('/api/reports/funnel', body, { token: tokens.stranger })).status, 401);
    assert.equal((await f.dashi.post('/api/reports/funnel', body)).status, 401);
  });

  test('create, read, list, update, delete with permissions', async () => {
    const create = (token: string) =>
      f.dashi.post('/api/reports', { websiteId: teamSite, type: 'funnel', name: 'Pricing funnel', description: 'home to pricing', parameters: funnelParams }, { token });
    // Saving needs update on the website: the view-only member and the stranger may not.
    assert.equal((await create(tokens.viewer)).status, 401);
    assert.equal((await create(tokens.stranger)).status, 401);
    const made = await create(tokens.owner);
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const id = made.body.id;
    assert.equal(made.body.userId, ids.owner);
    assert.deepEqual(made.body.parameters, funnelParams);

    // Read: owner, viewer (views the website), admin; not the stranger.
    for (const who of ['owner', 'viewer']) assert.equal((await f.dashi.get(`/api/reports/${id}`, { token: tokens[who] })).status, 200, who);
    assert.equal((await f.dashi.get(`/api/reports/${id}`, { token: f.token })).status, 200);
    assert.equal((await f.dashi.get(`/api/reports/${id}`, { token: tokens.stranger })).status, 401);

    // Lists, paged.
    const byWebsite = await f.dashi.get(`/api/reports?websiteId=${teamSite}`, { token: tokens.viewer });
    assert.equal(byWebsite.status, 200);
    assert.equal(byWebsite.body.count, 1);
    assert.equal(byWebsite.body.page, 1);
    assert.equal(byWebsite.body.pageSize, 20);
    assert.equal(byWebsite.body.data[0].id, id);
    const websiteList = await f.dashi.get(`/api/websites/${teamSite}/reports?type=funnel`, { token: tokens.member });
    assert.equal(websiteList.status, 200);
    assert.equal(websiteList.body.count, 1);
    assert.equal((await f.dashi.get(`/api/websites/${teamSite}/reports?type=journey`, { token: tokens.member })).body.count, 0);
    assert.equal((await f.dashi.get(`/api/reports?websiteId=${teamSite}`, { token: tokens.stranger })).status, 401);
    const mine = await f.dashi.get('/api/reports', { token: tokens.viewer });
    assert.equal(mine.body.count, 1, 'reports of websites the caller can see');
    assert.equal((await f.dashi.get('/api/reports', { token: tokens.stranger })).body.count, 0);

    // Update: the owner of the report, or someone who may update the website (member); not the
    // viewer or the stranger.
    assert.equal((await f.dashi.post(`/api/reports/${id}`, { name: 'x' }, { token: tokens.viewer })).status, 401);
    assert.equal((await f.dashi.post(`/api/reports/${id}`, { name: 'x' }, { token: tokens.stranger })).status, 401);
    const renamed = await f.dashi.post(`/api/reports/${id}`, { name: 'Renamed', parameters: { ...funnelParams, window: 15 } }, { token: tokens.member });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.name, 'Renamed');
    assert.equal(renamed.body.parameters.window, 15);
    assert.equal(renamed.body.description, 'home to pricing');
    // Saved parameters are checked like a run's.
    const badParams = await f.dashi.post(`/api/reports/${id}`, { parameters: { ...funnelParams, window: 0 } }, { token: tokens.owner });
    assert.equal(badParams.status, 400);
    assert.match(badParams.body.error.message, /window/);

    // Delete: not the viewer; the owner may.
    assert.equal((await f.dashi.del(`/api/reports/${id}`, { token: tokens.viewer })).status, 401);
    assert.deepEqual((await f.dashi.del(`/api/reports/${id}`, { token: tokens.owner })).body, { ok: true });
    assert.equal((await f.dashi.get(`/api/reports/${id}`, { token: f.token })).status, 404);
    assert.equal((await f.dashi.get(`/api/reports/${id}`, { token: tokens.owner })).status, 401);
  });

  test('bad saved report bodies', async () => {
    const post = (body: unknown) => f.dashi.post('/api/reports', body, { token: f.token });
    const cases: [unknown, RegExp][] = [
      [{ websiteId: f.websiteId, type: 'nope', name: 'n', parameters: {} }, /type/],
      [{ websiteId: f.websiteId, type: 'funnel', name: '', parameters: {} }, /name/],
      [{ websiteId: 'not-a-uuid', type: 'funnel', name: 'n', parameters: {} }, /websiteId/],
      [{ websiteId: f.websiteId, type: 'funnel', name: 'n', parameters: 'x' }, /parameters/],
      [{ websiteId: f.websiteId, type: 'funnel', name: 'n', parameters: { steps: [{ type: 'url', value: '/' }], window: 5 } }, /steps/],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error.message, field);
    }
  });
});

for (const store of STORES) describe(`bad report input (${store.name})`, () => {
  let f: ReportFixture;
  before(async () => {
    f = await ReportFixture.start(store);
  });

  const steps2 = [{ type: 'url', value: '/' }, { type: 'event', value: 'signup' }];
  // [report, body fields, field the message must name]
  const table: [string, Record<string, unknown>, RegExp][] = [
    ['funnel', { window: 60, steps: [{ type: 'url', value: '/' }] }, /steps/],
    ['funnel', { window: 60, steps: [] }, /steps/],
    ['funnel', { window: 60 }, /steps/],
    ['funnel', { window: 60, steps: [{ type: 'url', value: '/' }, { type: 'click', value: 'x' }] }, /steps\.1\.type/],
    ['funnel', { window: 60, steps: [{ type: 'url', value: '/' }, { type: 'url', value: '' }] }, /steps\.1\.value/],
    ['funnel', { window: 0, steps: steps2 }, /window/],
    ['funnel', { window: -5, steps: steps2 }, /window/],
    ['funnel', { window: 'soon', steps: steps2 }, /window/],
    ['funnel', { steps: steps2 }, /window/],
    ['funnel', { window: 60, steps: 'x' }, /steps/],
    ['journey', { steps: 2 }, /steps/],
    ['journey', { steps: 8 }, /steps/],
    ['journey', { steps: 3.5 }, /steps/],
    ['journey', {}, /steps/],
    ['goals', { goals: [] }, /goals/],
    ['goals', {}, /goals/],
    ['goals', { goals: [{ type: 'page', value: '/', goal: 1 }] }, /goals\.0\.type/],
    ['goals', { goals: [{ type: 'url', value: '/', goal: 0 }] }, /goals\.0\.goal/],
    ['revenue', { currency: 'XYZ' }, /currency/],
    ['revenue', { currency: 'euro' }, /currency/],
    ['revenue', {}, /currency/],
    ['attribution', { model: 'linear', steps: [{ type: 'event', value: 'buy' }] }, /model/],
    ['attribution', { steps: [{ type: 'event', value: 'buy' }] }, /model/],
    ['attribution', { model: 'firstClick', steps: [] }, /steps/],
    ['attribution', { model: 'firstClick', steps: [{ type: 'nope', value: 'buy' }] }, /steps\.0\.type/],
    ['insights', { fields: [] }, /fields/],
    ['insights', { fields: [{ name: 'shoe size' }] }, /fields\.0\.name/],
    ['insights', { fields: [{ name: 'url' }], filters: [{ name: 'url', operator: 'like', value: 'x' }] }, /filters\.0\.operator/],
    ['insights', { fields: [{ name: 'url' }], filters: [{ name: 'url', operator: 're', value: '(' }] }, /filters\.0\.value/],
    ['utm', { timezone: 'Mars/Olympus' }, /timezone/],
    ['utm', { dateRange: { startDate: 'yesterday', endDate: RANGE.endDate } }, /startDate/],
    ['utm', { dateRange: { endDate: RANGE.endDate } }, /startDate/],
    ['utm', { dateRange: { startDate: RANGE.endDate, endDate: RANGE.startDate } }, /startDate/],
    ['retention', { dateRange: { ...RANGE, unit: 'fortnight' } }, /unit/],
    ['retention', { segment: 'nope' }, /segment/],
  ];

  test('each bad body is a 400 naming the field', async () => {
    for (const [type, fields, field] of table) {
      const res = await f.report(type, { ...base, ...fields });
      assert.equal(res.status, 400, `${type} ${JSON.stringify(fields)} -> ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(res.body.error.message, field, `${type} ${JSON.stringify(fields)}: ${res.body.error.message}`);
    }
  });

  test('malformed bodies are 400, never 5xx', async () => {
    const bodies: unknown[] = [null, 'x', 42, [], { websiteId: 7 }, { websiteId: f.websiteId, dateRange: 'today' }, { websiteId: f.websiteId, parameters: 'x' }];
    for (const type of ['funnel', 'retention', 'utm', 'goals', 'journey', 'revenue', 'attribution', 'insights']) {
      for (const body of bodies) {
        const res = await f.dashi.post(`/api/reports/${type}`, body, { token: f.token });
        assert.equal(res.status, 400, `${type} ${JSON.stringify(body)} -> ${res.status} ${JSON.stringify(res.body)}`);
      }
      const weird = await f.report(type, { ...base, steps: [null, 5], goals: [null], fields: [null], window: {}, model: [], currency: {} });
      // Retention and utm have no fields of their own, so they ignore these and answer.
      const expected = type === 'retention' || type === 'utm' ? 200 : 400;
      assert.equal(weird.status, expected, `${type} weird -> ${weird.status} ${JSON.stringify(weird.body)}`);
    }
  });
});
