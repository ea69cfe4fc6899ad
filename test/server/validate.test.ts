// parse() refuses NUL characters in the fields a schema declares, at any depth, on every store
// alike (PostgreSQL text and jsonb cannot hold them: they used to reach it and answer 500).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { z } from 'zod';
import { HttpError } from '../../src/lib/http-error.js';
import { parse } from '../../src/server/validate.js';
import { assertError } from '../helpers/api.js';
import { startDashi, stopAll } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';

after(stopAll);

const refused = (fn: () => unknown, field: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof HttpError && err.status === 400 && field.test(err.message) && /NUL/.test(err.message));

test('parse: a NUL in a declared field, nested value or key is a 400 naming the field', () => {
  refused(() => parse(z.object({ name: z.string() }), { name: 'a\u0000b' }), /name: must not contain NUL/);
  refused(() => parse(z.object({ parameters: z.unknown() }), { parameters: { filters: [{ value: '\u0000' }] } }), /parameters\.filters\.0\.value/);
  refused(() => parse(z.object({ parameters: z.unknown() }), { parameters: { 'a\u0000': 1 } }), /parameters\.a/);
  refused(() => parse(z.string(), 'x\u0000', 'websiteId'), /websiteId: websiteId: must not/);
  let deep: unknown = 'end\u0000';
  for (let i = 0; i < 50_000; i++) deep = { a: deep };
  refused(() => parse(z.object({ p: z.unknown() }), { p: deep }), /p\.a\.a/);
});

test('parse: NUL-free input and undeclared passthrough fields are left alone', () => {
  assert.deepEqual(parse(z.object({ name: z.string() }).passthrough(), { name: 'ok', other: '\u0000' }, 'query'), { name: 'ok', other: '\u0000' });
  assert.deepEqual(parse(z.object({ n: z.array(z.string()) }), { n: ['é', '𝕏', ''] }), { n: ['é', '𝕏', ''] });
});

for (const store of await testStores()) {
  test(`NUL in a share id, a list search or a new user's name is a 400, not a 500 (${store.name})`, async () => {
    const d = await startDashi({ env: await store.env() });
    try {
      const token = await d.login();
      assertError(await d.get('/api/share/%00'), 400, /shareId: must not contain NUL/);
      assertError(await d.get('/api/admin/users?search=%00', { token }), 400, /search: must not contain NUL/);
      assertError(await d.post('/api/users', { username: 'a\u0000b', password: 'password123', role: 'user' }, { token }), 400, /username: must not contain NUL/);
      assert.equal((await d.get('/api/admin/users?search=adm', { token })).status, 200);
    } finally {
      await stopAll();
      await store.cleanup();
    }
  });
}
