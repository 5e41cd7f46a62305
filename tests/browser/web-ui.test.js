'use strict';
// ddc-web in a real Chromium: first-run setup with the setup code, sign-in
// and sign-out, a change in every section checked with ddc-ctl against the
// broker (with the live acknowledgement on the page), inline validation
// errors, the history with its diff and a rollback, and the UI language.
// DDC_SCREENSHOTS=1 also saves screenshots to web/screenshots/.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Env, PASSWORD, signIn, screenshot, waitFor } = require('./harness');

let env;
let page;

before(async () => {
  env = new Env('ui');
  await env.start();
  page = await env.browser('main');
});

after(async () => {
  const errors = page ? page.errors : [];
  const r = await env.stop();
  assert.deepEqual(errors, [], 'no script errors in the pages');
  assert.equal(r['ddc-web'].code, 0, 'ddc-web stops cleanly');
});

async function save() {
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
}

// After a save: the notice, and ddc-web's own acknowledgement, live.
async function expectApplied() {
  const notice = await page.textContent('#saved');
  assert.match(notice, /Changes applied \(revision \d+\)|Änderungen übernommen \(Revision \d+\)/);
  await page.waitForSelector('#acks li.applied:has-text("web@browser")');
}

test('first-run setup needs the code the broker logged', async () => {
  await page.goto(`${env.base}/`);
  assert.equal(new URL(page.url()).pathname, '/setup');
  assert.match(env.broker.log(), new RegExp(`setup code is ${env.code()}`));
  assert.doesNotMatch(env.web.log(), new RegExp(env.code()));
  await screenshot(page, 'setup');
  await page.fill('#f-code', 'AAAA-BBBB-CCCC');
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  assert.match(await page.textContent('#form-error'), /setup code is not right/);
  await page.fill('#f-code', env.code().toLowerCase());
  await page.fill('#f-password', 'short');
  await page.fill('#f-confirm', 'short');
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  assert.match(await page.textContent('#form-error'), /too short/);
  await page.fill('#f-code', env.code());
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  assert.equal(new URL(page.url()).pathname, '/');
  await page.waitForSelector('#dashboard');
  assert.match(env.get('web').password_hash, /^\*\*\*$/);
});

