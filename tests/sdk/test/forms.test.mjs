// Forms as the admin side holds them (tests/sdk/forms/feedback.json: `attributes` keyed by
// marker, every setting keyed by locale, some languages missing), read through the SDK with
// its strict response validation, in two languages; and a form the service left out
// (tests/sdk/forms/broken.json) answered as an unknown one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client, ok } from './helpers.mjs';

const { api } = client();

const byMarker = (form) => Object.fromEntries(form.attributes.map((a) => [a.marker, a]));

test('an admin-shape form, as IFormsEntity in English and in French', async () => {
  const en = ok(await api.Forms.getFormByMarker('feedback', 'en_US'), 'getFormByMarker en_US');
  const fr = ok(await api.Forms.getFormByMarker('feedback', 'fr_FR'), 'getFormByMarker fr_FR');
  for (const form of [en, fr]) {
    assert.equal(form.identifier, 'feedback');
    assert.equal(form.id, 30);
    assert.ok(Array.isArray(form.attributes), 'attributes is an array');
    assert.deepEqual(
      form.attributes.map((a) => [a.marker, a.position]),
      [['name', 0], ['topic', 1], ['message', 2]],
    );
    for (const a of form.attributes) {
      assert.equal(a.isLogin, false);
      assert.equal(a.isPassword, false);
    }
  }
  assert.deepEqual(en.localizeInfos, { title: 'Feedback', successMessage: 'Thank you' });
  assert.deepEqual(fr.localizeInfos, { title: 'Votre avis', successMessage: 'Merci' });

  const e = byMarker(en);
  const f = byMarker(fr);
  assert.deepEqual([e.name.localizeInfos.title, f.name.localizeInfos.title], ['Name', 'Nom']);
  assert.deepEqual(
    [e.name.validators.stringInspectionValidator, f.name.validators.stringInspectionValidator],
    [{ stringMax: '40' }, { stringMax: '50' }],
  );
  assert.deepEqual(
    [e.name.additionalFields.placeholder.value, f.name.additionalFields.placeholder.value],
    ['Your name', 'Votre nom'],
  );
  assert.deepEqual(e.topic.listTitles.map((o) => o.title), ['Delivery', 'Returns']);
  assert.deepEqual(f.topic.listTitles.map((o) => o.title), ['Livraison', 'Retours']);
  assert.deepEqual(f.topic.listTitles.map((o) => o.value), ['delivery', 'returns']);
  // No French of its own: the default language's (the SDK alone would leave the map).
  assert.deepEqual(f.message.localizeInfos, { title: 'Message' });
  assert.deepEqual(f.message.validators, { stringInspectionValidator: { stringMax: '2000' } });
  assert.deepEqual(f.message.listTitles, []);
  assert.deepEqual(f.message.additionalFields, {});
});

test('a form the service left out is not served', async () => {
  const missing = await api.Forms.getFormByMarker('broken', 'en_US');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.rule, 'unknown-form');
});
