'use strict';
// Container actions and logs from the web in a real Chromium, with the real
// Docker agent (ddc-docker) and busybox containers on the Docker engine
// (skipped without one, as web-live.test.js): a click on Restart shows the
// action pending, then its result, in place, and the broker records it as
// the web user; a click on a container's Log opens its newest lines, and a
// line the container writes afterwards appears live; without the script the
// Stop button leads to a result page.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Env, PASSWORD, ROOT, BIN, screenshot, waitFor } = require('./harness');

let env;
let page;
let skip = null;
const names = [];
const docker = (...args) => execFileSync('docker', args,
  { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] });

function dockerReady() {
  try {
    if (!fs.existsSync(path.join(BIN, 'ddc-docker'))) return 'ddc-docker is not built';
    execFileSync(path.join(ROOT, 'scripts', 'ensure-dockerd.sh'), { stdio: 'ignore', timeout: 60000 });
    return null;
  } catch (e) {
    return 'no Docker engine (scripts/ensure-dockerd.sh failed)';
  }
}

// A busybox container that writes "boot-line", then "live-line" once
// /tmp/go exists.
function run(tag) {
  const name = `ddcweb-${tag}-${process.pid}`;
  try { docker('rm', '-f', name); } catch (e) { /* not there */ }
  docker('run', '-d', '--network', 'none', '--name', name, 'ddc-busybox', 'sh', '-c',
    'echo boot-line; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo live-line; sleep 600');
  names.push(name);
  return name;
}

before(async () => {
  skip = dockerReady();
  if (skip) return;
  env = new Env('actions');
  await env.start();
  page = await env.browser('actions');
  await page.goto(`${env.base}/setup`);
  await page.fill('#f-code', env.code());
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  const acted = run('act');
  const logged = run('log');
  env.set('containers', [
    { host: 'real', name: acted, display_name: 'Acted', order: 1,
      allowed_actions: ['start', 'stop', 'restart'] },
    { host: 'real', name: logged, display_name: 'Logged', order: 2,
      allowed_actions: ['restart', 'logs'] },
  ]);
  env.spawn('ddc-docker', [path.join(BIN, 'ddc-docker'), '--broker', env.ctl, '--host', 'real',
    '--cache', path.join(env.tmp, 'docker.cache.json'), '--audit', path.join(env.tmp, 'docker.audit.log')]);
});

after(async () => {
  for (const n of names) {
    try { docker('rm', '-f', n); } catch (e) { /* gone */ }
  }
  if (!env) return;
  const errors = page ? page.errors : [];
  const r = await env.stop();
  assert.deepEqual(errors, [], 'no script errors');
  assert.equal(r['ddc-web'].code, 0, 'ddc-web stops cleanly');
});

test('a click on Restart: pending, then the result, in place', async (t) => {
  if (skip) { t.skip(skip); return; }
  const [acted, logged] = names;
  await page.goto(`${env.base}/containers`);
  const state = `span.state[data-container="real/${acted}"]`;
  await waitFor(async () => {
    await page.goto(`${env.base}/containers`);
    return (await page.$(`${state}[data-state="running"]`)) !== null;
  }, 'the agent\'s report of the container', 20000, 300);
  // only what the container allows: no Stop for the one that allows restart and logs
  assert.equal(await page.$(`button[value="stop:real/${logged}"]`), null);
  assert.equal(await page.$(`a[href="/logs?host=real&name=${acted}"]`), null);
  const button = `button[value="restart:real/${acted}"]`;
  assert.equal(await page.getAttribute(button, 'aria-label'), `Restart ${acted} on real`);
  const before = docker('inspect', '-f', '{{.State.StartedAt}}', acted).trim();
  await page.evaluate(() => { window.notReloaded = true; });
  const status = `.ctr-controls[data-target="real/${acted}"] .ctr-status`;
  await page.click(button);
  await page.waitForSelector(`${status}.pending`, { timeout: 5000 });
  assert.match(await page.textContent(status), /Restarting/);
  assert.equal(await page.isDisabled(button), true);
  await page.waitForSelector(`${status}.ok`, { timeout: 30000 });
  assert.match(await page.textContent(status), /Done: running/);
  assert.equal(await page.isDisabled(button), false);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'no reload');
  assert.notEqual(docker('inspect', '-f', '{{.State.StartedAt}}', acted).trim(), before);
  await screenshot(page, 'container-restart');
  const entry = JSON.parse(env.ctlRun(['audit', '--json', '--actions']).split('\n')[0]);
  assert.equal(entry.action, 'restart');
  assert.equal(entry.container, acted);
  assert.equal(entry.result, 'ok');
  assert.equal(entry.peer, 'web@browser');
  assert.equal(entry.for.user, 'admin');
});

