'use strict';
// Every page of ddc-web at a phone's width (390 px) and a desktop's (1280 px)
// in a real Chromium, with a configuration like a real one (the example's
// containers, channels, admins, cooldowns and tasks, a long container name)
// and two fake Docker agents reporting them:
//  - no page scrolls sideways (the document is no wider than the window),
//    and on a phone no table scrolls sideways inside the page either: rows
//    are cards, each value with its column's name;
//  - axe-core (injected into the page) finds no serious or critical
//    accessibility violation;
//  - on a phone the navigation is one compact row: a menu button
//    (aria-expanded) opens it, and without the script it is a row that
//    scrolls by itself, not the page; the tasks show their time and cycle.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Env, PASSWORD, signIn, screenshot, waitFor, fakePeer, statusBody } = require('./harness');

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = 390;
const DESKTOP = 1280;
const LONG = 'media-transcoder-with-a-rather-long-container-name-01';

let env;
let page;

// The sections of deploy/config.example.jsonc (comments dropped), with a
// long container name added.
function example() {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'deploy', 'config.example.jsonc'), 'utf8');
  return JSON.parse(text.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n'));
}

before(async () => {
  env = new Env('layout');
  await env.start();
  page = await env.browser('layout');
});

after(async () => {
  const errors = page ? page.errors : [];
  const r = await env.stop();
  assert.deepEqual(errors, [], 'no script errors in the pages');
  assert.equal(r['ddc-web'].code, 0, 'ddc-web stops cleanly');
});

// The page's width problems at the current viewport: the document wider
// than the window, and (phone) tables wider than their box.
async function overflow() {
  return page.evaluate(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth) {
      // name the widest element for the message
      let widest = null;
      for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 0.5 && (!widest || r.right > widest.r)) {
          widest = { r: r.right, what: `${el.tagName.toLowerCase()}#${el.id}.${el.className}` };
        }
      }
      out.push(`document ${doc.scrollWidth} px in a ${window.innerWidth} px window` +
        (widest ? ` (${widest.what} ends at ${Math.round(widest.r)})` : ''));
    }
    for (const t of document.querySelectorAll('table')) {
      const box = t.parentElement;
      if (t.closest('template') || t.getClientRects().length === 0) continue;
      if (box.scrollWidth > box.clientWidth + 1) {
        out.push(`table#${t.id}.${t.className} scrolls sideways (${box.scrollWidth} in ${box.clientWidth})`);
      }
    }
    return out;
  });
}

