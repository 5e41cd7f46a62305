'use strict';
// The activity page (the broker's audit log) in a real Chromium: an action
// sent from the web (POST /api/action with the page's CSRF token), one from
// ddc-ctl and configuration changes, each shown with who asked, for whom
// and from where, newest first; the filters (kind, container, time span);
// older entries page by page; the page in German. The Docker agent is a
// fake docker@nas peer (harness.js) that does every action it is asked.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Env, PASSWORD, screenshot, waitFor, fakePeer } = require('./harness');

let env;
let page;

before(async () => {
  env = new Env('activity');
  await env.start();
  page = await env.browser('activity');
  await page.goto(`${env.base}/setup`);
  await page.fill('#f-code', env.code());
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  fakePeer(env, 'docker', 'nas');
  await waitFor(() => /docker@nas/.test(env.ctlRun(['status'])), 'the fake agent connected');
});

after(async () => {
  const errors = page ? page.errors : [];
  const r = await env.stop();
  assert.deepEqual(errors, [], 'no script errors');
  assert.equal(r['ddc-web'].code, 0, 'ddc-web stops cleanly');
});

// An action from the page itself, as its script sends one.
async function webAction(body) {
  return page.evaluate(async (b) => {
    const csrf = document.querySelector('input[name=csrf]').value;
    const r = await fetch('/api/action', {
      method: 'POST', body: JSON.stringify(b),
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    });
    return { status: r.status, body: await r.json() };
  }, body);
}

async function rows() {
  return page.$$eval('#activity tbody tr', (trs) => trs.map((tr) => ({
    kind: tr.dataset.kind,
    result: tr.dataset.result,
    what: tr.querySelector('.what').textContent,
    who: tr.querySelector('.who').textContent,
    from: tr.querySelector('.from').textContent,
  })));
}

test('actions and changes: who, for whom, from where, newest first', async () => {
  const r = await webAction({ host: 'nas', container: 'plex', action: 'restart' });
  assert.equal(r.status, 200);
  assert.equal(r.body.ok, true);
  const bad = await webAction({ host: 'nas', container: 'plex', action: 'rm' });
  assert.equal(bad.status, 400);
  env.ctlRun(['--author', 'alice', 'action', 'nas/valheim', 'stop']);
  env.set('docker', { stats_interval_seconds: 5, stop_timeout_seconds: 3 });
  await page.goto(`${env.base}/activity`);
  assert.equal(await page.getAttribute('nav a[data-nav="activity"]', 'aria-current'), 'page');
  const all = await rows();
  assert.equal(all.length, 4, JSON.stringify(all));
  assert.equal(all[0].kind, 'config');
  assert.match(all[0].what, /^Docker 3/, 'the section as the navigation names it');
  assert.match(all[1].what, /stop\s+valheim\s+@ nas/);
  assert.match(all[1].who, /alice/);
  assert.match(all[1].who, /ctl@/);
  assert.match(all[1].from, /ddc-ctl/);
  assert.match(all[2].what, /restart\s+plex\s+@ nas/);
  assert.match(all[2].who, /admin/);
  assert.match(all[2].who, /web@browser/);
  assert.equal(all[2].from.trim(), '127.0.0.1');
  assert.equal(all[2].result, 'ok');
  assert.equal(all[3].kind, 'config');            // the first password
  assert.match(all[3].what, /^Web UI \d+Password/);
  assert.match(await page.textContent('#activity tbody tr:nth-child(2) .result'), /done/);
  await screenshot(page, 'activity');
});

test('filters: kind, container, who, result, time span', async () => {
  await page.goto(`${env.base}/activity`);
  await page.selectOption('#f-kind', 'action');
  await Promise.all([page.waitForNavigation(), page.click('#activity-show')]);
  let got = await rows();
  assert.equal(got.length, 2);
  assert.ok(got.every((x) => x.kind === 'action'));
  await page.fill('#f-container', 'plex');
  await Promise.all([page.waitForNavigation(), page.click('#activity-show')]);
  got = await rows();
  assert.equal(got.length, 1);
  assert.match(got[0].what, /plex/);
  assert.equal(await page.inputValue('#f-container'), 'plex');     // the filters stay
  await page.selectOption('#f-kind', 'config');
  await page.fill('#f-container', '');
  await page.selectOption('#f-since', '1h');
  await Promise.all([page.waitForNavigation(), page.click('#activity-show')]);
  got = await rows();
  assert.equal(got.length, 2);
  assert.ok(got.every((x) => x.kind === 'config'));
  // who asked (the person, or the service) and how it ended
  await page.selectOption('#f-kind', '');
  await page.selectOption('#f-since', '');
  await page.fill('#f-who', 'ALICE');
  await Promise.all([page.waitForNavigation(), page.click('#activity-show')]);
  got = await rows();
  assert.equal(got.length, 1);
  assert.match(got[0].what, /valheim/);
  assert.equal(await page.inputValue('#f-who'), 'ALICE');
  await page.fill('#f-who', 'web@');
  await page.selectOption('#f-result', 'ok');
  await Promise.all([page.waitForNavigation(), page.click('#activity-show')]);
  got = await rows();
  assert.ok(got.length >= 1 && got.every((x) => x.result === 'ok' && /web@browser/.test(x.who)),
    JSON.stringify(got));
  await page.selectOption('#f-result', 'timeout');
  await Promise.all([page.waitForNavigation(), page.click('#activity-show')]);
  await page.waitForSelector('#activity-none');
  await page.goto(`${env.base}/activity?container=nothing-here`);
  await page.waitForSelector('#activity-none');
});

test('older entries, page by page', async () => {
  for (let i = 0; i < 60; i++) {
    await webAction({ host: 'nas', container: `c${i}`, action: 'start' });
  }
  await page.goto(`${env.base}/activity?kind=action`);
  let got = await rows();
  assert.equal(got.length, 50);
  assert.match(got[0].what, /c59/);
  await Promise.all([page.waitForNavigation(), page.click('#activity-older')]);
  got = await rows();
  assert.equal(got.length, 12);                   // 62 actions in all
  assert.match(got[0].what, /c9\b/);
  assert.match(got[11].what, /plex/);
  assert.equal(await page.$('#activity-older'), null);
  await Promise.all([page.waitForNavigation(), page.click('#activity-newest')]);
  assert.equal((await rows()).length, 50);
});

test('in German', async () => {
  const web = env.get('web');
  env.set('web', { ...web, ui_language: 'de' });
  await waitFor(async () => {
    await page.goto(`${env.base}/activity?kind=action&container=plex`);
    return /Wer/.test(await page.textContent('#activity thead'));
  }, 'the German page');
  assert.match(await page.textContent('h1'), /Aktivität/);
  assert.match(await page.textContent('#activity thead'), /Von/);
  assert.match(await page.textContent('#activity tbody .result'), /erledigt/);
  assert.match(await page.textContent('#f-since'), /letzte 24 Stunden/);
  await screenshot(page, 'activity-de');
  env.set('web', { ...web, ui_language: 'en' });
});