test('a container\'s log: its newest lines, then a new one live', async (t) => {
  if (skip) { t.skip(skip); return; }
  const logged = names[1];
  await page.goto(`${env.base}/containers`);
  await Promise.all([page.waitForNavigation(),
    page.click(`a[href="/logs?host=real&name=${logged}"]`)]);
  assert.match(await page.textContent('#log'), /boot-line/);
  assert.equal(await page.getAttribute('#log-download', 'href'),
    `/logs/download?host=real&name=${logged}&lines=1000`);
  // the stream's first answer is in place: following
  await page.waitForSelector('#log[data-live="1"]', { timeout: 10000 });
  assert.match(await page.textContent('#log-status'), /Following live/);
  assert.doesNotMatch(await page.textContent('#log'), /live-line/);
  docker('exec', logged, 'touch', '/tmp/go');
  await page.waitForFunction(() => /live-line/.test(document.getElementById('log').textContent),
    null, { timeout: 10000 });
  const text = await page.textContent('#log');
  assert.equal(text.match(/boot-line/g).length, 1, 'no line twice');
  await screenshot(page, 'container-log');
  // read every few seconds, but recorded once: the page's read and the
  // follow's first (the one that brought live-line came later)
  const reads = env.ctlRun(['audit', '--json', '--actions']).split('\n').filter((l) => l)
    .map((l) => JSON.parse(l)).filter((e) => e.action === 'logs' && e.container === logged);
  assert.equal(reads.length, 2, JSON.stringify(reads));
  assert.ok(reads.every((e) => e.peer === 'web@browser' && e.result === 'ok'));
  const local = fs.readFileSync(path.join(env.tmp, 'docker.audit.log'), 'utf8').split('\n')
    .filter((l) => l).map((l) => JSON.parse(l))
    .filter((e) => e.action === 'logs' && e.container === logged);
  assert.equal(local.length, 2, 'the agent\'s own audit file: the same two');
  // paused: the stream closes
  await page.uncheck('#log-follow');
  assert.match(await page.textContent('#log-status'), /Paused/);
});

test('without the script, Stop leads to a result page', async (t) => {
  if (skip) { t.skip(skip); return; }
  const acted = names[0];
  const plain = await env.browser('actions-nojs', { javaScriptEnabled: false });
  await plain.goto(`${env.base}/login`);
  await plain.fill('#f-password', PASSWORD);
  await Promise.all([plain.waitForNavigation(), plain.click('#login')]);
  await plain.goto(`${env.base}/containers`);
  await Promise.all([plain.waitForNavigation(), plain.click(`button[value="stop:real/${acted}"]`)]);
  await plain.waitForSelector('#action-result[data-ok="1"]');
  assert.match(await plain.textContent('#action-result'), /Stop .* on real: done/);
  assert.equal(docker('inspect', '-f', '{{.State.Running}}', acted).trim(), 'false');
});

test('the dashboard\'s Start: the result stays while the live view redraws', async (t) => {
  if (skip) { t.skip(skip); return; }
  const acted = names[0];              // stopped by the test before
  await page.goto(`${env.base}/`);
  const cell = `#view-hosts tr[data-container="real/${acted}"] td.state-cell`;
  await page.waitForSelector(`${cell}[data-state="exited"]`, { timeout: 10000 });
  const status = `#view-hosts .ctr-controls[data-target="real/${acted}"] .ctr-status`;
  await page.click(`#view-hosts button[value="start:real/${acted}"]`);
  await page.waitForSelector(`${status}.pending`, { timeout: 5000 });
  // the agent's report redraws the host's table: the state changes, the result shows
  await page.waitForSelector(`${cell}[data-state="running"]`, { timeout: 20000 });
  await page.waitForSelector(`${status}.ok`, { timeout: 20000 });
  assert.match(await page.textContent(status), /Done: running/);
  assert.equal(docker('inspect', '-f', '{{.State.Running}}', acted).trim(), 'true');
});

test('a log without a new line for --log-idle seconds stops being followed', async (t) => {
  if (skip) { t.skip(skip); return; }
  const quiet = new Env('actions-idle', { webArgs: ['--log-idle', '3'] });
  try {
    await quiet.start();
    const p = await quiet.browser('idle');
    await p.goto(`${quiet.base}/setup`);
    await p.fill('#f-code', quiet.code());
    await p.fill('#f-password', PASSWORD);
    await p.fill('#f-confirm', PASSWORD);
    await Promise.all([p.waitForNavigation(), p.click('#setup')]);
    const logged = names[1];           // wrote its last line long ago
    quiet.set('containers', [{ host: 'quiet', name: logged, allowed_actions: ['logs'] }]);
    quiet.spawn('ddc-docker', [path.join(BIN, 'ddc-docker'), '--broker', quiet.ctl, '--host', 'quiet',
      '--cache', path.join(quiet.tmp, 'docker.cache.json'), '--audit', path.join(quiet.tmp, 'docker.audit.log')]);
    await waitFor(async () => {
      const r = await p.goto(`${quiet.base}/logs?host=quiet&name=${logged}`);
      return r.status() === 200;
    }, 'the agent answering for the log', 20000, 300);
    await p.waitForSelector('#log[data-live="1"]', { timeout: 10000 });
    await p.waitForFunction(() => !document.getElementById('log-follow').checked, null, { timeout: 15000 });
    assert.match(await p.textContent('#log-status'), /Paused after 3 s without a new line/);
    assert.equal(await p.getAttribute('#log', 'data-live'), null);
    // following again asks at once
    await p.check('#log-follow');
    await p.waitForSelector('#log[data-live="1"]', { timeout: 10000 });
    assert.deepEqual(p.errors, []);
  } finally {
    const r = await quiet.stop();
    assert.equal(r['ddc-web'].code, 0, 'ddc-web stops cleanly');
  }
});
