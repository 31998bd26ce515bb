// Sessions through the SDK, with a user of its own made by the SDK's sign-up: an expired
// access token is refreshed by the SDK and the call retried; two calls after expiry refresh in
// parallel with the same refresh token and both succeed; after logout the next call is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client, ok, PROVIDER, signIn, signUp, sleep, valueOf } from './helpers.mjs';

// run.sh starts the service with --access-ttl 1s.
const EXPIRY_MS = 1500;

/** A user of its own, signed in, whose access token has just expired. */
async function expired(tag) {
  const { api, saved } = client();
  const { login, password } = await signUp(api, tag);
  await signIn(api, login, password);
  const before = saved.length;
  await sleep(EXPIRY_MS);
  return { api, login, refreshes: () => saved.length - before };
}

test('sign-up answers the created user', async () => {
  const { api } = client();
  const { login, user } = await signUp(api, 'signup');
  assert.equal(user.identifier, login);
  assert.equal(typeof user.id, 'number');
  assert.equal(user.isActive, true);
  const again = await api.AuthProvider.signUp(PROVIDER, {
    formIdentifier: PROVIDER,
    authData: [
      { marker: 'email', value: login.toUpperCase() },
      { marker: 'password', value: 'another password' },
    ],
    formData: [{ marker: 'last_name', type: 'string', value: 'Twice' }],
  });
  assert.equal(again.statusCode, 400);
  assert.equal(again.code, 3018);
  const incomplete = await api.AuthProvider.signUp(PROVIDER, {
    formIdentifier: PROVIDER,
    authData: [
      { marker: 'email', value: `x${login}` },
      { marker: 'password', value: 'a password' },
    ],
  });
  assert.equal(incomplete.code, 3045);
  assert.ok(incomplete.errors.some((e) => e.marker === 'last_name' && e.rule === 'required'));
});

test('an expired access token: the SDK refreshes and the retried call succeeds', async () => {
  const { api, login, refreshes } = await expired('expiry');
  const user = ok(await api.Users.getUser('en_US'), 'getUser after expiry');
  assert.equal(user.identifier, login);
  assert.equal(refreshes(), 1, 'the SDK refreshed once');
  const updated = await api.Users.updateUser({
    formIdentifier: PROVIDER,
    formData: [{ marker: 'first_name', type: 'string', value: 'Fresh' }],
  });
  assert.equal(updated, true);
});

test('two parallel calls after expiry both succeed', async () => {
  const { api, login, refreshes } = await expired('parallel');
  const [a, b] = await Promise.all([api.Users.getUser('en_US'), api.Users.getUser('en_US')]);
  ok(a, 'first parallel getUser');
  ok(b, 'second parallel getUser');
  assert.equal(a.identifier, login);
  assert.equal(b.identifier, login);
  assert.equal(refreshes(), 2, 'each call refreshed');
  const later = ok(await api.Users.getUser('en_US'), 'getUser with the last saved tokens');
  assert.equal(valueOf(later, 'last_name'), 'Signup');
});

test('after logout the next call is refused, and so is the old refresh token', async () => {
  const { api } = client();
  const { login, password } = await signUp(api, 'logout');
  const auth = await signIn(api, login, password);
  ok(await api.Users.getUser('en_US'), 'getUser before logout');
  assert.equal(await api.AuthProvider.logout(PROVIDER, auth.refreshToken), true);
  const after = await api.Users.getUser('en_US');
  assert.equal(after.statusCode, 401);
  assert.equal(after.code, 3028);
  const refresh = await api.AuthProvider.refresh(PROVIDER, auth.refreshToken);
  assert.equal(refresh.statusCode, 403);
});

test('logout-all ends every session of the user', async () => {
  const one = client();
  const two = client();
  const { login, password } = await signUp(one.api, 'logoutall');
  await signIn(one.api, login, password);
  await signIn(two.api, login, password);
  assert.equal(await one.api.AuthProvider.logoutAll(PROVIDER), true);
  const refused = await two.api.Users.getUser('en_US');
  assert.equal(refused.statusCode, 401);
});

test('archive and delete end the sessions, and the user can no longer sign in', async () => {
  for (const call of ['archiveUser', 'deleteUser']) {
    const { api } = client();
    const { login, password } = await signUp(api, call);
    await signIn(api, login, password);
    assert.equal(await api.Users[call](), true);
    const refused = await api.Users.getUser('en_US');
    assert.equal(refused.statusCode, 401);
    const again = await api.AuthProvider.auth(PROVIDER, {
      authData: [
        { marker: 'email', value: login },
        { marker: 'password', value: password },
      ],
    });
    assert.equal(again.statusCode, 403, call);
  }
});
