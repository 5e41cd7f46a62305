'use strict';
// A new user's first steps: the setup page says where the code is and
// keeps it across every error, the empty dashboard and the empty tasks
// page say what to do next with links, the Bot page shows what the bot
// reports without a save, and a task is made by picking a configured
// container (its id made for it) and shows its next run in its own zone.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Env, PASSWORD, fakePeer, statusBody, waitFor } = require('./harness');

let env;
let page;

before(async () => {
  env = new Env('firstrun');
  await env.start();
  page = await env.browser('a');
});

after(async () => {
  const errors = page ? page.errors : [];
  const r = await env.stop();
  assert.deepEqual(errors, [], 'no script errors');
  assert.equal(r['ddc-web'].code, 0, 'ddc-web stops cleanly');
});

test('setup: where the code is, and the typed code is kept', async () => {
  await page.goto(`${env.base}/`);
  assert.equal(new URL(page.url()).pathname, '/setup');
  const intro = await page.textContent('main');
  assert.match(intro, /ddc-ctl setup-code/);
  assert.match(intro, /data\/web-setup-code/);
  // passwords that differ: the code stays
  await page.fill('#f-code', env.code());
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD + 'x');
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  assert.match(await page.textContent('#form-error'), /not the same/);
  assert.equal(await page.inputValue('#f-code'), env.code());
  // a weak password: the code stays
  await page.fill('#f-password', 'short');
  await page.fill('#f-confirm', 'short');
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  assert.match(await page.textContent('#form-error'), /too short/);
  assert.equal(await page.inputValue('#f-code'), env.code());
  // a typo in the code: what was typed stays, to be corrected
  const typo = env.code().slice(0, -1) + (env.code().endsWith('A') ? 'B' : 'A');
  await page.fill('#f-code', typo);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  const [resp] = await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  assert.equal(resp.status(), 403);
  assert.equal(await page.inputValue('#f-code'), typo);
  await page.fill('#f-code', env.code());
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  assert.equal(new URL(page.url()).pathname, '/');
});

test('empty states lead on; the Bot page shows the gateway unasked', async () => {
  await page.goto(`${env.base}/`);
  assert.ok(await page.$('#view-gateway a[href="/bot"]'), 'no bot yet: a link to the Bot page');
  // an agent reports a host, nothing of it is configured yet (its status
  // lists the configured containers only)
  const agent = fakePeer(env, 'docker', 'nas');
  agent.report('status', statusBody('nas', {}));
  await page.waitForSelector('#view-hosts a[href="/containers?q=nas"]', { timeout: 15000 });
  await Promise.all([page.waitForNavigation(), page.click('#view-hosts a[href="/containers?q=nas"]')]);
  assert.equal(new URL(page.url()).pathname, '/containers');
  // no task without a container: the tasks page says where to start
  await page.goto(`${env.base}/tasks`);
  assert.ok(await page.$('#tasks-no-containers a[href="/containers"]'));
  // the bot's state shows on the Bot page before any save, and live
  const discord = fakePeer(env, 'discord', 'bot');
  discord.report('gateway', { state: 'waiting_for_token' });
  await page.goto(`${env.base}/bot`);
  await page.waitForSelector('#bot-gateway li[data-peer="discord@bot"]', { timeout: 15000 });
  assert.match(await page.textContent('#bot-gateway'), /waiting for a token/);
  discord.report('gateway', { state: 'ready', user: 'ddc#0001' });
  await page.waitForSelector('#bot-gateway li[data-peer="discord@bot"][data-state="ready"]',
    { timeout: 15000 });
  await discord.proc.stop();
  await agent.proc.stop();
});

