#!/usr/bin/env node
'use strict';
// Refresh the web UI screenshots in web/screenshots/ from a REAL running
// system: ddc-broker, ddc-docker for host "local" on the machine's Docker
// engine (scripts/ensure-dockerd.sh), ddc-discord connected to the fake
// Discord of tests/fake-discord, and ddc-web, all from DDC_BIN (default
// build/bin), in a fresh temp folder on free ports. A few busybox containers
// with game and media server names are the containers shown. The pages are
// taken 1280 px wide, and a few as a phone shows them (390 x 844 px,
// phone-*.png).
//
//   make && node scripts/screenshots.js
//
// Needs tests/node_modules (npm install --prefix tests: playwright-core, and
// ws for the fake Discord) and Chromium (DDC_CHROMIUM, default
// /usr/bin/chromium). DDC_KEEP_TMP=1 keeps the temp folder (logs);
// DDC_SHOTS_QUIET_WAIT=SECONDS (default 120) is how long to wait for other
// containers on the Docker engine to go before the containers page is taken.
// Everything it starts is stopped by its PID, and its containers and temp
// folder are removed, also on failure or Ctrl-C.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.resolve(process.env.DDC_BIN || path.join(ROOT, 'build', 'bin'));
const CHROMIUM = process.env.DDC_CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'web', 'screenshots');
const DOCKER_SOCK = '/var/run/docker.sock';
const PASSWORD = 'Correct-Horse-42';
const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.screenshots.ddc-bot-token';
// the fixed ids of the fake Discord (tests/fake-discord/README.md)
const GUILD = '1100000000000000100';
const CH_STATUS = '1100000000000000200';
const CH_CONTROL = '1100000000000000201';
const ADMIN = '1100000000000000300';
// the window sizes: a desktop's, and a phone's (its screen, not the whole page)
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

let chromium;
try {
  ({ chromium } = require(path.join(ROOT, 'tests', 'node_modules', 'playwright-core')));
} catch (e) {
  console.error('screenshots: playwright-core is missing: run "npm install --prefix tests"');
  process.exit(2);
}

// The containers: name, display name, order, allowed actions, info text and
// whether it runs (Valheim with a little work to do, so that its CPU figure
// is not 0). "configured: false" leaves it to be found by the agent
// (the containers page lists it as discovered).
const CONTAINERS = [
  { name: 'ddc-shot-valheim', display_name: 'Valheim', order: 10, run: true,
    cmd: ['sh', '-c', 'while :; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 2; done'],
    allowed_actions: ['start', 'stop', 'restart'],
    info: { enabled: true, text: 'Join: valheim.example.net:2456\nThe password is pinned in #gaming.' } },
  { name: 'ddc-shot-minecraft', display_name: 'Minecraft (Paper 1.21)', order: 20, run: false,
    allowed_actions: ['start', 'stop', 'restart', 'logs'], info: { enabled: false, text: '' } },
  { name: 'ddc-shot-plex', display_name: 'Plex Media Server', order: 30, run: true,
    cmd: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "$(date -u +%FT%TZ) transcoder: stream $i done, ' +
      '$((i % 3 + 1)) viewers"; sleep 2; done'],
    allowed_actions: ['restart'], info: { enabled: true, text: 'Movies and series for the family.' } },
  { name: 'ddc-shot-jellyfin', run: true, configured: false },
];

function log(...a) { console.log('screenshots:', ...a); }
// waitFor (default timeout 15 s here: pass longer ones), sleep, freePort and
// httpGet are the browser tests' own helpers.
const { waitFor, sleep, freePort, httpGet } = require(path.join(ROOT, 'tests', 'browser', 'harness'));

function docker(...args) {
  return execFileSync('docker', args, { encoding: 'utf8', timeout: 60000,
    stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// ---------------------------------------------------------------------------
// What this script started, for the cleanup

const state = { tmp: null, procs: [], containers: [], browser: null, cleaning: null };

class Proc {
  constructor(name, args, opts = {}) {
    this.name = name;
    this.logPath = path.join(state.tmp, `${name}.log`);
    const fd = fs.openSync(this.logPath, 'a');
    this.child = spawn(args[0], args.slice(1), {
      stdio: [opts.stdin || 'ignore', fd, fd],
      env: { ...process.env, ...(opts.env || {}) },
    });
    fs.closeSync(fd);
    this.child.on('error', (e) => fs.appendFileSync(this.logPath, `spawn error: ${e}\n`));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, sig) => resolve({ code, sig })));
    state.procs.push(this);
  }

  running() { return this.child.exitCode === null && this.child.signalCode === null; }

  async stop(timeout = 10000) {
    if (!this.running()) return this.exited;
    this.child.kill('SIGTERM');   // by its PID
    const t = setTimeout(() => { if (this.running()) this.child.kill('SIGKILL'); }, timeout);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }

  log() {
    try { return fs.readFileSync(this.logPath, 'utf8'); } catch (e) { return ''; }
  }
}

