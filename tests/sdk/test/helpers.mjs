// Shared by the test files: the SDK pointed at the service that run.sh started, with the
// SDK's own zod validation of every answer on, in strict mode (a response that does not match
// its schema comes back as a 422 "Response validation failed" object, which the tests refuse).
import assert from 'node:assert/strict';
import { defineOneEntry } from 'oneentry';

export const URL = process.env.USERFORM_URL;
export const URL2 = process.env.USERFORM_URL2;
export const APP_TOKEN = process.env.USERFORM_APP_TOKEN;
export const LOGIN = process.env.USERFORM_LOGIN;
export const PASSWORD = process.env.USERFORM_PASSWORD;
export const PROVIDER = 'reg';
assert.ok(URL && APP_TOKEN && LOGIN && PASSWORD, 'run through tests/sdk/run.sh');

/** A fresh SDK client; `saved` collects every refresh token the SDK saves. */
export function client(url = URL, saved = []) {
  const api = defineOneEntry(url, {
    token: APP_TOKEN,
    langCode: 'en_US',
    validation: { enabled: true, strictMode: true, logErrors: true },
    auth: { providerMarker: PROVIDER, saveFunction: (t) => saved.push(t) },
  });
  return { api, saved };
}

/** Fails on an SDK error object (an `IError`, or the SDK's own 422 for a schema mismatch). */
export function ok(result, what) {
  assert.ok(
    !(result && typeof result === 'object' && 'statusCode' in result),
    `${what}: ${JSON.stringify(result)}`,
  );
  return result;
}

export function credentials(login, password) {
  return {
    authData: [
      { marker: 'email', value: login },
      { marker: 'password', value: password },
    ],
  };
}

/** Signs in with the SDK; the SDK keeps the tokens. */
export async function signIn(api, login = LOGIN, password = PASSWORD) {
  return ok(await api.AuthProvider.auth(PROVIDER, credentials(login, password)), 'auth');
}

/** A new user through the SDK's sign-up, with every required attribute. */
export async function signUp(api, tag) {
  const login = `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e9)}@example.com`;
  const password = 'correct horse battery';
  const user = ok(
    await api.AuthProvider.signUp(PROVIDER, {
      formIdentifier: PROVIDER,
      authData: credentials(login, password).authData,
      formData: [{ marker: 'last_name', type: 'string', value: 'Signup' }],
      notificationData: { email: login, phonePush: [], phoneSMS: '' },
    }),
    'signUp',
  );
  return { login, password, user };
}

export function valueOf(user, marker) {
  const entry = user.formData.find((e) => e.marker === marker);
  return entry && entry.value;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
