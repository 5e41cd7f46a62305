'use strict';
// Live updates in the browser, without reloading the page:
//  - a Docker agent's status reports (a fake docker@fake peer speaking
//    DDCP/1) change the dashboard and the containers page as they come;
//  - after a save, each subscribed service's acknowledgement or rejection
//    appears (a fake discord@bot peer applies or rejects, and reports its
//    gateway state, shown with a bot change);
//  - with Docker and ddc-docker available, the real agent: a container
//    killed outside ddc (docker kill) turns "exited" on the open dashboard;
//  - in German, the containers' and the gateway's states are German too
//    (rendered, and as the script updates them).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { Env, PASSWORD, BIN, ROOT, screenshot, waitFor, fakePeer, statusBody } = require('./harness');

let env;
let page;

before(async () => {
  env = new Env('live');
  await env.start();
  page = await env.browser('live');
  await page.goto(`${env.base}/setup`);
  await page.fill('#f-code', env.code());
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
});

after(async () => {
  const errors = page ? page.errors : [];
  const r = await env.stop();
  assert.deepEqual(errors, [], 'no script errors');
  assert.equal(r['ddc-web'].code, 0, 'ddc-web stops cleanly');
});

test('the dashboard follows a Docker agent live', async () => {
  env.set('containers', [{ host: 'fake', name: 'valheim', display_name: 'Valheim', order: 1 },
    { host: 'fake', name: 'plex', display_name: 'Plex', order: 2 }]);
  const agent = fakePeer(env, 'docker', 'fake');
  agent.report('status', statusBody('fake', { valheim: 'running', plex: 'running' }));
  await page.goto(`${env.base}/`);
  const cell = '#view-hosts tr[data-container="fake/valheim"] td.state-cell';
  await page.waitForSelector(`${cell}[data-state="running"]`);
  assert.match(await page.textContent('#view-hosts tr[data-container="fake/valheim"]'), /Valheim/);
  assert.match(await page.textContent('#view-hosts'), /Docker reachable/);
  await page.evaluate(() => { window.notReloaded = true; });
  // stopped outside ddc: the agent reports it, the page shows it
  agent.report('status', statusBody('fake', { valheim: 'exited', plex: 'running' }));
  await page.waitForSelector(`${cell}[data-state="exited"]`, { timeout: 5000 });
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'no reload');
  assert.match(await page.textContent('#view-services'), /docker@fake/);
  await screenshot(page, 'dashboard-live');
  // the agent goes away: it is shown as disconnected within seconds
  await agent.proc.stop();
  await page.waitForSelector('#view-services tr[data-peer="docker@fake"] .badge.off', { timeout: 12000 });
});

test('the containers page lists what the agents found, with live state', async () => {
  const agent = fakePeer(env, 'docker', 'found');
  agent.report('inventory', { host: 'found', time: new Date().toISOString(), reachable: true,
    containers: [{ name: 'minecraft', id: 'abc', image: 'itzg/minecraft-server', state: 'running',
      status: 'Up 2 hours', created: null },
    { name: 'ddc-shot-valheim', id: 'def', image: 'lloesche/valheim-server', state: 'exited',
      status: 'Exited (0) 3 hours ago', created: null }], truncated: false });
  agent.report('status', statusBody('found', { minecraft: 'running' }));
  await waitFor(async () => {
    await page.goto(`${env.base}/containers`);
    return (await page.$('#discovered a.add[data-name="ddc-shot-valheim"]')) !== null;
  }, 'the discovered containers', 10000, 500);
  const row = '#discovered tr.discovered:has(a[data-name="minecraft"])';
  assert.match(await page.textContent(row), /itzg\/minecraft-server/);
  // one only the inventory knows (no status report): the inventory's state,
  // and its name on one line, not broken at a hyphen
  const valheim = '#discovered tr.discovered:has(a[data-name="ddc-shot-valheim"])';
  assert.equal(await page.getAttribute(`${valheim} span.state`, 'data-state'), 'exited');
  assert.equal((await page.textContent(`${valheim} span.state`)).trim(), 'exited');
  assert.equal(await page.$eval(`${valheim} td:first-child span.mono`,
    (el) => el.getClientRects().length), 1, 'the name is on one line');
  // add it: it joins the configured list (in place), and is saved with it
  await page.click(`${row} a.add`);
  const added = '#containers-table tr.added';
  assert.equal(await page.inputValue(`${added} input[name$=".host"]`), 'found');
  assert.equal(await page.inputValue(`${added} input[name$=".name"]`), 'minecraft');
  assert.equal(await page.$(row), null, 'no longer offered');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  await page.waitForSelector('#acks li.applied');
  assert.ok(env.get('containers').some((c) => c.host === 'found' && c.name === 'minecraft'));
  await agent.proc.stop();
});

