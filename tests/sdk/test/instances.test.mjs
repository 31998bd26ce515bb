// Two instances on one PostgreSQL database are one service: a session opened on one is good
// on the other (run.sh sets USERFORM_URL2 for the PostgreSQL run only).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client, ok, signIn, signUp, URL2, valueOf } from './helpers.mjs';

test('sign in on one instance, update through the other', { skip: !URL2 && 'no second instance' }, async () => {
  const a = client();
  const { login, password } = await signUp(a.api, 'instances');
  const auth = await signIn(a.api, login, password);
  const b = client(URL2);
  b.api.Users.setAccessToken(auth.accessToken);
  b.api.Users.setRefreshToken(auth.refreshToken);
  const updated = await b.api.Users.updateUser({
    formIdentifier: 'reg',
    formData: [{ marker: 'last_name', type: 'string', value: 'Elsewhere' }],
  });
  assert.equal(updated, true);
  const seen = ok(await a.api.Users.getUser('en_US'), 'getUser on the first instance');
  assert.equal(valueOf(seen, 'last_name'), 'Elsewhere');
  assert.equal(valueOf(ok(await b.api.Users.getUser('en_US'), 'getUser on the second'), 'last_name'), 'Elsewhere');
});
