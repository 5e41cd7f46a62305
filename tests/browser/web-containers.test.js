'use strict';
// The containers page with 1,000 containers found by five Docker agents
// (fake docker@ peers speaking DDCP/1) and a few configured ones:
//  - the configured containers and the found ones are two lists; the found
//    ones come 50 a page;
//  - with the script: the search filters both as you type (the found ones
//    from the server, the page not reloaded), the page links turn pages in
//    place, "Add" moves a found container into the form, which saves;
//  - without the script: the search box, the page links and "Add" work
//    as plain links and forms, and the form saves;
//  - every input has an accessible name.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Env, PASSWORD, screenshot, waitFor, fakePeer } = require('./harness');

const AGENTS = 5;
const PER_AGENT = 200;

let env;
let page;
const agents = [];

function container(h, i) {
  return { name: `svc-${h}-${String(i).padStart(3, '0')}`, id: `c${h}-${i}-`.padEnd(64, 'f'),
    image: `example/img-${i % 5}`, state: i % 4 === 0 ? 'exited' : 'running', status: 'Up',
    created: null };
}

before(async () => {
  env = new Env('containers');
  await env.start();
  page = await env.browser('containers');
  await page.goto(`${env.base}/setup`);
  await page.fill('#f-code', env.code());
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
  env.set('containers', [{ host: 'h1', name: 'svc-1-001', display_name: 'First', order: 1 },
    { host: 'h2', name: 'svc-2-002', display_name: 'Second', order: 2 }]);
  for (let h = 1; h <= AGENTS; h++) {
    const a = fakePeer(env, 'docker', `h${h}`);
    const containers = [];
    for (let i = 1; i <= PER_AGENT; i++) containers.push(container(h, i));
    a.report('inventory', { host: `h${h}`, time: new Date().toISOString(), reachable: true,
      containers, truncated: false });
    agents.push(a);
  }
  await waitFor(async () => {
    await page.goto(`${env.base}/containers`);
    return (await page.getAttribute('#discovered', 'data-total')) === String(AGENTS * PER_AGENT - 2);
  }, 'the agents\' containers on the page', 15000, 300);
});

after(async () => {
  const errors = page ? page.errors : [];
  for (const a of agents) await a.proc.stop();
  const r = await env.stop();
  assert.deepEqual(errors, [], 'no script errors');
  assert.equal(r['ddc-web'].code, 0, 'ddc-web stops cleanly');
});

async function unlabelled(p) {
  return p.$$eval('input:not([type=hidden]), select, textarea', (els) => els
    .filter((el) => !el.closest('template'))
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map((el) => el.name || el.id));
}

test('two lists, 50 found ones a page, every input labelled', async () => {
  await page.goto(`${env.base}/containers`);
  assert.equal(await page.$$eval('#containers-table tbody tr', (r) => r.length), 2);
  assert.equal(await page.$$eval('#discovered tr.discovered', (r) => r.length), 50);
  assert.deepEqual(await unlabelled(page), []);
  const size = await page.evaluate(() => document.documentElement.outerHTML.length);
  assert.ok(size < 200 * 1024, `page ${size} bytes`);
  await screenshot(page, 'containers-scale');
});

test('with the script: search as you type, pages and add in place', async () => {
  await page.goto(`${env.base}/containers`);
  await page.evaluate(() => { window.notReloaded = true; });
  // h3's exited ones: 50 of 200
  await page.fill('#containers-q', 'h3 exited');
  await page.waitForSelector('#discovered[data-matched="50"]');
  assert.equal(await page.$$eval('#discovered tr.discovered', (r) => r.length), 50);
  assert.ok((await page.$$eval('#discovered tr.discovered td.mono', (c) => c.map((x) => x.textContent)))
    .every((h) => h === 'h3'));
  // the configured rows that do not match are hidden, not removed
  assert.equal(await page.$$eval('#containers-table tbody tr:not([hidden])', (r) => r.length), 0);
  assert.equal(await page.$$eval('#containers-table tbody tr[hidden]', (r) => r.length), 2);
  assert.match(page.url(), /\?q=h3%20exited$/);
  await page.fill('#containers-q', 'svc-2-0');
  await page.waitForSelector('#discovered[data-matched="98"]');
  assert.equal(await page.$$eval('#containers-table tbody tr:not([hidden])', (r) => r.length), 1);
  // the next page, in place
  await page.click('#discovered nav.pager a[rel="next"]');
  await page.waitForSelector('#discovered[data-page="2"]');
  assert.equal(await page.$$eval('#discovered tr.discovered', (r) => r.length), 48);
  // add one: a configured row, no longer offered, saved with the form
  await page.click('#discovered a.add[data-name="svc-2-099"]');
  assert.equal(await page.inputValue('#containers-table tr.added input[name$=".name"]'), 'svc-2-099');
  assert.equal(await page.$('#discovered a.add[data-name="svc-2-099"]'), null);
  await page.fill('#containers-table tr.added input[name$=".display_name"]', 'Ninety-nine');
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'no reload');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  const saved = env.get('containers');
  assert.deepEqual(saved.map((c) => c.name), ['svc-1-001', 'svc-2-002', 'svc-2-099']);
  assert.equal(saved[2].display_name, 'Ninety-nine');
  assert.equal(saved[2].host, 'h2');
  assert.equal(saved[0].display_name, 'First', 'the hidden rows were saved as they were');
  await page.waitForSelector(`#discovered[data-total="${AGENTS * PER_AGENT - 3}"]`);
});

test('without the script: search, pages and add are links and forms', async () => {
  const plain = await env.browser('plain', { javaScriptEnabled: false });
  await plain.goto(`${env.base}/login`);
  await plain.fill('#f-password', PASSWORD);
  await Promise.all([plain.waitForNavigation(), plain.click('#login')]);
  await plain.goto(`${env.base}/containers`);
  await plain.fill('#containers-q', 'svc-4-01');
  await Promise.all([plain.waitForNavigation(), plain.click('#containers-search button')]);
  assert.match(plain.url(), /\/containers\?q=svc-4-01$/);
  assert.equal(await plain.getAttribute('#discovered', 'data-matched'), '10');
  await Promise.all([plain.waitForNavigation(), plain.click('#containers-q-clear')]);
  await Promise.all([plain.waitForNavigation(), plain.click('#discovered nav.pager a[rel="last"]')]);
  const last = Math.ceil((AGENTS * PER_AGENT - 3) / 50);
  assert.equal(await plain.getAttribute('#discovered', 'data-page'), String(last));
  // add: the page comes back with the row in the form, saved on "Save"
  const name = await plain.getAttribute('#discovered tr.discovered:last-child a.add', 'data-name');
  await Promise.all([plain.waitForNavigation(),
    plain.click('#discovered tr.discovered:last-child a.add')]);
  assert.equal(await plain.$$eval('#containers-table tbody tr', (r) => r.length), 4);
  assert.deepEqual(await unlabelled(plain), []);
  await Promise.all([plain.waitForNavigation(), plain.click('#save')]);
  await plain.waitForSelector('#acks');
  assert.ok(env.get('containers').some((c) => c.name === name && c.host === `h${AGENTS}`));
  assert.equal(env.get('containers').length, 4);
});
