'use strict';
// Shared pieces of the ddc-web browser tests (tests/browser/*.test.js):
// real processes (ddc-broker, ddc-web, optionally ddc-docker) in a fresh
// temp folder on free ports, Debian's Chromium driven by playwright-core
// with a fresh --user-data-dir per browser, ddc-ctl to check what the
// broker holds, and a fake Docker agent (python3-zmq speaking DDCP/1 as
// docker@HOST) for live status without Docker. Every process started here
// is stopped by its PID.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = process.env.DDC_BIN || path.join(ROOT, 'build', 'bin');
const CHROMIUM = process.env.DDC_CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'Correct-Horse-42';
// DDC_SCREENSHOTS=1: what the tests see, for a look (the README's images
// come from scripts/screenshots.js, a real system).
const SHOTS = path.join(ROOT, 'build', 'test-screenshots');

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(fn, what, timeout = 15000, step = 100) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(step);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function httpGet(port, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

class Proc {
  constructor(name, args, logPath, opts = {}) {
    this.name = name;
    this.logPath = logPath;
    const log = fs.openSync(logPath, 'a');
    this.child = spawn(args[0], args.slice(1), {
      stdio: [opts.stdin || 'ignore', log, log],
      env: { ...process.env, ...(opts.env || {}) },
    });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, sig) => resolve({ code, sig })));
  }

  get pid() { return this.child.pid; }

  async stop(timeout = 10000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeout);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }

  log() {
    try { return fs.readFileSync(this.logPath, 'utf8'); } catch (e) { return ''; }
  }
}

// A broker + ddc-web pair in a fresh temp folder; opts.webArgs are more
// ddc-web flags (e.g. ['--log-idle', '3']).
class Env {
  constructor(tag, opts = {}) {
    this.webArgs = opts.webArgs || [];
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `ddcweb-${tag}-`));
    this.ctl = `ipc://${this.tmp}/ctl.sock`;
    this.procs = [];
    this.contexts = [];
  }

  async start() {
    this.broker = this.spawn('ddc-broker', [path.join(BIN, 'ddc-broker'), '--data', path.join(this.tmp, 'data'),
      '--ctl', this.ctl, '--pub', `ipc://${this.tmp}/pub.sock`]);
    await waitFor(() => { this.ctlRun(['ping']); return true; }, 'the broker');
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    // the setup code is the broker's, in its data folder
    this.codeFile = path.join(this.tmp, 'data', 'web-setup-code');
    this.web = this.spawn('ddc-web', [path.join(BIN, 'ddc-web'), '--broker', this.ctl,
      '--listen', `127.0.0.1:${this.port}`,
      '--instance', 'browser', '--pidfile', path.join(this.tmp, 'web.pid'), ...this.webArgs]);
    await waitFor(async () => (await httpGet(this.port, '/health')).status === 200, 'ddc-web /health', 20000);
    return this;
  }

  spawn(name, args, opts) {
    const p = new Proc(name, args, path.join(this.tmp, `${name}.log`), opts);
    this.procs.push(p);
    return p;
  }

  ctlRun(args) {
    return execFileSync(path.join(BIN, 'ddc-ctl'), ['--broker', this.ctl, '--timeout', '3', ...args],
      { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  }

  // The current value of a section, as ddc-ctl prints it (secrets "***").
  get(section) {
    return JSON.parse(this.ctlRun(['get', section, '--compact'])).value;
  }

  // The revision at which a section last changed.
  rev(section) {
    return JSON.parse(this.ctlRun(['get', section, '--compact'])).section_rev;
  }

  set(section, value) {
    const file = path.join(this.tmp, `set-${section}.json`);
    fs.writeFileSync(file, JSON.stringify(value));
    return this.ctlRun(['set', section, file]);
  }

  code() {
    return fs.readFileSync(this.codeFile, 'utf8').trim();
  }

  // A Chromium with its own fresh profile folder (one session each);
  // opts go to playwright's context (e.g. javaScriptEnabled: false).
  async browser(name, opts = {}) {
    const dir = fs.mkdtempSync(path.join(this.tmp, `profile-${name}-`));
    const ctx = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking'],
      viewport: { width: 1360, height: 900 },
      ...opts,
    });
    ctx.setDefaultTimeout(15000);
    this.contexts.push(ctx);
    const page = ctx.pages()[0] || await ctx.newPage();
    page.on('dialog', (d) => d.accept());
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(String(e)));
    // an error page's own status (403, 422...) is not a script error
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of [45]\d\d/.test(m.text())) {
        page.errors.push(m.text());
      }
    });
    return page;
  }

  // Stops everything; the temp folder goes too unless DDC_KEEP_TMP is set.
  async stop() {
    for (const ctx of this.contexts) await ctx.close().catch(() => {});
    const results = {};
    for (const p of this.procs.slice().reverse()) results[p.name] = await p.stop();
    if (!process.env.DDC_KEEP_TMP) fs.rmSync(this.tmp, { recursive: true, force: true });
    return results;
  }
}

