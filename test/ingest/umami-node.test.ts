// Umami's own server-side client, @umami/node, works against Dashi unchanged: pageviews,
// custom events with data, and identify with session data all arrive.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Umami } from '@umami/node';
import { startDashi, stopAll } from '../helpers/server.js';

after(stopAll);

test('@umami/node track and identify', async () => {
  const d = await startDashi();
  const token = await d.login();
  const site = (await d.post('/api/websites', { name: 'Node', domain: 'node.example' }, { token })).body;
  const umami = new Umami({ hostUrl: d.url, websiteId: site.id });

  const responses = [
    await umami.track({ url: '/welcome', title: 'Welcome', hostname: 'node.example' }),
    await umami.track('signup', { plan: 'pro', seats: 3 }),
    await umami.identify({ company: 'Acme' }),
  ];
  for (const res of responses) assert.equal(res.status, 200, await res.clone().text());

  const range = `startAt=${Date.now() - 3_600_000}&endAt=${Date.now() + 60_000}`;
  const get = async (path: string) => {
    const res = await d.get(`/api/websites/${site.id}${path}${path.includes('?') ? '&' : '?'}${range}`, { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  assert.deepEqual(await get('/metrics?type=path'), [{ x: '/welcome', y: 1 }]);
  assert.deepEqual(await get('/metrics?type=event'), [{ x: 'signup', y: 1 }]);
  assert.deepEqual(await get('/event-data/values?event=signup&propertyName=plan'), [{ value: 'pro', total: 1 }]);
  assert.deepEqual(await get('/session-data/values?propertyName=company'), [{ value: 'Acme', total: 1 }]);
});
