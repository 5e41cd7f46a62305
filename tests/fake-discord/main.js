'use strict';
// Entry point: command-line options, wiring of the modules into one HTTP
// server (REST under /api/v10, control API under /_control, the gateway as
// WebSocket upgrades on /gateway, /resume and /), the "listening" line, and
// a clean stop on SIGTERM/SIGINT.

const http = require('http');
const { Snowflakes } = require('./snowflake');
const { EventLog } = require('./eventlog');
const { Store } = require('./store');
const { RateLimiter } = require('./ratelimit');
const { Gateway, PRIVILEGED, appFlags, privilegedMask } = require('./gateway');
const { Messages } = require('./messages');
const { Commands } = require('./commands');
const { Interactions } = require('./interactions');
const { Rest } = require('./rest');
const { Control } = require('./control');
const { sendJson } = require('./http');

const USAGE = `usage: fake-discord --port PORT [--host 127.0.0.1] [options]

A fake Discord (REST /api/v10, gateway, test control API /_control/) for tests.
Prints "fake-discord listening on http://HOST:PORT" when ready; stops on SIGTERM.

  --port N                  port to listen on (0 = pick a free one; default $FAKE_PORT)
  --host H                  address to bind (default 127.0.0.1)
  --heartbeat-interval MS   HELLO heartbeat_interval (default 41250)
  --heartbeat-timeout MS    close a connection with 4009 when no heartbeat came for
                            this long (default 1.5 x interval)
  --interaction-deadline MS first interaction response deadline (default 3000)
  --identify-interval MS    minimum time between IDENTIFYs, else op 9 (default 5000)
  --resume-window MS        how long a disconnected session stays resumable (default 180000)
  --route-limit N           requests per REST bucket window (default 5)
  --route-window MS         REST bucket window (default 5000)
  --global-limit N          requests per second per bot, interactions exempt (default 50)
  --privileged-intents L    privileged intents enabled "in the portal": a comma list of
                            members, presences, message_content, or "none"
                            (default members,message_content)
                            (also changed live: POST /_control/app-intents)
  --heartbeat-request-deadline MS
                            a client must answer op 1 with a heartbeat within this
                            (default 1000); a late or missing answer is logged
  --max-messages N          messages kept per channel (default 200)
  --no-ua-check             accept any User-Agent on REST
  --exit-with-stdin         stop when standard input closes (for test harnesses, so
                            that a killed test run leaves no fake behind)
  -h, --help                this text

Environment: FAKE_TOKEN is the one valid bot token (unset: any non-empty token);
FAKE_PORT is the default port.`;