test('save feedback: each service acknowledges or rejects, live', async () => {
  const discord = fakePeer(env, 'discord', 'bot');
  discord.report('gateway', { state: 'connected', user: 'ddc#0001' });
  await waitFor(() => /discord@bot/.test(env.ctlRun(['status'])), 'the fake discord peer');
  discord.applied('bot', env.rev('bot'));          // it follows the bot section
  await page.goto(`${env.base}/bot`);
  await page.fill('[name="bot.guild_id"]', '1098765432109876543');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  const rev = Number(await page.getAttribute('#acks', 'data-rev'));
  assert.ok(rev > 0);
  await page.waitForSelector('#acks li.pending:has-text("discord@bot")');
  // the bot reconnects with the new guild and says so
  discord.report('gateway', { state: 'connected', detail: 'commands registered in the new guild' });
  discord.applied('bot', rev);
  await page.waitForSelector('#acks li.applied:has-text("discord@bot")', { timeout: 5000 });
  await page.waitForSelector('#gateway-result:has-text("commands registered in the new guild")');
  await screenshot(page, 'save-feedback');
  // a rejection shows with its reason
  await page.fill('[name="bot.timezone"]', 'Europe/Vienna');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  const rev2 = Number(await page.getAttribute('#acks', 'data-rev'));
  discord.rejected('bot', rev2, rev, [{ field: 'bot.timezone', reason: 'invalid',
    message: 'the bot cannot use this zone' }, { field: 'bot.guild_id', reason: 'invalid',
    message: 'the bot is not a member of this server' }]);
  await page.waitForSelector('#acks li.rejected:has-text("discord@bot")', { timeout: 5000 });
  // each field named by its form label (as the form and History name it), not by its key
  const reasons = await page.$$eval('#acks li.rejected li', (els) => els.map((el) => el.textContent));
  assert.deepEqual(reasons, ['Time zone: the bot cannot use this zone',
    'Server (guild) ID: the bot is not a member of this server']);
  assert.match(await page.textContent('#acks li.rejected'), new RegExp(`revision ${rev}`));
  await page.goto(`${env.base}/`);
  assert.match(await page.textContent('#view-gateway'), /connected/);
  assert.match(await page.textContent('#view-services tr[data-peer="discord@bot"]'), /bot/);
  await discord.proc.stop();
});

// The fake Discord server of tests/fake-discord on a free port; resolves
// with its base URL once it listens.
function startFakeDiscord(token) {
  const p = env.spawn('fake-discord', ['node', path.join(ROOT, 'tests', 'fake-discord', 'main.js'),
    '--port', '0', '--identify-interval', '0'], { env: { FAKE_TOKEN: token } });
  return waitFor(() => {
    const m = /fake-discord listening on (http:\/\/[0-9.:]+)/.exec(p.log());
    return m && m[1];
  }, 'the fake Discord server', 15000);
}

