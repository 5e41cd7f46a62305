'use strict';
// The safety nets of the section forms, in two browsers: leaving a page
// with unsaved edits asks first (the page's own links and the browser's
// reload), a form open in one browser says at once when the other saved
// its section, a save while the broker is stopped keeps what was typed
// (and works once the broker is back), the current revision offers no
// rollback, and times are shown in the browser's own time zone.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Env, BIN, signIn, setUp, waitFor } = require('./harness');

let env;
let a;
let b;

before(async () => {
  env = new Env('safety');
  await env.start();
  a = await env.browser('a', { timezoneId: 'Asia/Tokyo' });
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

// Answer the page's dialogs with answer (true: leave) and record them.
function dialogs(page, answer) {
  const seen = [];
  page.removeAllListeners('dialog');
  page.on('dialog', (d) => {
    seen.push({ type: d.type(), message: d.message() });
    return answer ? d.accept() : d.dismiss();
  });
  return seen;
}

function acceptDialogs(page) {
  page.removeAllListeners('dialog');
  page.on('dialog', (d) => d.accept());
}

test('leaving unsaved edits asks first', async () => {
  await a.goto(`${env.base}/admins`);
  // nothing typed: the links just go
  let seen = dialogs(a, false);
  await Promise.all([a.waitForNavigation(), a.click('nav a[data-nav="bot"]')]);
  assert.equal(new URL(a.url()).pathname, '/bot');
  assert.deepEqual(seen, []);
  await a.goto(`${env.base}/admins`);
  await a.click('button[data-template="tpl-admins"]');
  await a.fill('[name="admins[0].id"]', '223344556677889900');
  // a link of the page: our question; "stay" keeps the page and the input
  await a.click('nav a[data-nav="channels"]');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].type, 'confirm');
  assert.match(seen[0].message, /unsaved changes will be lost/);
  assert.equal(new URL(a.url()).pathname, '/admins');
  assert.equal(await a.inputValue('[name="admins[0].id"]'), '223344556677889900');
  // the browser's reload: its own beforeunload question, "stay" again
  seen = dialogs(a, false);
  await a.reload({ timeout: 3000 }).catch(() => {});
  assert.ok(seen.some((d) => d.type === 'beforeunload'), 'beforeunload asked');
  assert.equal(await a.inputValue('[name="admins[0].id"]'), '223344556677889900');
  // "leave" goes, and asks once only
  seen = dialogs(a, true);
  await Promise.all([a.waitForNavigation(), a.click('nav a[data-nav="channels"]')]);
  assert.equal(new URL(a.url()).pathname, '/channels');
  assert.equal(seen.length, 1);
  // saving is not leaving
  await a.goto(`${env.base}/admins`);
  seen = dialogs(a, false);
  await a.click('button[data-template="tpl-admins"]');
  await a.fill('[name="admins[0].id"]', '223344556677889900');
  await Promise.all([a.waitForNavigation(), a.click('#save')]);
  await a.waitForSelector('#acks li.applied');
  assert.deepEqual(seen, []);
  acceptDialogs(a);
});

test('an open form says at once that its section was saved elsewhere', async () => {
  await a.goto(`${env.base}/admins`);
  await b.goto(`${env.base}/admins`);
  assert.equal(await b.$('#changed-elsewhere'), null);
  // B starts editing; A saves the same section
  await b.fill('[name="admins[0].note"]', 'typed in B');
  await a.fill('[name="admins[0].note"]', 'saved by A');
  await Promise.all([a.waitForNavigation(), a.click('#save')]);
  await a.waitForSelector('#acks li.applied');
  // A's own page does not warn about its own save
  assert.equal(await a.$('#changed-elsewhere'), null);
  // B is told live, with who, from where and the new revision
  const rev = env.rev('admins');
  await b.waitForSelector('#changed-elsewhere', { timeout: 10000 });
  const text = await b.textContent('#changed-elsewhere');
  assert.match(text, /admin \(web, 127\.0\.0\.1\) changed this section in another place/);
  assert.match(text, /web@browser/);
  assert.match(text, new RegExp(`revision ${rev}\\b`));
  assert.match(text, /would be refused/, 'B has unsaved input: it is told a save would be refused');
  assert.equal(await b.inputValue('[name="admins[0].note"]'), 'typed in B', 'B keeps its input');
  // a change from ddc-ctl is announced too
  const before = await b.getAttribute('#changed-elsewhere', 'data-rev');
  env.set('admins', [{ id: '223344556677889900', note: 'from ctl' }]);
  await waitFor(async () => (await b.getAttribute('#changed-elsewhere', 'data-rev')) !== before,
    'the notice follows the newer revision');
  // its link loads the newer values
  await Promise.all([b.waitForNavigation(), b.click('#changed-elsewhere-reload')]);
  assert.equal(await b.inputValue('[name="admins[0].note"]'), 'from ctl');
  assert.equal(await b.$('#changed-elsewhere'), null);
});