test('tasks: pick a configured container, the id is made, the next run in its zone', async () => {
  env.set('containers', [{ host: 'nas', name: 'plex', display_name: 'Plex', active: true,
    allowed_actions: ['restart'] }]);
  // ddc-web applies the change a moment after the broker saved it
  await waitFor(async () => {
    await page.goto(`${env.base}/tasks`);
    return (await page.$('#tasks-no-containers')) === null;
  }, 'the configured container on the tasks page');
  await page.click('button[data-template="tpl-tasks"]');
  // the container from the list of configured ones
  const options = await page.$$eval('[name="tasks[0].target"] option', (os) => os.map((o) => o.value));
  assert.deepEqual(options, ['', 'nas/plex']);
  await page.selectOption('[name="tasks[0].target"]', 'nas/plex');
  await page.selectOption('[name="tasks[0].action"]', 'restart');
  await page.selectOption('[name="tasks[0].cycle"]', 'weekly');
  await page.selectOption('[name="tasks[0].weekday"]', 'mon');
  await page.fill('[name="tasks[0].time"]', '04:15');
  await page.fill('[name="tasks[0].timezone"]', 'America/New_York');
  assert.equal(await page.inputValue('[name="tasks[0].id"]'), '', 'no id to make up');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  await page.waitForSelector('#saved');
  const saved = env.get('tasks');
  assert.equal(saved.length, 1);
  assert.equal(saved[0].id, 'plex-restart-weekly');
  assert.equal(await page.inputValue('[name="tasks[0].id"]'), 'plex-restart-weekly');
  // the next run: a Monday 04:15 in New York, within a week, as shown
  const el = '#tasks-table tbody tr td.next time.zoned';
  const iso = await page.getAttribute(el, 'datetime');
  const when = new Date(iso);
  const ahead = when.getTime() - Date.now();
  assert.ok(ahead > 0 && ahead <= 7 * 86400 * 1000, `next run ${iso} within a week`);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York',
    weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(when).map((p) => [p.type, p.value]));
  assert.equal(`${parts.weekday} ${parts.hour}:${parts.minute}`, 'Monday 04:15');
  const shown = await page.textContent('#tasks-table tbody tr td.next');
  assert.match(shown, /^Monday \d{4}-\d\d-\d\d\u00a004:15 America\/New_York$/);
  // a second task of the same kind gets the next free id
  await page.click('button[data-template="tpl-tasks"]');
  await page.selectOption('[name="tasks[1].target"]', 'nas/plex');
  await page.selectOption('[name="tasks[1].action"]', 'restart');
  await page.selectOption('[name="tasks[1].cycle"]', 'weekly');
  await page.selectOption('[name="tasks[1].weekday"]', 'fri');
  await page.fill('[name="tasks[1].time"]', '05:00');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  await page.waitForSelector('#saved');
  await waitFor(() => env.get('tasks').length === 2, 'two tasks');
  assert.deepEqual(env.get('tasks').map((x) => x.id), ['plex-restart-weekly', 'plex-restart-weekly-2']);
});

test('tasks: a cron schedule, refused at its field when malformed, run as written', async () => {
  await page.goto(`${env.base}/tasks`);
  await page.click('button[data-template="tpl-tasks"]');
  await page.selectOption('[name="tasks[2].target"]', 'nas/plex');
  await page.selectOption('[name="tasks[2].action"]', 'restart');
  await page.selectOption('[name="tasks[2].cycle"]', 'cron');
  assert.equal(await page.isVisible('[name="tasks[2].time"]'), false, 'no time for a cron task');
  await page.fill('[name="tasks[2].cron"]', '0 25 * * *');
  await page.fill('[name="tasks[2].timezone"]', 'UTC');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  const err = await page.textContent('[data-field="tasks[2].cron"] .field-errors');
  assert.match(err, /^Task 3: schedule must be five fields/);
  assert.equal(await page.inputValue('[name="tasks[2].cron"]'), '0 25 * * *', 'the input is kept');
  await page.fill('[name="tasks[2].cron"]', '*/30 * * * *');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  await page.waitForSelector('#saved');
  const task = env.get('tasks')[2];
  assert.equal(task.id, 'plex-restart-cron');
  assert.equal(task.cron, '*/30 * * * *');
  assert.equal(task.time, undefined);
  // the next run is the next half hour
  const iso = await page.getAttribute('#tasks-table tbody tr:nth-child(3) td.next time', 'datetime');
  const when = new Date(iso);
  assert.ok(when.getTime() > Date.now() && when.getTime() - Date.now() <= 30 * 60 * 1000, iso);
  assert.equal(when.getUTCMinutes() % 30, 0);
});