// axe-core's serious and critical violations on the page.
async function axe() {
  const found = await page.evaluate(async (src) => {
    if (!window.axe) (0, eval)(src);
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, AXE);
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// The page at both widths: no sideways scroll, no serious axe finding.
async function check(url, name, extra) {
  for (const width of [PHONE, DESKTOP]) {
    await page.setViewportSize({ width, height: 860 });
    await page.goto(`${env.base}${url}`);
    assert.deepEqual(await overflow(), [], `${url} at ${width} px fits`);
    assert.deepEqual(await axe(), [], `${url} at ${width} px: axe`);
    if (extra) await extra(width);
    await screenshot(page, `layout-${name}-${width}`);
  }
}

test('setup page', async () => {
  await check('/setup', 'setup');
  await page.fill('#f-code', env.code());
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  assert.equal(new URL(page.url()).pathname, '/');
});

test('sign-in page', async () => {
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
  await check('/login', 'login');
  await signIn(page, env.base);
  assert.equal(new URL(page.url()).pathname, '/');
});

test('a configuration like a real one, reported by two agents', async () => {
  const cfg = example();
  cfg.containers.push({ host: 'nas', name: LONG, active: true, display_name: 'Transcoder', order: 40,
    allowed_actions: ['restart', 'logs'], info: { enabled: false, text: '' },
    alerts: ['crash'], roles: {} });
  for (const s of ['containers', 'channels', 'admins', 'spam', 'tasks']) env.set(s, cfg[s]);
  const local = fakePeer(env, 'docker', 'local');
  const nas = fakePeer(env, 'docker', 'nas');
  local.report('status', statusBody('local', { plex: 'running', valheim: 'exited' }));
  nas.report('status', statusBody('nas', { nextcloud: 'running', 'nextcloud-db': 'exited', [LONG]: 'running' }));
  await waitFor(async () => {
    await page.goto(`${env.base}/`);
    return (await page.$$('#dashboard tr[data-container]')).length >= 5;
  }, 'both agents on the dashboard', 15000, 300);
  // an action, so that the activity has one
  const r = await page.evaluate(async () => {
    const csrf = document.querySelector('input[name=csrf]').value;
    const res = await fetch('/api/action', {
      method: 'POST', body: JSON.stringify({ host: 'nas', container: 'nextcloud', action: 'restart' }),
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    });
    return res.status;
  });
  assert.equal(r, 200);
});

const PAGES = [
  ['/', 'dashboard'], ['/bot', 'bot'], ['/containers', 'containers'], ['/channels', 'channels'],
  ['/admins', 'admins'], ['/cooldowns', 'cooldowns'], ['/tasks', 'tasks'], ['/alerts', 'alerts'],
  ['/watchdog', 'watchdog'], ['/docker', 'docker'], ['/webui', 'webui'], ['/password', 'password'],
  ['/history', 'history'], ['/activity', 'activity'], ['/logs?host=nas&name=nextcloud', 'logs'],
  ['/no-such-page', 'not-found'],
];

for (const [url, name] of PAGES) {
  test(`${name}: fits 390 and 1280 px, no serious accessibility violation`, async () => {
    await check(url, name);
  });
}

test('a history entry with its diff', async () => {
  await page.goto(`${env.base}/history`);
  const href = await page.getAttribute('#history tbody tr:nth-child(2) a', 'href');
  await check(href, 'history-entry');
});

test('phone: a table row is a card whose values carry their column names', async () => {
  await page.setViewportSize({ width: PHONE, height: 860 });
  await page.goto(`${env.base}/tasks`);
  const task = page.locator('#tasks-table tbody tr').first();
  for (const field of ['time', 'cycle']) {
    const input = task.locator(`[name$=".${field}"]`);
    assert.ok(await input.isVisible(), `the task's ${field} shows`);
    const box = await input.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE, `the task's ${field} is within the screen`);
  }
  const label = await task.locator('td[data-field$=".time"]').evaluate(
    (td) => getComputedStyle(td, '::before').content);
  assert.match(label, /Time/);
  await page.goto(`${env.base}/`);
  const { heads, labels } = await page.$eval('#dashboard section.host table.list', (t) => ({
    heads: [...t.querySelectorAll('th')].map((th) => th.textContent),
    labels: [...t.querySelectorAll('tbody tr:first-child td')].map((td) => td.getAttribute('data-label')),
  }));
  assert.equal(labels[0], null, 'the first cell is the card\'s title');
  assert.deepEqual(labels.slice(1), heads.slice(1), 'each value is named as its column');
  const rows = await page.$$eval('#dashboard tr[data-container]', (trs) => trs.map((tr) => tr.getBoundingClientRect().width));
  assert.ok(rows.every((w) => w <= PHONE), `cards within the screen: ${rows}`);
});

test('phone: the menu button opens and closes the navigation', async () => {
  await page.setViewportSize({ width: PHONE, height: 860 });
  await page.goto(`${env.base}/channels`);
  const toggle = page.locator('#nav-toggle');
  assert.ok(await toggle.isVisible());
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(await toggle.getAttribute('aria-controls'), 'nav');
  const header = await page.locator('header.top').boundingBox();
  assert.ok(header.height <= 64, `the closed header is one row (${header.height} px)`);
  assert.equal(await page.locator('#nav a[data-nav="history"]').isVisible(), false);
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await page.locator('#nav a[data-nav="history"]').waitFor({ state: 'visible' });
  assert.deepEqual(await overflow(), []);
  await screenshot(page, 'layout-nav-open-390');
  await page.keyboard.press('Escape');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('#nav a[data-nav="history"]').isVisible(), false);
  await toggle.click();
  await Promise.all([page.waitForNavigation(), page.click('#nav a[data-nav="history"]')]);
  assert.equal(new URL(page.url()).pathname, '/history');
  // at desktop width the links show and the button does not
  await page.setViewportSize({ width: DESKTOP, height: 860 });
  assert.equal(await toggle.isVisible(), false);
  assert.ok(await page.locator('#nav a[data-nav="activity"]').isVisible());
});

test('phone without the script: the navigation scrolls by itself, the page does not', async () => {
  const nojs = await env.browser('nojs', { javaScriptEnabled: false, viewport: { width: PHONE, height: 860 } });
  await signIn(nojs, env.base);
  await nojs.goto(`${env.base}/tasks`);
  assert.equal(await nojs.locator('#nav-toggle').isVisible(), false, 'no button that would do nothing');
  const fits = await nojs.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(fits, 'the page does not scroll sideways');
  const nav = await nojs.$eval('#nav', (n) => ({ sw: n.scrollWidth, cw: n.clientWidth,
    ox: getComputedStyle(n).overflowX }));
  assert.equal(nav.ox, 'auto');
  assert.ok(nav.sw > nav.cw, 'the links go on past the screen, in the row');
  const header = await nojs.locator('header.top').boundingBox();
  assert.ok(header.height <= 110, `the header stays compact (${header.height} px)`);
  // the current page's link is scrolled into view by the page itself? no
  // script: it is at least reachable, and the row is keyboard-focusable
  await nojs.locator('#nav a[data-nav="activity"]').scrollIntoViewIfNeeded();
  assert.ok(await nojs.locator('#nav a[data-nav="activity"]').isVisible());
  await screenshot(nojs, 'layout-nojs-tasks-390');
});