function cleanup() {
  if (state.cleaning) return state.cleaning;
  state.cleaning = (async () => {
    if (state.browser) await state.browser.close().catch(() => {});
    for (const p of state.procs.slice().reverse()) {   // last started, first stopped
      const r = await p.stop();
      if (r.code !== 0 && !(r.sig === 'SIGTERM' && p.name === 'fake-discord')) {
        log(`${p.name} (pid ${p.child.pid}) ended with ${r.code !== null ? `status ${r.code}` : r.sig}`);
      }
    }
    for (const name of state.containers) {
      try { docker('rm', '-f', name); } catch (e) { log(`could not remove container ${name}: ${e.message}`); }
    }
    if (state.tmp) {
      if (process.env.DDC_KEEP_TMP) log(`kept ${state.tmp}`);
      else fs.rmSync(state.tmp, { recursive: true, force: true });
    }
  })();
  return state.cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    cleanup().finally(() => process.exit(1));
  });
}

// ---------------------------------------------------------------------------
// The system

function ctl(args) {
  return execFileSync(path.join(BIN, 'ddc-ctl'), ['--broker', state.ctlEp, '--timeout', '5',
    '--author', 'admin', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// (from a file: "set SECTION -" opens /dev/stdin, which a socket, as node's
// pipes are, cannot be opened as)
function set(section, value) {
  const file = path.join(state.tmp, `set-${section}.json`);
  fs.writeFileSync(file, JSON.stringify(value));
  try {
    return ctl(['set', section, file]);
  } catch (e) {
    throw new Error(`ddc-ctl set ${section} failed: ${e.stderr || e.message}`);
  }
}

function containersValue() {
  return CONTAINERS.filter((c) => c.configured !== false).map((c) => ({
    host: 'local', name: c.name, active: true, display_name: c.display_name, order: c.order,
    allowed_actions: c.allowed_actions, info: c.info }));
}

// The containers page lists every container on the Docker engine. Other
// containers (say, of tests running on this machine) would crowd it: wait
// up to DDC_SHOTS_QUIET_WAIT seconds (default 120, 0: not at all) for them
// to go.
function quietWaitSeconds() {
  const v = Number(process.env.DDC_SHOTS_QUIET_WAIT ?? 120);
  return Number.isFinite(v) && v >= 0 ? v : 120;
}

function otherContainers() {
  return docker('ps', '-a', '--format', '{{.Names}}').split('\n')
    .filter((n) => n && !state.containers.includes(n));
}

async function waitQuiet() {
  const limit = quietWaitSeconds();
  let others = otherContainers();
  if (!others.length || limit === 0) return;
  log(`waiting up to ${limit} s for ${others.length} other container(s) (${others.slice(0, 3).join(', ')}` +
    `${others.length > 3 ? ', ...' : ''}) to go; DDC_SHOTS_QUIET_WAIT=0 does not wait`);
  const end = Date.now() + limit * 1000;
  while (others.length && Date.now() < end) {
    await sleep(500);
    others = otherContainers();
  }
  if (others.length) log(`note: ${others.length} other container(s) will show on the containers page`);
  else await sleep(1500);   // the agent's inventory follows Docker's events
}

async function startSystem() {
  for (const b of ['ddc-broker', 'ddc-docker', 'ddc-discord', 'ddc-web', 'ddc-ctl']) {
    if (!fs.existsSync(path.join(BIN, b))) throw new Error(`${BIN}/${b} is missing: run make first`);
  }
  const tmp = state.tmp;
  state.ctlEp = `ipc://${tmp}/ctl.sock`;

  log('Docker engine and image (scripts/ensure-dockerd.sh)');
  execFileSync(path.join(ROOT, 'scripts', 'ensure-dockerd.sh'), { stdio: 'inherit', timeout: 120000 });

  // the containers; one stopped
  for (const c of CONTAINERS) {
    try { docker('rm', '-f', c.name); } catch (e) { /* not there: fine */ }
    state.containers.push(c.name);
    docker('run', '-d', '--name', c.name, 'ddc-busybox', ...(c.cmd || ['sleep', '3600']));
  }
  for (const c of CONTAINERS) if (!c.run) docker('stop', '-t', '1', c.name);

  log('ddc-broker');
  new Proc('ddc-broker', [path.join(BIN, 'ddc-broker'), '--data', path.join(tmp, 'data'),
    '--ctl', state.ctlEp, '--pub', `ipc://${tmp}/pub.sock`]);
  await waitFor(() => { ctl(['ping']); return true; }, 'the broker');

  // the configuration, as an operator would set it with ddc-ctl
  set('docker', { stats_interval_seconds: 3, stop_timeout_seconds: 10 });
  set('bot', { token: TOKEN, guild_id: GUILD, language: 'en', timezone: 'Europe/Berlin' });
  set('containers', containersValue());
  set('channels', [
    { id: CH_STATUS, name: 'ddc-status', kind: 'status', post_initial: true, refresh_minutes: 5,
      recreate_minutes: 0 },
    { id: CH_CONTROL, name: 'ddc-control', kind: 'control', post_initial: true, refresh_minutes: 1,
      recreate_minutes: 60 }]);
  set('admins', [{ id: ADMIN, note: 'Anna (owner)' }]);
  set('tasks', [{ id: 'valheim-nightly', host: 'local', container: 'ddc-shot-valheim', action: 'restart',
    cycle: 'daily', time: '05:00', timezone: 'Europe/Berlin', active: true, note: 'Nightly restart' }]);

  log('fake Discord');
  const fake = new Proc('fake-discord', [path.join(ROOT, 'scripts', 'fake-discord'), '--port', '0',
    '--exit-with-stdin'], { env: { FAKE_TOKEN: TOKEN }, stdin: 'pipe' });
  const fakeBase = await waitFor(() => {
    const m = /fake-discord listening on (http:\/\/[0-9.:]+)/.exec(fake.log());
    if (!m && !fake.running()) throw new Error(`fake-discord exited: ${fake.log().slice(-300)}`);
    return m && m[1];
  }, 'the fake Discord server');

  log('ddc-docker (host local), ddc-discord, ddc-web');
  new Proc('ddc-docker', [path.join(BIN, 'ddc-docker'), '--broker', state.ctlEp, '--host', 'local',
    '--docker-socket', DOCKER_SOCK, '--cache', path.join(tmp, 'docker-local.cache.json'),
    '--audit', path.join(tmp, 'docker-local.audit.log')]);
  new Proc('ddc-discord', [path.join(BIN, 'ddc-discord'), '--broker', state.ctlEp, '--instance', 'main',
    '--discord-api', `${fakeBase}/api`, '--cache', path.join(tmp, 'discord.cache.json'),
    '--state', path.join(tmp, 'discord.state.json')]);
  state.port = await freePort();
  state.base = `http://127.0.0.1:${state.port}`;
  state.codeFile = path.join(tmp, 'data', 'web-setup-code');   // the broker's
  const web = new Proc('ddc-web', [path.join(BIN, 'ddc-web'), '--broker', state.ctlEp,
    '--listen', `127.0.0.1:${state.port}`, '--instance', 'main',
    '--pidfile', path.join(tmp, 'ddc-web.pid')]);
  await waitFor(async () => {
    if (!web.running()) throw new Error(`ddc-web exited: ${web.log().slice(-300)}`);
    return (await httpGet(state.port, '/health')).status === 200;
  }, 'ddc-web /health');
  await waitFor(() => {
    const s = ctl(['status']);
    return /docker@local/.test(s) && /discord@main/.test(s) && /web@main/.test(s);
  }, 'every service at the broker');
}

// ---------------------------------------------------------------------------
// The pages

async function shot(page, name, fullPage = true) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await sleep(300);   // let a live update that just arrived paint
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (wide > 0) throw new Error(`${page.url()} is ${wide} px wider than the window`);
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  log(`wrote ${path.relative(ROOT, file)}`);
}

// A phone's screen: the dashboard, the containers as cards and the menu
// opened over the tasks page, in a second tab of the signed-in browser.
async function phoneShots(base) {
  const phone = await state.browser.newPage();
  await phone.setViewportSize(PHONE);
  phone.on('dialog', (d) => d.accept());
  await phone.goto(`${base}/`);
  await phone.waitForSelector('#view-gateway li[data-peer="discord@main"] .badge.ok');
  await waitFor(async () => /MiB|KiB|GiB/.test(await phone.textContent('#view-hosts')), 'memory figures');
  await shot(phone, 'phone-dashboard', false);
  await phone.goto(`${base}/containers`);
  await shot(phone, 'phone-containers', false);
  await phone.goto(`${base}/tasks`);
  await phone.click('#nav-toggle');
  await phone.waitForSelector('#nav a[data-nav="activity"]', { state: 'visible' });
  await shot(phone, 'phone-menu', false);
  await phone.close();
}

async function save(page) {
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  const notice = await page.textContent('#saved').catch(() => null);
  if (!notice) {
    const errors = await page.textContent('#form-errors').catch(() => '');
    throw new Error(`save on ${page.url()} failed: ${errors || 'no notice'}`);
  }
}

// every service that follows the saved section has acknowledged it
async function allApplied(page, peers, timeout = 15000) {
  for (const p of peers) {
    await page.waitForSelector(`#acks li.applied:has-text("${p}")`, { timeout });
  }
  await page.waitForFunction(() => !document.querySelector('#acks li.pending, #acks li.late'),
    null, { timeout });
}

async function run() {
  state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ddc-screenshots-'));
  await startSystem();
  fs.mkdirSync(SHOTS, { recursive: true });

  log('Chromium');
  const profile = fs.mkdtempSync(path.join(state.tmp, 'profile-'));
  state.browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking'],
    viewport: { width: DESKTOP.width, height: DESKTOP.height },
    // our own handlers stop everything (playwright's would just exit)
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  state.browser.setDefaultTimeout(20000);
  const page = state.browser.pages()[0] || await state.browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', (d) => d.accept());
  const base = state.base;

  // first run: the setup code from the broker's data folder, a new password
  log('first-run setup');
  const code = await waitFor(() => fs.existsSync(state.codeFile) && fs.readFileSync(state.codeFile, 'utf8').trim(),
    'the setup code file');
  await page.goto(`${base}/setup`);
  await page.fill('#f-code', code);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  if (new URL(page.url()).pathname !== '/') throw new Error(`setup did not sign in (at ${page.url()})`);

  // dashboard: the real containers with live CPU and memory, the bot ready
  log('dashboard');
  await page.goto(`${base}/`);
  const row = (n) => `#view-hosts tr[data-container="local/${n}"]`;
  for (const c of CONTAINERS.filter((x) => x.configured !== false)) {
    await page.waitForSelector(`${row(c.name)} td.state-cell[data-state="${c.run ? 'running' : 'exited'}"]`,
      { timeout: 30000 });
  }
  await page.waitForSelector('#view-gateway li[data-peer="discord@main"] .badge.ok', { timeout: 30000 });
  await waitFor(async () => /ready/.test(await page.textContent('#view-gateway')), 'gateway ready', 30000);
  // CPU and memory of the running ones: sampled by the agent
  await waitFor(async () => {
    for (const c of CONTAINERS.filter((x) => x.configured !== false && x.run)) {
      if (!/MiB|KiB|GiB/.test(await page.textContent(row(c.name)))) return false;
    }
    return true;
  }, 'CPU and memory figures', 30000, 500);
  // Valheim's bit of work, once the agent has two samples (not required)
  await waitFor(async () => /(?:[1-9]\d*|0)\.\d %/.test(await page.textContent(row('ddc-shot-valheim')))
    && !/ 0\.0 %/.test(await page.textContent(row('ddc-shot-valheim'))), 'a CPU figure', 15000, 500)
    .catch(() => log('note: Valheim shows no CPU use yet'));
  await waitFor(async () => {
    const t = await page.textContent('#view-services');
    return ['docker@local', 'discord@main', 'web@main'].every((p) => t.includes(p));
  }, 'the services table');
  await shot(page, 'dashboard');

  // containers: what the agent found next to the configuration; a change
  // saved from the browser (Plex may now also show its logs), acknowledged by
  // every service that follows the section
  log('containers');
  const configured = CONTAINERS.filter((c) => c.configured !== false);
  const plexIdx = configured.slice().sort((a, b) => a.order - b.order)
    .findIndex((c) => c.name === 'ddc-shot-plex');
  const foreignRows = () => page.$$eval('#discovered a.add[data-name]',
    (els, ours) => els.map((e) => e.getAttribute('data-name')).filter((v) => !ours.includes(v)),
    state.containers);
  for (let attempt = 1; ; attempt++) {
    await waitQuiet();
    if (attempt > 1) set('containers', containersValue());   // undo the last try
    await waitFor(async () => {
      await page.goto(`${base}/containers`);
      return (await page.$('#discovered a.add[data-name="ddc-shot-jellyfin"]')) !== null;
    }, 'the discovered container', 20000, 500);
    const plexName = await page.getAttribute(`[name="containers[${plexIdx}].name"]`, 'value');
    if (plexName !== 'ddc-shot-plex') throw new Error(`containers[${plexIdx}] is ${plexName}, not Plex`);
    await page.check(`[name="containers[${plexIdx}].allowed_actions"][value="logs"]`);
    await page.fill(`[name="containers[${plexIdx}].display_name"]`, 'Plex');
    await save(page);
    await allApplied(page, ['docker@local', 'discord@main', 'web@main']);
    const foreign = await foreignRows();
    if (!foreign.length || attempt >= 5 || quietWaitSeconds() === 0) {
      if (foreign.length) log(`note: the containers page lists ${foreign.length} other container(s)`);
      break;
    }
    log(`other containers (${foreign.slice(0, 3).join(', ')}) came up meanwhile: once more`);
  }
  await shot(page, 'containers');

  // bot: a save and its live feedback, with the Discord gateway's state
  log('bot');
  await page.goto(`${base}/bot`);
  await page.selectOption('[name="bot.language"]', 'de');
  await page.fill('[name="bot.timezone"]', 'Europe/Vienna');
  await save(page);
  await allApplied(page, ['discord@main', 'web@main']);
  await page.waitForSelector('#gateway-result:has-text("discord@main: ready")', { timeout: 20000 });
  await shot(page, 'bot-gateway');

  // channels
  log('channels');
  await page.goto(`${base}/channels`);
  await page.waitForSelector(`[name="channels[1].id"][value="${CH_CONTROL}"]`);
  await shot(page, 'channels');

  // history: the containers change made in the browser, as a diff
  log('history');
  await page.goto(`${base}/history?section=containers`);
  await Promise.all([page.waitForNavigation(), page.click('#history tbody tr:first-child a')]);
  await page.waitForSelector('#diff');
  await shot(page, 'history-diff');

  // a restart from the web and Plex's log (its save above allowed "logs")
  log('logs and activity');
  const restarted = await page.evaluate(async () => {
    const csrf = document.querySelector('input[name=csrf]').value;
    const r = await fetch('/api/action', {
      method: 'POST', body: JSON.stringify({ host: 'local', container: 'ddc-shot-valheim', action: 'restart' }),
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    });
    return r.status;
  });
  if (restarted !== 200) throw new Error(`restarting Valheim from the web answered ${restarted}`);
  await page.goto(`${base}/logs?host=local&name=ddc-shot-plex&lines=50`);
  await waitFor(async () => /transcoder: stream \d+/.test(await page.textContent('#log')), 'Plex\'s log lines');
  await shot(page, 'logs');
  await page.goto(`${base}/activity`);
  await page.waitForSelector('#activity tr[data-kind="action"]');
  await shot(page, 'activity');

  log('phone');
  await phoneShots(base);

  // the dashboard in German: web.ui_language switches the open page by itself
  log('dashboard in German');
  await page.goto(`${base}/`);
  await page.waitForSelector('#view-gateway li[data-peer="discord@main"] .badge.ok');
  const web = JSON.parse(ctl(['get', 'web', '--compact'])).value;   // the hash shows as "***": kept
  set('web', { ...web, ui_language: 'de' });
  await page.waitForFunction(() => document.documentElement.lang === 'de', null, { timeout: 15000 });
  await page.waitForSelector('#view-gateway li[data-peer="discord@main"] .badge.ok');
  await page.waitForSelector(`${row('ddc-shot-valheim')} td.state-cell[data-state="running"]`);
  await waitFor(async () => /MiB|KiB|GiB/.test(await page.textContent(row('ddc-shot-plex'))), 'memory figures');
  await shot(page, 'dashboard-de');

  if (pageErrors.length) log(`script errors in the pages: ${pageErrors.join('; ')}`);
  for (const p of state.procs) {
    if (!p.running()) throw new Error(`${p.name} exited during the run: ${p.log().slice(-500)}`);
  }
}

run().then(async () => {
  await cleanup();
  log('done');
}, async (e) => {
  console.error(`screenshots: FAILED: ${e && e.stack ? e.stack : e}`);
  if (state.tmp) {
    for (const p of state.procs) {
      const tail = p.log().trim().split('\n').slice(-5).join('\n  ');
      if (tail) console.error(`--- ${p.name} (last lines)\n  ${tail}`);
    }
  }
  await cleanup();
  process.exit(1);
});
