'use strict';
// Two browsers (two Chromium processes, each with its own fresh profile):
// the save conflict (someone saved first: offered a reload, nothing
// overwritten) and a password change that signs the other browser out,
// both on its next page and live on its open dashboard.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Env, PASSWORD, signIn, setUp, screenshot, waitFor } = require('./harness');

const NEW_PASSWORD = 'Battery-Staple-77';
let env;
let a;
let b;

before(async () => {
  env = new Env('sessions');
  await env.start();
  a = await env.browser('a');
  await setUp(env, a);
  b = await env.browser('b');
  await signIn(b, env.base);
});

after(async () => {
  const errors = [a, b].flatMap((p) => (p ? p.errors : []));
  const r = await env.stop();
  assert.deepEqual(errors, [], 'no script errors');
  assert.equal(r['ddc-web'].code, 0, 'ddc-web stops cleanly');
});

test('a conflict offers a reload and overwrites nothing', async () => {
  await a.goto(`${env.base}/admins`);
  await b.goto(`${env.base}/admins`);
  // A saves first
  await a.click('button[data-template="tpl-admins"]');
  await a.fill('[name="admins[0].id"]', '223344556677889900');
  await a.fill('[name="admins[0].note"]', 'from A');
  await Promise.all([a.waitForNavigation(), a.click('#save')]);
  await a.waitForSelector('#acks li.applied');
  // B, still on the page it loaded before, saves its own change
  await b.click('button[data-template="tpl-admins"]');
  await b.fill('[name="admins[0].id"]', '1012345678901234567');
  await b.fill('[name="admins[0].note"]', 'from B');
  const [resp] = await Promise.all([b.waitForNavigation(), b.click('#save')]);
  assert.equal(resp.status(), 409);
  assert.match(await b.textContent('#conflict'), /someone else saved this section first/);
  assert.equal(await b.inputValue('[name="admins[0].note"]'), 'from B', 'B keeps its input');
  await screenshot(b, 'conflict');
  assert.deepEqual(env.get('admins'), [{ id: '223344556677889900', note: 'from A' }]);
  // reload: A's change is there; B adds its own on top
  await Promise.all([b.waitForNavigation(), b.click('#conflict-reload')]);
  assert.equal(await b.inputValue('[name="admins[0].note"]'), 'from A');
  await b.click('button[data-template="tpl-admins"]');
  await b.fill('[name="admins[1].id"]', '1012345678901234567');
  await b.fill('[name="admins[1].note"]', 'from B');
  await Promise.all([b.waitForNavigation(), b.click('#save')]);
  await b.waitForSelector('#acks li.applied');
  assert.deepEqual(env.get('admins').map((x) => x.note), ['from A', 'from B']);
});

test('a password change signs the other browser out, live', async () => {
  await b.goto(`${env.base}/`);
  await b.waitForSelector('#dashboard');
  await a.goto(`${env.base}/password`);
  await a.fill('#f-old', 'Not-The-Password-1');
  await a.fill('#f-new', NEW_PASSWORD);
  await a.fill('#f-confirm', NEW_PASSWORD);
  await Promise.all([a.waitForNavigation(), a.click('#change')]);
  assert.match(await a.textContent('#form-error'), /current password is not right/);
  await a.fill('#f-old', PASSWORD);
  await a.fill('#f-new', NEW_PASSWORD);
  await a.fill('#f-confirm', NEW_PASSWORD + 'x');
  await Promise.all([a.waitForNavigation(), a.click('#change')]);
  assert.match(await a.textContent('#form-error'), /not the same/);
  await a.fill('#f-old', PASSWORD);
  await a.fill('#f-new', NEW_PASSWORD);
  await a.fill('#f-confirm', NEW_PASSWORD);
  await Promise.all([a.waitForNavigation(), a.click('#change')]);
  assert.match(await a.textContent('.notice.ok'), /password was changed/);
  // B's open dashboard leaves for the sign-in page by itself
  await b.waitForURL(/\/login\?expired=password/, { timeout: 10000 });
  // and says why: not "idle"
  assert.match(await b.textContent('#form-error'), /password was changed in another place/);
  // A stays signed in
  await a.goto(`${env.base}/bot`);
  assert.equal(new URL(a.url()).pathname, '/bot');
  // B: the old password no longer works, the new one does
  await b.goto(`${env.base}/login`);
  await b.fill('#f-password', PASSWORD);
  await Promise.all([b.waitForNavigation(), b.click('#login')]);
  assert.match(await b.textContent('#form-error'), /password is not right/);
  await signIn(b, env.base, NEW_PASSWORD);
  assert.equal(new URL(b.url()).pathname, '/');
  await waitFor(() => /\$argon2id\$/.test(require('node:fs').readFileSync(`${env.tmp}/data/config.json`, 'utf8')),
    'the new hash on disk');
});