test('sign out and in again', async () => {
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.goto(`${env.base}/bot`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await screenshot(page, 'login');
  await page.fill('#f-password', 'Not-The-Password-1');
  await Promise.all([page.waitForNavigation(), page.click('#login')]);
  assert.match(await page.textContent('#form-error'), /password is not right/);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#login')]);
  assert.equal(new URL(page.url()).pathname, '/bot');
});

test('bot: token is write-only, guild, language, time zone', async () => {
  await page.goto(`${env.base}/bot`);
  assert.equal(await page.inputValue('[name="bot.token"]'), '');
  await page.fill('[name="bot.token"]', 'MTIzNDU2Nzg5.FAKE.TOKEN-from-the-browser');
  await page.fill('[name="bot.guild_id"]', '1098765432109876543');
  await page.selectOption('[name="bot.language"]', 'de');
  await page.fill('[name="bot.timezone"]', 'Europe/Berlin');
  // bot.log_lines: a schema row the form shows with its row's limits
  assert.equal(await page.getAttribute('[name="bot.log_lines"]', 'min'), '10');
  assert.equal(await page.getAttribute('[name="bot.log_lines"]', 'max'), '1000');
  await page.fill('[name="bot.log_lines"]', '100');
  await save();
  await expectApplied();
  const bot = env.get('bot');
  assert.deepEqual(bot, { token: '***', guild_id: '1098765432109876543', language: 'de',
    timezone: 'Europe/Berlin', log_lines: 100 });
  assert.ok(!(await page.content()).includes('FAKE.TOKEN'), 'the token is never sent back');
  assert.equal(await page.inputValue('[name="bot.token"]'), '');
  await screenshot(page, 'bot');
  // an empty token field keeps the token
  await page.selectOption('[name="bot.language"]', 'en');
  await save();
  await expectApplied();
  assert.equal(env.get('bot').token, '***');
  assert.equal(env.get('bot').language, 'en');
});

test('inline validation errors at their fields', async () => {
  await page.goto(`${env.base}/bot`);
  await page.fill('[name="bot.guild_id"]', '12');
  await page.fill('[name="bot.timezone"]', 'Mars/Olympus_Mons');
  await save();
  const guildErr = await page.textContent('[data-field="bot.guild_id"] .field-errors');
  // the field's label and what it needs, not the key
  assert.match(guildErr, /^Server \(guild\) ID must be 17 to 20 digits/);
  assert.doesNotMatch(guildErr, /guild_id|snowflake/);
  assert.match(await page.textContent('[data-field="bot.timezone"] .field-errors'), /time zone/);
  assert.equal(await page.getAttribute('[name="bot.guild_id"]', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('[name="bot.guild_id"]'), '12', 'the input is kept');
  assert.match(await page.textContent('#form-errors'), /Nothing was saved/);
  await screenshot(page, 'validation');
  assert.equal(env.get('bot').guild_id, '1098765432109876543');
});

test('containers: add one, allowed actions, info text', async () => {
  await page.goto(`${env.base}/containers`);
  await page.click('button[data-template="tpl-containers"]');
  await page.fill('[name="containers[0].host"]', 'local');
  await page.fill('[name="containers[0].name"]', 'plex');
  await page.fill('[name="containers[0].display_name"]', 'Plex Media Server');
  await page.fill('[name="containers[0].order"]', '10');
  await page.check('[name="containers[0].allowed_actions"][value="logs"]');
  await page.uncheck('[name="containers[0].allowed_actions"][value="stop"]');
  await page.check('[name="containers[0].info.enabled"]');
  await page.fill('[name="containers[0].info.text"]', 'Movies.\nWeb: https://plex.example.net');
  // roles next to their actions; no health alerts
  await page.fill('[name="containers[0].roles.restart"]', '1122334455667788990, 1122334455667788991');
  await page.fill('[name="containers[0].roles.logs"]', '1122334455667788990');
  await page.uncheck('[name="containers[0].alerts"][value="unhealthy"]');
  // a second one with a bad name: refused at its input, nothing saved
  await page.click('button[data-template="tpl-containers"]');
  await page.fill('[name="containers[1].host"]', 'local');
  await page.fill('[name="containers[1].name"]', 'bad name!');
  await save();
  assert.match(await page.textContent('[data-field="containers[1].name"] .field-errors'), /name/);
  assert.deepEqual(env.get('containers'), []);
  await page.check('[name="containers[1]._delete"]');
  await save();
  await expectApplied();
  assert.deepEqual(env.get('containers'), [{ host: 'local', name: 'plex', active: true,
    display_name: 'Plex Media Server', order: 10, allowed_actions: ['start', 'restart', 'logs'],
    info: { enabled: true, text: 'Movies.\nWeb: https://plex.example.net' },
    alerts: ['crash', 'restart_loop'],
    roles: { restart: ['1122334455667788990', '1122334455667788991'], logs: ['1122334455667788990'] } }]);
  assert.equal(await page.inputValue('[name="containers[0].roles.restart"]'),
    '1122334455667788990, 1122334455667788991', 'the roles are shown as saved');
  // a role for an action that is not allowed is refused at its input
  await page.fill('[name="containers[0].roles.stop"]', '1122334455667788990');
  await save();
  assert.match(await page.textContent('[data-field="containers[0].allowed_actions"] .field-errors'),
    /Container 1: Role IDs: stop: roles are given for an action that is not allowed/);
  await page.fill('[name="containers[0].roles.stop"]', '');
  await page.click('button[data-template="tpl-containers"]');
  await page.fill('[name="containers[1].host"]', 'nas');
  await page.fill('[name="containers[1].name"]', 'nextcloud');
  await save();
  await expectApplied();
  assert.equal(env.get('containers').length, 2);
  await screenshot(page, 'containers');
});

test('channels: status and control, a clash is flagged at once', async () => {
  await page.goto(`${env.base}/channels`);
  await page.click('button[data-template="tpl-channels-status"]');
  await page.fill('[name="channels[0].id"]', '1187654321098765432');
  await page.fill('[name="channels[0].name"]', 'server-status');
  await page.check('[name="channels[0].post_initial"]');
  await page.click('button[data-template="tpl-channels-control"]');
  await page.fill('[name="channels[1].id"]', '1187654321098765432');
  await page.waitForSelector('#channel-clash', { state: 'visible' });
  assert.match(await page.textContent('#channel-clash'), /1187654321098765432/);
  // saved anyway: the broker refuses it as a conflict at the field
  await save();
  assert.match(await page.textContent('[data-field="channels[1].id"] .field-errors'), /both/);
  await page.fill('[name="channels[1].id"]', '1187654321098765433');
  await page.fill('[name="channels[1].refresh_minutes"]', '2');
  await page.waitForSelector('#channel-clash', { state: 'hidden' });
  await save();
  await expectApplied();
  const ch = env.get('channels');
  assert.equal(ch.length, 2);
  assert.deepEqual(ch.map((c) => [c.id, c.kind]), [['1187654321098765432', 'status'],
    ['1187654321098765433', 'control']]);
  assert.equal(ch[1].refresh_minutes, 2);
  await screenshot(page, 'channels');
});

test('admins', async () => {
  await page.goto(`${env.base}/admins`);
  await page.click('button[data-template="tpl-admins"]');
  await page.fill('[name="admins[0].id"]', '223344556677889900');
  await page.fill('[name="admins[0].note"]', 'Anna (owner)');
  await save();
  await expectApplied();
  assert.deepEqual(env.get('admins'), [{ id: '223344556677889900', note: 'Anna (owner)' }]);
});

test('cooldowns', async () => {
  await page.goto(`${env.base}/cooldowns`);
  await page.fill('[name="spam.command_cooldowns.info"]', '9');
  await page.fill('[name="spam.button_cooldowns.restart"]', '');
  await page.fill('[name="spam.button_cooldowns.refresh"]', '4');
  await save();
  await expectApplied();
  const spam = env.get('spam');
  assert.equal(spam.command_cooldowns.info, 9);
  assert.equal(spam.button_cooldowns.refresh, 4);
  assert.ok(!('restart' in spam.button_cooldowns));
});

test('tasks: the cycle shows its own fields', async () => {
  await page.goto(`${env.base}/tasks`);
  await page.click('button[data-template="tpl-tasks"]');
  await page.fill('[name="tasks[0].id"]', 'plex-weekly');
  await page.selectOption('[name="tasks[0].target"]', 'local/plex');
  await page.selectOption('[name="tasks[0].action"]', 'restart');
  await page.selectOption('[name="tasks[0].cycle"]', 'weekly');
  assert.ok(await page.isVisible('[name="tasks[0].weekday"]'));
  assert.ok(!(await page.isVisible('[name="tasks[0].date"]')));
  await page.selectOption('[name="tasks[0].weekday"]', 'sun');
  await page.fill('[name="tasks[0].time"]', '04:15');
  await page.fill('[name="tasks[0].timezone"]', 'Europe/Berlin');
  await save();
  await expectApplied();
  assert.deepEqual(env.get('tasks'), [{ id: 'plex-weekly', host: 'local', container: 'plex',
    action: 'restart', cycle: 'weekly', time: '04:15', weekday: 'sun', timezone: 'Europe/Berlin',
    active: true }]);
  // monthly with a day out of range: the error sits at the day
  await page.selectOption('[name="tasks[0].cycle"]', 'monthly');
  await page.fill('[name="tasks[0].day"]', '40');
  await save();
  assert.match(await page.textContent('[data-field="tasks[0].day"] .field-errors'), /day/);
  await page.fill('[name="tasks[0].day"]', '1');
  await save();
  await expectApplied();
  assert.equal(env.get('tasks')[0].day, 1);
  await screenshot(page, 'tasks');
});

test('watchdog and docker', async () => {
  await page.goto(`${env.base}/watchdog`);
  await page.check('[name="watchdog.enabled"]');
  await page.fill('[name="watchdog.url"]', 'https://hc-ping.com/5f2c9a6e');
  await page.fill('[name="watchdog.fail_url"]', 'http://kuma.lan:3001/api/push/x?status=down');
  await page.fill('[name="watchdog.interval_minutes"]', '7');
  await save();
  await expectApplied();
  assert.deepEqual(env.get('watchdog'), { enabled: true, url: 'https://hc-ping.com/5f2c9a6e',
    fail_url: 'http://kuma.lan:3001/api/push/x?status=down', interval_minutes: 7 });
  await page.goto(`${env.base}/docker`);
  await page.fill('[name="docker.stats_interval_seconds"]', '15');
  await page.fill('[name="docker.stop_timeout_seconds"]', '30');
  await save();
  await expectApplied();
  assert.deepEqual(env.get('docker'), { stats_interval_seconds: 15, stop_timeout_seconds: 30 });
});

test('alerts: the webhook URL is a secret, kept, replaced and removed', async () => {
  await page.goto(`${env.base}/alerts`);
  await page.fill('[name="alerts.webhook_url"]', 'https://discord.com/api/webhooks/1/hook-secret');
  await page.selectOption('[name="alerts.webhook_format"]', 'json');
  await page.fill('[name="alerts.restart_loop_count"]', '4');
  await save();
  await expectApplied();
  assert.equal(env.get('alerts').webhook_url, '***');
  assert.equal(env.get('alerts').webhook_format, 'json');
  assert.equal(env.get('alerts').restart_loop_count, 4);
  assert.doesNotMatch(await page.content(), /hook-secret/);
  assert.equal(await page.inputValue('[name="alerts.webhook_url"]'), '');
  // saved again with the field empty: kept
  await page.fill('[name="alerts.log_lines"]', '5');
  await save();
  await expectApplied();
  assert.equal(env.get('alerts').webhook_url, '***');
  await page.check('[name="alerts._clear.webhook_url"]');
  await save();
  await expectApplied();
  assert.equal(env.get('alerts').webhook_url, '');
  assert.equal(env.get('alerts').log_lines, 5);
});

test('web UI settings: German, live, and back', async () => {
  const other = await env.browser('other');
  await signIn(other, env.base);
  await other.goto(`${env.base}/`);
  await other.waitForSelector('#dashboard');
  await page.goto(`${env.base}/webui`);
  await page.fill('[name="web.session_idle_minutes"]', '45');
  await page.selectOption('[name="web.ui_language"]', 'de');
  await save();
  assert.match(await page.textContent('#saved'), /Änderungen übernommen/);
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.equal(env.get('web').session_idle_minutes, 45);
  // the other browser switches by itself, without a click
  await other.waitForFunction(() => document.documentElement.lang === 'de', null, { timeout: 10000 });
  assert.match(await other.textContent('nav'), /Übersicht/);
  await screenshot(other, 'dashboard-de');
  await page.selectOption('[name="web.ui_language"]', 'en');
  await save();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.deepEqual(other.errors, []);
});

test('history: diff and rollback', async () => {
  await page.goto(`${env.base}/history?section=watchdog`);
  const rows = await page.$$('#history tbody tr');
  assert.equal(rows.length, 1);
  await screenshot(page, 'history');
  // the admins change, then roll the admins back to empty
  const before = env.get('admins');
  env.set('admins', [...before, { id: '1012345678901234567', note: 'Max' }]);
  await page.goto(`${env.base}/history?section=admins`);
  await Promise.all([page.waitForNavigation(), page.click('#history tbody tr:first-child a')]);
  const diff = await page.textContent('#diff');
  assert.match(diff, /\+\s+"id":\s+"1012345678901234567"/);
  await screenshot(page, 'history-diff');
  await page.goto(`${env.base}/history?section=admins`);
  const oldest = await page.$$eval('#history tbody tr', (trs) => trs[trs.length - 1].dataset.rev);
  await page.goto(`${env.base}/history/${oldest}`);
  await Promise.all([page.waitForNavigation(), page.click('#rollback')]);
  assert.equal(new URL(page.url()).pathname, '/admins');
  await expectApplied();
  assert.deepEqual(env.get('admins'), before);
});

test('dashboard lists the services and their revisions', async () => {
  await page.goto(`${env.base}/`);
  await page.waitForSelector('#view-services tr[data-peer="web@browser"]');
  await screenshot(page, 'dashboard');
});
