// The world the golden analytics tests read: an owner with two websites (Example with a share
// link, Live), a team site that a team view-only member can read, a stranger, and the fixture of
// test/fixtures/golden.ts written straight into the stopped server's store.

import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { goldenBatch } from '../fixtures/golden.js';
import { createUser, PASSWORD, type TestUser } from './api.js';
import { startDashi, type Dashi } from './server.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

export interface GoldenWorld {
  d: Dashi;
  owner: TestUser;
  stranger: TestUser;
  viewer: TestUser;
  shareToken: string;
  ids: { w1: string; w2: string; w3: string };
}

/**
 * Users are named `<prefix>-owner` and so on. `beforeLoad` runs once the websites exist (the
 * server is up); `withStore` gets the store directly after the fixture is written.
 */
export async function goldenWorld(
  env: Record<string, string>,
  prefix: string,
  hooks: { beforeLoad?: (w: GoldenWorld) => Promise<void>; withStore?: (store: Store, w: GoldenWorld) => Promise<void> } = {},
): Promise<GoldenWorld> {
  const d = await startDashi({ env });
  const admin = await d.login();
  const user = (name: string) => createUser(d, admin, `${prefix}-${name}`);
  const w: GoldenWorld = { d, owner: await user('owner'), stranger: await user('stranger'), viewer: await user('viewer'), shareToken: '', ids: { w1: '', w2: '', w3: '' } };
  const teamOwner = await user('team-owner');
  const as = (u: TestUser) => ({ token: u.token });

  w.ids.w1 = (await d.post('/api/websites', { name: 'Example', domain: 'example.com' }, as(w.owner))).body.id;
  w.ids.w3 = (await d.post('/api/websites', { name: 'Live', domain: 'live.example' }, as(w.owner))).body.id;
  const [team] = (await d.post('/api/teams', { name: `${prefix} team` }, as(teamOwner))).body;
  assert.equal((await d.post(`/api/teams/${team.id}/users`, { userId: w.viewer.id, role: 'team-view-only' }, as(teamOwner))).status, 200);
  w.ids.w2 = (await d.post('/api/websites', { name: 'Team site', domain: 'team.example', teamId: team.id }, as(teamOwner))).body.id;
  assert.ok(w.ids.w1 && w.ids.w2 && w.ids.w3);
  assert.equal((await d.post(`/api/websites/${w.ids.w1}`, { shareId: `${prefix}-share` }, as(w.owner))).status, 200);
  await hooks.beforeLoad?.(w);

  await d.stop();
  const direct = await openStore(loadConfig({ ...process.env, ...env, DATA_DIR: d.dataDir }), trafficRollups);
  await direct.analytics.write(goldenBatch(w.ids, new Date()));
  await hooks.withStore?.(direct, w);
  await direct.close();
  await d.start();

  // Tokens issued before the restart stay valid, but log in again as a client would.
  for (const [u, name] of [[w.owner, 'owner'], [w.viewer, 'viewer'], [w.stranger, 'stranger']] as const) u.token = await d.login(`${prefix}-${name}`, PASSWORD);
  w.shareToken = (await d.get(`/api/share/${prefix}-share`)).body.token;
  return w;
}
