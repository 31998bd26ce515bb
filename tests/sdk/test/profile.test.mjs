// The main flow with the user run.sh seeded through `userform user add`: the form, a refused
// sign-in, sign-in, getUser, an accepted update and a refused one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client, credentials, LOGIN, ok, PROVIDER, signIn, valueOf } from './helpers.mjs';

const { api } = client();

test('the form by marker, as IFormsEntity for the language', async () => {
  const form = ok(await api.Forms.getFormByMarker('reg', 'en_US'), 'getFormByMarker');
  assert.equal(form.identifier, 'reg');
  assert.equal(form.localizeInfos.title, 'Registration');
  const email = form.attributes.find((a) => a.marker === 'email');
  assert.equal(email.isLogin, true);
  const missing = await api.Forms.getFormByMarker('no-such-form', 'en_US');
  assert.equal(missing.statusCode, 404);
});

test('a wrong password is refused, without saying whether the login exists', async () => {
  const wrong = await api.AuthProvider.auth(PROVIDER, credentials(LOGIN, 'not the password'));
  const unknown = await api.AuthProvider.auth(PROVIDER, credentials('nobody@example.com', 'not the password'));
  for (const r of [wrong, unknown]) {
    assert.equal(r.statusCode, 403);
    assert.equal(r.code, 3003);
  }
  assert.equal(wrong.message, unknown.message);
});

test('sign-in, getUser, an accepted update seen by the next getUser', async () => {
  const auth = await signIn(api);
  assert.equal(auth.userIdentifier, LOGIN);
  assert.equal(auth.authProviderIdentifier, PROVIDER);
  const before = ok(await api.Users.getUser('en_US'), 'getUser');
  assert.equal(before.identifier, LOGIN);
  assert.equal(before.formIdentifier, 'reg');
  assert.equal(typeof before.id, 'number');

  const updated = await api.Users.updateUser({
    formIdentifier: 'reg',
    formData: [
      { marker: 'last_name', type: 'string', value: 'Lovelace' },
      { marker: 'age', type: 'integer', value: 36 },
    ],
  });
  assert.equal(updated, true);
  const after = ok(await api.Users.getUser('en_US'), 'getUser');
  assert.equal(valueOf(after, 'last_name'), 'Lovelace');
  assert.equal(valueOf(after, 'age'), 36);
});

test('a refused update (a required attribute emptied) is a 400 with 3045, and changes nothing', async () => {
  const refused = await api.Users.updateUser({
    formIdentifier: 'reg',
    formData: [
      { marker: 'first_name', type: 'string', value: 'Ada' },
      { marker: 'last_name', type: 'string', value: '' },
    ],
  });
  assert.equal(refused.statusCode, 400);
  assert.equal(refused.code, 3045);
  assert.ok(typeof refused.message === 'string' && typeof refused.timestamp === 'string');
  const v = refused.errors.find((e) => e.marker === 'last_name');
  assert.equal(v.code, 3045);
  assert.equal(v.rule, 'required');
  assert.equal(v.path, '/formData/en_US/1/value');
  const after = ok(await api.Users.getUser('en_US'), 'getUser');
  assert.equal(valueOf(after, 'last_name'), 'Lovelace');
  assert.equal(valueOf(after, 'first_name'), undefined, 'nothing of the refused body was applied');
});
