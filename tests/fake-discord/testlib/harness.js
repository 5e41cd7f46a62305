'use strict';
// Test helpers: start the fake as a child process through scripts/fake-discord
// (on a free port, with FAKE_TOKEN), call its control API, and a raw gateway
// client (ws + Node's zlib) for protocol probes discord.js does not make.

const { spawn } = require('child_process');
const path = require('path');
const zlib = require('zlib');
const WebSocket = require('ws');

const ROOT = path.resolve(__dirname, '../../..');
const LAUNCHER = path.join(ROOT, 'scripts', 'fake-discord');
const TOKEN = 'fake-token-for-tests.ZZZZZZ.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const UA = 'DiscordBot (https://example.invalid/ddc-tests, 1.0)';
const IDS = {
    app: '1100000000000000001', bot: '1100000000000000001', guild: '1100000000000000100',
    channel: '1100000000000000200', channel2: '1100000000000000201', human: '1100000000000000300',
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(fn, { timeout = 5000, interval = 25, what = 'condition' } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
        await sleep(interval);
    }
}

class Fake {
    constructor(proc, url) {
        this.proc = proc;
        this.url = url;
        this.port = Number(new URL(url).port);
        this.api = `${url}/api`;
        this.stderr = '';
        this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    }

    async controlRaw(name, body = {}) {
        const r = await fetch(`${this.url}/_control/${name}`, { method: 'POST', body: JSON.stringify(body),
            headers: { 'content-type': 'application/json' } });
        const text = await r.text();
        return { status: r.status, body: text ? JSON.parse(text) : null };
    }

    async control(name, body = {}) {
        const r = await this.controlRaw(name, body);
        if (r.status !== 200) throw new Error(`control ${name} -> ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
    }

    state() { return this.control('state'); }

    log() { return this.control('log'); }

    async waitLog(pred, opts = {}) {
        return waitFor(async () => (await this.log()).find(pred), { what: 'a log entry', ...opts });
    }

    // A REST call as a well-behaved bot would make it.
    async rest(method, p, { body, token = TOKEN, headers = {}, raw } = {}) {
        const h = { 'user-agent': UA, ...headers };
        if (token) h.authorization = `Bot ${token}`;
        let payload;
        if (raw !== undefined) payload = raw;
        else if (body !== undefined) { payload = JSON.stringify(body); h['content-type'] = 'application/json'; }
        const r = await fetch(`${this.api}/v10${p}`, { method, headers: h, body: payload });
        const text = await r.text();
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = text; }
        return { status: r.status, headers: r.headers, body: json };
    }

    async stop() {
        if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
        return this.exited;
    }
}

// Start scripts/fake-discord --port 0 ARGS; resolves once it printed its line.
function startFake(args = [], { token = TOKEN } = {}) {
    return new Promise((resolve, reject) => {
        const env = { ...process.env };
        if (token === null) delete env.FAKE_TOKEN; else env.FAKE_TOKEN = token;
        // --exit-with-stdin: the fake stops when this process dies, whatever happens.
        const proc = spawn(LAUNCHER, ['--port', '0', '--exit-with-stdin', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`fake-discord did not start: ${err}`)); }, 10000);
        proc.stderr.on('data', (d) => { err += d; if (fake) fake.stderr += d; });
        let fake = null;
        proc.stdout.on('data', (d) => {
            out += d;
            const m = /^fake-discord listening on (http:\/\/127\.0\.0\.1:[0-9]+)\n/m.exec(out);
            if (m && !fake) {
                clearTimeout(timer);
                fake = new Fake(proc, m[1]);
                fake.stderr = err;
                fake.stdoutFirst = out;
                resolve(fake);
            }
        });
        proc.on('exit', (code) => { if (!fake) { clearTimeout(timer); reject(new Error(`fake-discord exited ${code}: ${err}`)); } });
    });
}

// ---- raw gateway client ---------------------------------------------------------
class RawGateway {
    constructor(url, { compress = false } = {}) {
        this.frames = []; // {binary, data}
        this.inbox = [];
        this.waiters = [];
        this.compress = compress;
        this.ws = new WebSocket(url);
        this.opened = new Promise((resolve, reject) => {
            this.ws.once('open', resolve);
            this.ws.once('error', reject);
            this.ws.once('unexpected-response', (req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        });
        this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => {
            this.closeInfo = { code, reason: reason.toString() };
            resolve(this.closeInfo);
            this.wake();
        }));
        this.ws.on('error', () => {});
        if (compress) {
            this.inflate = zlib.createInflate();
            this.zout = [];
            this.inflate.on('data', (c) => this.zout.push(c));
            this.zchain = Promise.resolve();
        }
        this.ws.on('message', (data, isBinary) => {
            this.frames.push({ binary: isBinary, data: Buffer.from(data) });
            if (this.compress) {
                this.zchain = this.zchain.then(() => new Promise((resolve) => {
                    this.inflate.write(data);
                    this.inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
                        const text = Buffer.concat(this.zout).toString('utf8');
                        this.zout = [];
                        this.push(JSON.parse(text));
                        resolve();
                    });
                }));
            } else if (isBinary) {
                this.push(JSON.parse(zlib.inflateSync(data).toString('utf8')), true);
            } else {
                this.push(JSON.parse(data.toString('utf8')));
            }
        });
    }

    push(p, compressed = false) {
        if (compressed) Object.defineProperty(p, 'compressed', { value: true });
        this.inbox.push(p);
        this.wake();
    }

    wake() {
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
    }

    // The first received payload matching pred (removed from the inbox).
    async next(pred = () => true, timeout = 5000) {
        const end = Date.now() + timeout;
        for (;;) {
            const i = this.inbox.findIndex(pred);
            if (i !== -1) return this.inbox.splice(i, 1)[0];
            if (this.closeInfo) throw new Error(`gateway closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting`);
            const left = end - Date.now();
            if (left <= 0) throw new Error('timed out waiting for a gateway payload');
            await new Promise((resolve) => {
                const t = setTimeout(resolve, left);
                this.waiters.push(() => { clearTimeout(t); resolve(); });
            });
        }
    }

    op(op, timeout) { return this.next((p) => p.op === op, timeout); }

    dispatch(t, timeout) { return this.next((p) => p.op === 0 && p.t === t, timeout); }

    send(obj) { this.ws.send(JSON.stringify(obj)); }

    sendRaw(data, binary = false) { this.ws.send(data, { binary }); }

    close(code = 4000) { this.ws.close(code); return this.closed; }

    async closedWith(timeout = 5000) {
        return Promise.race([this.closed, sleep(timeout).then(() => { throw new Error('gateway not closed in time'); })]);
    }
}

async function rawConnect(fake, { path: p = '/gateway', query = 'v=10&encoding=json', compress = false } = {}) {
    const q = compress ? `${query}&compress=zlib-stream` : query;
    const g = new RawGateway(`ws://127.0.0.1:${fake.port}${p}?${q}`, { compress });
    await g.opened;
    return g;
}

function identifyPayload(extra = {}) {
    return { op: 2, d: { token: TOKEN, intents: 1, properties: { os: 'linux', browser: 'raw', device: 'raw' }, ...extra } };
}

// Connect, IDENTIFY, read READY and GUILD_CREATE.
async function rawSession(fake, opts = {}) {
    const g = await rawConnect(fake, opts);
    const hello = await g.op(10);
    g.send(identifyPayload(opts.identify));
    const ready = await g.dispatch('READY');
    const guild = await g.dispatch('GUILD_CREATE');
    return { g, hello, ready, guild };
}

module.exports = { startFake, rawConnect, rawSession, identifyPayload, RawGateway, waitFor, sleep, TOKEN, UA, IDS, ROOT };