test('real ddc-discord: a token typed in the browser connects the bot, live', async (t) => {
  if (!fs.existsSync(path.join(BIN, 'ddc-discord'))) {
    t.skip('ddc-discord is not built');
    return;
  }
  const token = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.browser-test-token';
  const base = await startFakeDiscord(token);
  env.spawn('ddc-discord', [path.join(BIN, 'ddc-discord'), '--broker', env.ctl, '--instance', 'main',
    '--discord-api', `${base}/api`, '--cache', path.join(env.tmp, 'discord.cache.json'),
    '--state', path.join(env.tmp, 'discord.state.json')]);
  await waitFor(() => /discord@main/.test(env.ctlRun(['status'])), 'ddc-discord at the broker');
  // a wrong token first: the bot says why it cannot connect
  await page.goto(`${env.base}/bot`);
  await page.fill('[name="bot.token"]', 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.wrong-token');
  await page.fill('[name="bot.guild_id"]', '1100000000000000100');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  await page.waitForSelector('#acks li.applied:has-text("discord@main")', { timeout: 10000 });
  await page.waitForSelector('#gateway-result:has-text("discord@main: failed")', { timeout: 20000 });
  // the right one: connected within moments, nothing restarted
  await page.fill('[name="bot.token"]', token);
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  await page.waitForSelector('#acks li.applied:has-text("discord@main")', { timeout: 10000 });
  await page.waitForSelector('#gateway-result:has-text("discord@main: ready")', { timeout: 20000 });
  await screenshot(page, 'bot-gateway');
  assert.ok(!(await page.content()).includes('browser-test-token'), 'the token is never sent back');
  await page.goto(`${env.base}/`);
  await page.waitForSelector('#view-gateway li[data-peer="discord@main"] .badge.ok');
  assert.match(await page.textContent('#view-gateway'), /1100000000000000100/);
});

function dockerReady() {
  try {
    if (!fs.existsSync(path.join(BIN, 'ddc-docker'))) return 'ddc-docker is not built';
    execFileSync(path.join(ROOT, 'scripts', 'ensure-dockerd.sh'), { stdio: 'ignore', timeout: 60000 });
    return null;
  } catch (e) {
    return 'no Docker engine (scripts/ensure-dockerd.sh failed)';
  }
}

test('real agent: a container killed outside ddc shows as exited', async (t) => {
  const why = dockerReady();
  if (why) {
    t.skip(why);
    return;
  }
  const name = `ddcweb-live-${process.pid}`;
  const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8', timeout: 30000 });
  try { docker('rm', '-f', name); } catch (e) { /* not there */ }
  docker('run', '-d', '--name', name, 'ddc-busybox', 'sleep', '600');
  try {
    env.set('containers', [{ host: 'real', name, display_name: 'Real one', order: 1 }]);
    env.spawn('ddc-docker', [path.join(BIN, 'ddc-docker'), '--broker', env.ctl, '--host', 'real',
      '--cache', path.join(env.tmp, 'docker.cache.json'), '--audit', path.join(env.tmp, 'docker.audit.log')]);
    await page.goto(`${env.base}/`);
    const cell = `#view-hosts tr[data-container="real/${name}"] td.state-cell`;
    await page.waitForSelector(`${cell}[data-state="running"]`, { timeout: 20000 });
    await page.evaluate(() => { window.notReloaded = true; });
    docker('kill', name);
    await page.waitForSelector(`${cell}[data-state="exited"]`, { timeout: 10000 });
    assert.equal(await page.evaluate(() => window.notReloaded), true);
  } finally {
    try { docker('rm', '-f', name); } catch (e) { /* gone */ }
  }
});

// The UI language through its own page, as a user switches it.
async function setLanguage(lang) {
  await page.goto(`${env.base}/webui`);
  await page.selectOption('[name="web.ui_language"]', lang);
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  assert.equal(await page.getAttribute('html', 'lang'), lang);
}

test('in German, container and gateway states are German too, live', async () => {
  await setLanguage('de');
  const agent = fakePeer(env, 'docker', 'german');
  agent.report('inventory', { host: 'german', time: new Date().toISOString(), reachable: true,
    containers: [{ name: 'db', id: 'aaa', image: 'postgres', state: 'running', status: 'Up',
      created: null }], truncated: false });
  agent.report('status', statusBody('german', { db: 'running' }));
  const discord = fakePeer(env, 'discord', 'german');
  discord.report('gateway', { state: 'ready', user: 'ddc#0002' });
  const state = 'span.state[data-container="german/db"]';
  await waitFor(async () => {
    await page.goto(`${env.base}/containers`);
    return (await page.$(`${state}[data-state="running"]`)) !== null;
  }, 'the German agent\'s container', 10000, 500);
  assert.equal((await page.textContent(state)).trim(), 'läuft');
  // a change arrives live: the script translates it as well
  agent.report('status', statusBody('german', { db: 'exited' }));
  await page.waitForSelector(`${state}[data-state="exited"]`, { timeout: 5000 });
  assert.equal((await page.textContent(state)).trim(), 'beendet');
  await page.goto(`${env.base}/`);
  const cell = '#view-hosts tr[data-container="german/db"] td.state-cell[data-state="exited"]';
  await page.waitForSelector(cell);
  assert.match(await page.textContent(cell), /beendet/);
  const gw = '#view-gateway li[data-peer="discord@german"][data-state="ready"]';
  await page.waitForSelector(gw, { timeout: 5000 });
  assert.match(await page.textContent(gw), /bereit/);
  assert.doesNotMatch(await page.textContent('#view-gateway'), /\bready\b/);
  await discord.proc.stop();
  await agent.proc.stop();
  await setLanguage('en');
});