test('a save while the broker is stopped keeps the input', async () => {
  await b.goto(`${env.base}/admins`);
  await b.fill('[name="admins[0].note"]', 'typed while the broker is away');
  await env.broker.stop();
  await b.waitForFunction(() => {
    const el = document.getElementById('live-banner');
    return el && !el.hidden && /cannot be reached/.test(el.textContent);
  }, null, { timeout: 15000 });
  const [resp] = await Promise.all([b.waitForNavigation(), b.click('#save')]);
  assert.equal(resp.status(), 503);
  assert.match(await b.textContent('#save-failed'), /Nothing was saved/);
  assert.equal(await b.inputValue('[name="admins[0].note"]'), 'typed while the broker is away');
  assert.equal(await b.isVisible('.dirty-hint'), true, 'the kept input counts as unsaved');
  // the broker comes back: the same form saves
  env.broker = env.spawn('ddc-broker', [path.join(BIN, 'ddc-broker'), '--data', path.join(env.tmp, 'data'),
    '--ctl', env.ctl, '--pub', `ipc://${env.tmp}/pub.sock`]);
  await b.waitForFunction(() => document.getElementById('live-banner').hidden, null, { timeout: 20000 });
  await Promise.all([b.waitForNavigation(), b.click('#save')]);
  await b.waitForSelector('#acks');
  assert.equal(env.get('admins')[0].note, 'typed while the broker is away');
});

test('the current revision offers no rollback; times in the browser zone', async () => {
  const rev = env.rev('admins');
  await a.goto(`${env.base}/history/${rev}`);
  assert.equal(await a.$('#rollback'), null);
  assert.match(await a.textContent('#rollback-current'), /current value/);
  // History names the section as the navigation does
  assert.match(await a.textContent('dl.facts'), /Admins/);
  await a.goto(`${env.base}/history?section=admins`);
  const revs = await a.$$eval('#history tbody tr', (rows) => rows.map((r) => Number(r.dataset.rev)));
  assert.ok(revs.length >= 2 && revs[0] === rev);
  // Tokyo: UTC+9, never broken inside, the zone named
  const shown = await a.textContent('#history tbody tr time.local');
  assert.match(shown, /GMT\+9/);
  assert.doesNotMatch(shown, /[ \t\n]/, 'no breaking space inside a time');
  // an older revision of it can be rolled back to
  await a.goto(`${env.base}/history/${revs[1]}`);
  assert.ok(await a.$('#rollback'));
});

test('the dashboard\'s watchdog times are in the browser zone too', async () => {
  // nothing listens on port 9: the check fails at once, and is shown
  env.set('watchdog', { enabled: true, url: 'http://127.0.0.1:9/ping', interval_minutes: 5 });
  await waitFor(async () => {
    await a.goto(`${env.base}/`);
    return (await a.$$('#watchdog time.local')).length === 2;
  }, 'the watchdog\'s last and next check on the dashboard', 15000, 300);
  const times = await a.$$eval('#watchdog time.local', (els) => els.map((el) => ({
    text: el.textContent, datetime: el.getAttribute('datetime') })));
  for (const t of times) {
    assert.match(t.datetime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(t.text, /GMT\+9/);
    assert.doesNotMatch(t.text, /[ \t\n]/, 'no breaking space inside a time');
  }
  assert.match(await a.textContent('#watchdog'), /Last check .*GMT\+9/);
  assert.match(await a.textContent('#watchdog'), /Next check at .*GMT\+9/);
  // redrawn by the live view after a change: still in the browser's zone
  await a.$eval('#watchdog', (el) => { el.dataset.before = '1'; });
  env.set('watchdog', { enabled: true, url: 'http://127.0.0.1:9/ping', interval_minutes: 6 });
  await a.waitForFunction(() => !document.querySelector('#watchdog[data-before]') &&
    /Every 6 min/.test(document.getElementById('watchdog').textContent), null, { timeout: 10000 });
  assert.match(await a.textContent('#watchdog'), /Last check .*GMT\+9.*Next check at .*GMT\+9/s);
});