function parseArgs(argv) {
    const o = {
        port: process.env.FAKE_PORT, host: '127.0.0.1', heartbeatInterval: 41250, heartbeatTimeout: null,
        deadline: 3000, identifyInterval: 5000, resumeWindow: 180000, routeLimit: 5, routeWindow: 5000,
        globalLimit: 50, privileged: PRIVILEGED.members | PRIVILEGED.message_content, maxMessages: 200, uaCheck: true,
        heartbeatRequestDeadline: 1000,
    };
    const num = (name, v, min) => {
        const n = Number(v);
        if (v === undefined || !Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}`);
        return n;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const v = () => argv[++i];
        switch (a) {
        case '-h': case '--help': o.help = true; break;
        case '--port': o.port = v(); break;
        case '--host': o.host = v(); if (!o.host) throw new Error('--host needs an address'); break;
        case '--heartbeat-interval': o.heartbeatInterval = num(a, v(), 10); break;
        case '--heartbeat-timeout': o.heartbeatTimeout = num(a, v(), 10); break;
        case '--interaction-deadline': o.deadline = num(a, v(), 1); break;
        case '--identify-interval': o.identifyInterval = num(a, v(), 0); break;
        case '--resume-window': o.resumeWindow = num(a, v(), 0); break;
        case '--route-limit': o.routeLimit = num(a, v(), 1); break;
        case '--route-window': o.routeWindow = num(a, v(), 1); break;
        case '--global-limit': o.globalLimit = num(a, v(), 1); break;
        case '--max-messages': o.maxMessages = num(a, v(), 1); break;
        case '--heartbeat-request-deadline': o.heartbeatRequestDeadline = num(a, v(), 1); break;
        case '--no-ua-check': o.uaCheck = false; break;
        case '--exit-with-stdin': o.exitWithStdin = true; break;
        case '--privileged-intents': {
            o.privileged = privilegedMask(String(v() ?? '').split(','));
            break;
        }
        default: throw new Error(`unknown argument ${a}`);
        }
    }
    if (!o.help) {
        if (o.port === undefined || o.port === '') throw new Error('--port is required (or set FAKE_PORT)');
        o.port = num('--port', o.port, 0);
        if (o.port > 65535) throw new Error('--port must be <= 65535');
    }
    return o;
}

function createFake(o) {
    const validToken = process.env.FAKE_TOKEN;
    const checkToken = (t) => typeof t === 'string' && t.length > 0 && (validToken ? t === validToken : true);
    const log = new EventLog();
    const sf = new Snowflakes();
    const store = new Store({ snowflakes: sf, maxMessagesPerChannel: o.maxMessages, appFlags: appFlags(o.privileged) });
    const limiter = new RateLimiter({ routeLimit: o.routeLimit, routeWindowMs: o.routeWindow, globalLimit: o.globalLimit, log });
    const gateway = new Gateway({ log, store, checkToken, heartbeatInterval: o.heartbeatInterval,
        heartbeatTimeout: o.heartbeatTimeout, identifyIntervalMs: o.identifyInterval,
        resumeWindowMs: o.resumeWindow, privilegedIntents: o.privileged,
        heartbeatRequestDeadline: o.heartbeatRequestDeadline });
    const messages = new Messages({ store, gateway });
    const commands = new Commands({ store });
    const interactions = new Interactions({ store, gateway, messages, sf, log, deadlineMs: o.deadline });
    const rest = new Rest({ store, gateway, limiter, log, checkToken, uaCheck: o.uaCheck,
        modules: [messages, commands, interactions] });
    const control = new Control({ store, gateway, interactions, limiter, log, rest });

    const server = http.createServer((req, res) => {
        let url;
        try { url = new URL(req.url, 'http://x'); } catch { res.writeHead(400).end(); return; }
        if (url.pathname.startsWith('/api/')) {
            rest.handle(req, res, url);
        } else if (url.pathname.startsWith('/_control/')) {
            control.handle(req, res, url);
        } else {
            req.resume();
            sendJson(res, 404, { message: '404: Not Found', code: 0 });
        }
    });
    server.maxConnections = 256;
    server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
    server.on('clientError', (err, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); });
    return { server, gateway, log };
}

function main() {
    let o;
    try {
        o = parseArgs(process.argv.slice(2));
    } catch (err) {
        process.stderr.write(`fake-discord: ${err.message}\n${USAGE}\n`);
        process.exit(2);
    }
    if (o.help) { process.stdout.write(`${USAGE}\n`); return; }
    const { server, gateway } = createFake(o);
    server.on('error', (err) => {
        process.stderr.write(`fake-discord: ${err.message}\n`);
        process.exit(1);
    });
    server.listen(o.port, o.host, () => {
        const port = server.address().port;
        const host = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host;
        const h = host.includes(':') ? `[${host}]` : host;
        gateway.setBaseUrl(`ws://${h}:${port}`);
        process.stdout.write(`fake-discord listening on http://${h}:${port}\n`);
    });
    let stopping = false;
    const stop = () => {
        if (stopping) return;
        stopping = true;
        gateway.shutdown();
        server.close(() => process.exit(0));
        server.closeAllConnections();
        setTimeout(() => process.exit(0), 1000).unref();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    if (o.exitWithStdin) {
        process.stdin.on('end', stop);
        process.stdin.on('error', stop);
        process.stdin.resume();
    }
}

if (require.main === module) main();

module.exports = { createFake, parseArgs };
