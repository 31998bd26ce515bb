// The Backendless face through the real `backendless` SDK (8.0.0), with the two users run.sh
// seeded for it: initApp, a refused login, login, getCurrentUser(true), an update seen by the
// next read, a refused update, another user's object, a second login while holding a stale
// token, logout and then a refused update; the custom-domain form (`/api/…`); and, with two
// instances, a user-token from one working on the other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Backendless from 'backendless';

const URL = process.env.USERFORM_URL;
const URL2 = process.env.USERFORM_URL2;
const APP_ID = process.env.USERFORM_BL_APP_ID;
const API_KEY = process.env.USERFORM_BL_API_KEY;
const LOGIN = process.env.USERFORM_BL_LOGIN;
const LOGIN2 = process.env.USERFORM_BL_LOGIN2;
const PASSWORD = process.env.USERFORM_PASSWORD;
assert.ok(URL && APP_ID && API_KEY && LOGIN && LOGIN2 && PASSWORD, 'run through tests/sdk/run.sh');

/** An SDK app of its own (`standalone`), so that each holds its own current user. */
function app(serverURL = URL, apiKey = API_KEY) {
  return Backendless.initApp({ appId: APP_ID, apiKey, serverURL, standalone: true });
}

/** The error a call must fail with. */
async function refusal(promise, what) {
  try {
    const result = await promise;
    assert.fail(`${what}: expected a refusal, got ${JSON.stringify(result)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.equal(typeof e.code, 'number', `${what}: ${e}`);
    assert.ok(e.status >= 400 && e.status !== 502, `${what}: status ${e.status}`);
    assert.ok(Array.isArray(e.body.errorData.errors), `${what}: ${JSON.stringify(e.body)}`);
    return e;
  }
}

const alice = app();

test('initApp against the service: its app info; a wrong API key is 2002', async () => {
  const info = await alice.appInfoPromise();
  assert.equal(info.appId, APP_ID);
  // initApp asks for the app info at once, and logs a refusal on the console: caught here.
  const logged = [];
  const consoleError = console.error;
  console.error = (...args) => logged.push(args);
  let wrong;
  try {
    wrong = app(URL, 'not-the-key');
    const e = await refusal(wrong.appInfoPromise(), 'info with a wrong key');
    assert.equal(e.code, 2002);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    console.error = consoleError;
  }
  assert.ok(logged.some(([, err]) => err && err.code === 2002), 'the SDK logged the refused app info');
  const login = await refusal(wrong.UserService.login(LOGIN, PASSWORD), 'login with a wrong key');
  assert.equal(login.code, 2002);
  assert.equal(login.status, 403);
});

test('a refused login is 3003, the same whether or not the login exists', async () => {
  const wrong = await refusal(alice.UserService.login(LOGIN, 'not the password'), 'wrong password');
  const unknown = await refusal(alice.UserService.login(`nobody-${Date.now()}@example.com`, 'not it'), 'unknown');
  for (const e of [wrong, unknown]) {
    assert.equal(e.code, 3003);
    assert.equal(e.status, 403);
  }
  assert.equal(wrong.message, unknown.message);
  assert.deepEqual(wrong.body, unknown.body);
  assert.equal(await alice.UserService.getCurrentUser(), null, 'nobody is logged in');
});

test('login, getCurrentUser(true), an update of one property seen by the next read', async () => {
  const user = await alice.UserService.login(LOGIN, PASSWORD);
  assert.equal(user.email, LOGIN);
  assert.equal(typeof user.objectId, 'string');
  assert.equal(typeof user['user-token'], 'string');
  assert.equal(user.___class, 'Users');
  assert.ok(!('password' in user), 'never the password');
  assert.equal(user.last_name, null, 'every property of the form, null when unset');

  const current = await alice.UserService.getCurrentUser(true);
  assert.equal(current.objectId, user.objectId);
  assert.equal(current.email, LOGIN);
  assert.equal(current['user-token'], user['user-token'], 'the SDK keeps its token');

  // The SDK sends the whole object back: system fields, unchanged identity and all.
  current.first_name = 'Ada';
  const saved = await alice.UserService.update(current);
  assert.equal(saved.first_name, 'Ada');
  assert.equal(saved.email, LOGIN);
  assert.ok(saved.updated >= user.updated);
  const again = await alice.UserService.getCurrentUser(true);
  assert.equal(again.first_name, 'Ada');
});

test('a refused update (a required property emptied) is 3045 with the violation, and changes nothing', async () => {
  const current = await alice.UserService.getCurrentUser(true);
  current.first_name = 'Grace';
  current.last_name = '';
  const e = await refusal(alice.UserService.update(current), 'last_name emptied');
  assert.equal(e.code, 3045);
  assert.equal(e.status, 400);
  const v = e.body.errorData.errors.find((x) => x.marker === 'last_name');
  assert.deepEqual(
    { code: v.code, path: v.path, rule: v.rule },
    { code: 3045, path: '/last_name', rule: 'required' },
  );
  assert.equal(typeof v.message, 'string');
  const after = await alice.UserService.getCurrentUser(true);
  assert.equal(after.first_name, 'Ada', 'nothing of the refused object was applied');
  assert.equal(after.last_name, null);
});

test("another user's object is 3029, to update and to read", async () => {
  const bob = app();
  const b = await bob.UserService.login(LOGIN2, PASSWORD);
  const e = await refusal(alice.UserService.update({ objectId: b.objectId, first_name: 'Mallory' }), 'update');
  assert.equal(e.code, 3029);
  const read = await refusal(alice.Data.of('Users').findById(b.objectId), 'read');
  assert.equal(read.code, 3029);
  const unchanged = await bob.UserService.getCurrentUser(true);
  assert.equal(unchanged.first_name, null);
});

test('a second login while holding a stale token', async () => {
  const user = await alice.UserService.getCurrentUser();
  const stale = alice.UserService.getCurrentUserToken();
  // Another client with the same token logs it out: alice's SDK still holds it.
  const other = app();
  other.UserService.setCurrentUser({ ...user, 'user-token': stale });
  await other.UserService.logout();
  const e = await refusal(alice.UserService.getCurrentUser(true), 'read with the stale token');
  assert.equal(e.code, 3064);
  // The SDK sends the stale token with the login: it is ignored.
  const again = await alice.UserService.login(LOGIN, PASSWORD);
  assert.notEqual(again['user-token'], stale);
  assert.equal((await alice.UserService.getCurrentUser(true)).first_name, 'Ada');
});

test('logout, then a refused update', async () => {
  const user = await alice.UserService.getCurrentUser(true);
  const token = alice.UserService.getCurrentUserToken();
  await alice.UserService.logout();
  assert.equal(await alice.UserService.getCurrentUser(), null);
  const none = await refusal(alice.UserService.update({ ...user, first_name: 'After' }), 'no token');
  assert.equal(none.code, 3028);
  assert.equal(none.status, 401);
  // The token the logout ended, sent anyway.
  alice.UserService.setCurrentUser({ ...user, 'user-token': token });
  const stale = await refusal(alice.UserService.update({ ...user, first_name: 'After' }), 'ended token');
  assert.equal(stale.code, 3064);
  const fresh = app();
  await fresh.UserService.login(LOGIN, PASSWORD);
  assert.equal((await fresh.UserService.getCurrentUser(true)).first_name, 'Ada', 'nothing changed');
});

test('the custom-domain form: initApp({domain}) and /api/…', async () => {
  const domain = Backendless.initApp({ domain: URL, standalone: true });
  assert.equal((await domain.appInfoPromise()).appId, APP_ID);
  const b = await domain.UserService.login(LOGIN2, PASSWORD);
  assert.equal(b.email, LOGIN2);
  b.first_name = 'Bob';
  assert.equal((await domain.UserService.update(b)).first_name, 'Bob');
  assert.equal((await domain.UserService.getCurrentUser(true)).first_name, 'Bob');
});

test('two instances on one database: a user-token works on both', { skip: !URL2 && 'one instance' }, async () => {
  const one = app(URL);
  const user = await one.UserService.login(LOGIN2, PASSWORD);
  const two = app(URL2);
  two.UserService.setCurrentUser(user);
  assert.equal((await two.UserService.getCurrentUser(true)).objectId, user.objectId);
  await two.UserService.logout();
  const e = await refusal(one.UserService.getCurrentUser(true), 'logged out on the other instance');
  assert.equal(e.code, 3064);
});