async function signIn(page, base, password = PASSWORD) {
  await page.goto(`${base}/login`);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForNavigation(), page.click('#login')]);
}

// The first run: the setup page with the broker's code sets the password
// and signs page in.
async function setUp(env, page, password = PASSWORD) {
  await page.goto(`${env.base}/setup`);
  await page.fill('#f-code', env.code());
  await page.fill('#f-password', password);
  await page.fill('#f-confirm', password);
  await Promise.all([page.waitForNavigation(), page.click('#setup')]);
}

async function screenshot(page, name) {
  if (!process.env.DDC_SCREENSHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// A fake service peer (a ddc-docker or ddc-discord stand-in): says HELLO as
// ROLE@NAME, pings every second, and turns each JSON line written to it into
// a REPORT ({"topic", "body"}), an APPLIED ({"applied": [section, rev]}) or a
// REJECTED ({"rejected": [section, rev, running_rev, errors]}). As docker it
// answers every ACTION with success ("state": "running").
const FAKE_AGENT = `
import json, os, signal, sys, time, zmq, select
ctl, role, host = sys.argv[1], sys.argv[2], sys.argv[3]
def on_term(signum, frame):
    raise SystemExit(0)
signal.signal(signal.SIGTERM, on_term)
s = zmq.Context.instance().socket(zmq.DEALER)
s.setsockopt(zmq.LINGER, 0)
s.connect(ctl)
n = 0
def send(*frames):
    global n
    n += 1
    s.send_multipart([f.encode() if isinstance(f, str) else f for f in frames])
def rid():
    return "fake-%d-%d" % (time.time_ns(), n)
def handle(line):
    msg = json.loads(line)
    if "applied" in msg:
        send("APPLIED", rid(), msg["applied"][0], str(msg["applied"][1]))
    elif "rejected" in msg:
        sec, rev, running, errors = msg["rejected"]
        send("REJECTED", rid(), sec, str(rev), str(running), json.dumps(errors))
    else:
        send("REPORT", rid(), msg["topic"], json.dumps(msg["body"]))
    print("sent", line.strip()[:60], flush=True)
send("HELLO", rid(), "DDCP/1", role, host)
print("hello sent", flush=True)
last = 0
pending = b""
eof = False
try:
  while not eof:
      r, _, _ = select.select([0], [], [], 0.2)
      while s.getsockopt(zmq.EVENTS) & zmq.POLLIN:
          m = s.recv_multipart()
          if m[0] == b"ACTION" and role == "docker":
              # a Docker agent that does what it is asked at once
              body = json.loads(m[4])
              send("RESULT", m[1], json.dumps({"ok": True, "action": body.get("action"),
                   "container": body.get("container"), "host": host, "state": "running",
                   "duration_ms": 7}))
      if r:
          chunk = os.read(0, 65536)     # raw reads: no line left behind in a buffer
          eof = not chunk
          pending += chunk
          while b"\\n" in pending:
              line, pending = pending.split(b"\\n", 1)
              if line.strip():
                  handle(line.decode())
      if time.time() - last > 1:
          send("PING", rid(), "0")
          last = time.time()
finally:
  send("BYE", rid())
  s.close(linger=500)   # let the BYE out: the broker then shows us gone at once
`;

function fakePeer(env, role, name) {
  const p = env.spawn(`fake-${role}-${name}`, ['/usr/bin/python3', '-c', FAKE_AGENT, env.ctl, role, name],
    { stdin: 'pipe' });
  const line = (obj) => p.child.stdin.write(JSON.stringify(obj) + '\n');
  return {
    proc: p,
    report(topic, body) { line({ topic, body }); },
    applied(section, rev) { line({ applied: [section, rev] }); },
    rejected(section, rev, running, errors) { line({ rejected: [section, rev, running, errors] }); },
  };
}

// The fields of a Docker agent's "status" report for the given containers.
function statusBody(host, containers) {
  const out = {};
  for (const [name, state] of Object.entries(containers)) {
    out[name] = {
      exists: true, state, health: null, started_at: null, uptime_s: state === 'running' ? 3700 : null,
      cpu_percent: state === 'running' ? 1.5 : null, mem_bytes: state === 'running' ? 52428800 : null,
      mem_limit: null, image: 'ddc-busybox', active: true, updated: new Date().toISOString(),
    };
  }
  return { host, time: new Date().toISOString(),
    docker: { reachable: true, version: '20.10.24', api: '1.41', error: null, stats_interval_s: 10 },
    containers: out };
}

module.exports = {
  ROOT, BIN, PASSWORD, Env, signIn, setUp, screenshot, waitFor, sleep, httpGet, freePort, fakePeer,
  statusBody,
};
