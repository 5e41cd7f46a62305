'use strict';
// The gateway: WebSocket connections (HELLO, heartbeats and zombie
// detection, IDENTIFY/READY/GUILD_CREATE, RESUME with replay, op 7/op 9),
// gateway sessions (sequence numbers, bounded replay buffers, resumable
// window, dropped on 1000/1001), close codes for protocol errors,
// zlib-stream transport compression and identify payload compression, and
// the per-connection send limit (120 events / 60 s).

const crypto = require('crypto');
const zlib = require('zlib');
const { WebSocketServer } = require('ws');
const { IDS } = require('./snowflake');

const OP = { DISPATCH: 0, HEARTBEAT: 1, IDENTIFY: 2, PRESENCE: 3, VOICE_STATE: 4, RESUME: 6, RECONNECT: 7,
    REQUEST_MEMBERS: 8, INVALID_SESSION: 9, HELLO: 10, HEARTBEAT_ACK: 11, REQUEST_SOUNDBOARD: 31 };

const INTENT_BITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21, 24, 25];
const VALID_INTENTS = INTENT_BITS.reduce((m, b) => m | (2 ** b), 0);
const PRIVILEGED = { members: 1 << 1, presences: 1 << 8, message_content: 1 << 15 };

// Server-side closes after which the gateway session is gone.
const SERVER_DROP_CODES = new Set([1000, 1001, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014]);
const CLIENT_DROP_CODES = new Set([1000, 1001]);

const MAX_CLIENT_PAYLOAD = 4096;
const MAX_EVENTS_PER_MINUTE = 120;

// The application flags that say which privileged intents are enabled:
// GATEWAY_PRESENCE_LIMITED, GATEWAY_GUILD_MEMBERS_LIMITED,
// GATEWAY_MESSAGE_CONTENT_LIMITED.
function appFlags(privileged) {
    let f = 0;
    if (privileged & PRIVILEGED.presences) f |= 1 << 13;
    if (privileged & PRIVILEGED.members) f |= 1 << 15;
    if (privileged & PRIVILEGED.message_content) f |= 1 << 19;
    return f;
}

// A list of privileged intent names ("none" or empty for none) as a mask;
// throws on an unknown name.
function privilegedMask(names) {
    let mask = 0;
    for (const name of names.map((x) => String(x).trim()).filter((x) => x && x !== 'none')) {
        if (!Object.prototype.hasOwnProperty.call(PRIVILEGED, name)) throw new Error(`unknown privileged intent ${name}`);
        mask |= PRIVILEGED[name];
    }
    return mask;
}

function shardOf(guildId, count) {
    return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

class Gateway {
    constructor(opts) {
        this.opts = {
            heartbeatInterval: 41250,
            heartbeatTimeout: null,
            identifyIntervalMs: 5000,
            resumeWindowMs: 180000,
            maxConnections: 64,
            maxSessions: 100,
            replayMax: 1000,
            sessionStartTotal: 1000,
            privilegedIntents: PRIVILEGED.members | PRIVILEGED.message_content,
            heartbeatRequestDeadline: 1000,
            ...opts,
        };
        if (!this.opts.heartbeatTimeout) this.opts.heartbeatTimeout = Math.round(this.opts.heartbeatInterval * 1.5);
        this.log = opts.log;
        this.store = opts.store;
        this.checkToken = opts.checkToken;
        this.onDelivered = () => {};
        this.connections = new Set();
        this.sessions = new Map();
        this.nextConnId = 1;
        this.lastIdentifyAt = new Map();
        this.sessionStartRemaining = this.opts.sessionStartTotal;
        this.sessionStartResetAt = Date.now() + 86400000;
        this.wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false,
            clientTracking: false });
        this.baseUrl = null;
    }

    setBaseUrl(wsBase) { this.baseUrl = wsBase; }

    gatewayUrl() { return `${this.baseUrl}/gateway`; }

    resumeUrl() { return `${this.baseUrl}/resume`; }

    sessionStartLimit() {
        const now = Date.now();
        if (now >= this.sessionStartResetAt) {
            this.sessionStartRemaining = this.opts.sessionStartTotal;
            this.sessionStartResetAt = now + 86400000;
        }
        return { total: this.opts.sessionStartTotal, remaining: this.sessionStartRemaining,
            reset_after: Math.max(0, this.sessionStartResetAt - now), max_concurrency: 1 };
    }

    // ---- connection setup ------------------------------------------------------
    handleUpgrade(req, socket, head) {
        const url = new URL(req.url, 'http://x');
        const path = url.pathname;
        if (!['/gateway', '/resume', '/'].includes(path)) {
            socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
            return;
        }
        if (this.connections.size >= this.opts.maxConnections) {
            socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
            return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => this.onOpen(ws, path, url.searchParams));
    }

    onOpen(ws, path, params) {
        const conn = {
            id: this.nextConnId++, ws, path, query: Object.fromEntries(params), session: null, closing: null,
            deflate: null, payloadCompress: false, events: [], hbTimer: null, lastHeartbeatAt: null,
            openedAt: Date.now(), identifiedOnce: false,
            // op 1 from the server: the client must answer with a heartbeat at once.
            hbRequest: null, hbRequests: { sent: 0, answered: 0, missed: 0, last_ms: null },
        };
        this.connections.add(conn);
        this.log.add('gw_open', { conn: conn.id, path, query: conn.query });
        ws.on('message', (data, isBinary) => {
            try {
                this.onFrame(conn, data, isBinary);
            } catch (err) {
                // A bug in the fake must not take the whole server down.
                this.log.add('error', { where: 'gateway', conn: conn.id, error: String(err && err.stack || err) });
                process.stderr.write(`fake-discord: gateway error: ${err && err.stack || err}\n`);
                this.serverClose(conn, 4000, 'Unknown error.');
            }
        });
        ws.on('close', (code, reason) => this.onWsClose(conn, code, reason.toString()));
        ws.on('error', (err) => this.log.add('gw_error', { conn: conn.id, error: err.message }));

        const v = params.get('v');
        const encoding = params.get('encoding') || 'json';
        const compress = params.get('compress');
        if (compress === 'zlib-stream') this.startDeflate(conn);
        if (v !== '10') {
            this.serverClose(conn, 4012, 'Invalid API version');
            return;
        }
        if (encoding !== 'json') {
            this.serverClose(conn, 4002, `fake-discord: unsupported encoding ${encoding} (json only)`);
            return;
        }
        if (compress && compress !== 'zlib-stream') {
            this.serverClose(conn, 4002, `fake-discord: unsupported compress ${compress} (zlib-stream only)`);
            return;
        }
        this.send(conn, { op: OP.HELLO, d: { heartbeat_interval: this.opts.heartbeatInterval,
            _trace: ['["gateway-fake",{"micros":0}]'] }, s: null, t: null });
        this.armHeartbeat(conn);
    }

    armHeartbeat(conn) {
        clearTimeout(conn.hbTimer);
        conn.hbTimer = setTimeout(() => {
            // The client missed its heartbeat: a zombie. The session times out.
            this.log.add('gw_zombie', { conn: conn.id, last_heartbeat_at: conn.lastHeartbeatAt });
            this.serverClose(conn, 4009, 'Session timed out');
        }, this.opts.heartbeatTimeout);
    }

    // ---- sending ------------------------------------------------------------
    // zlib-stream: one deflate context per connection; each message is
    // written and then flushed with Z_SYNC_FLUSH, so every binary frame ends
    // with 00 00 ff ff. Compression is asynchronous, so the frames of a
    // connection (and its close) go through a promise chain to keep order.
    startDeflate(conn) {
        conn.deflate = zlib.createDeflate({ chunkSize: 64 * 1024 });
        conn.zout = [];
        conn.zchain = Promise.resolve();
        conn.deflate.on('data', (chunk) => conn.zout.push(chunk));
        conn.deflate.on('error', (err) => this.log.add('gw_error', { conn: conn.id, error: `deflate: ${err.message}` }));
    }

    queue(conn, fn) {
        conn.zchain = conn.zchain.then(fn).catch((err) =>
            this.log.add('gw_error', { conn: conn.id, error: String(err && err.message || err) }));
    }

    compressAndSend(conn, json) {
        this.queue(conn, () => new Promise((resolve) => {
            if (!conn.deflate) { resolve(); return; }
            conn.deflate.write(json);
            conn.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
                const out = Buffer.concat(conn.zout);
                conn.zout = [];
                if (conn.ws.readyState === 1) conn.ws.send(out, { binary: true });
                resolve();
            });
        }));
    }

    send(conn, payload) {
        if (conn.closing || conn.ws.readyState !== 1) return false;
        const json = JSON.stringify(payload);
        let bytes = json.length;
        if (conn.deflate) {
            this.compressAndSend(conn, json);
        } else if (conn.payloadCompress && payload.op === OP.DISPATCH && json.length >= 512) {
            // Identify `compress: true`: some payloads come as one zlib stream each.
            const data = zlib.deflateSync(Buffer.from(json));
            bytes = data.length;
            conn.ws.send(data, { binary: true });
        } else {
            conn.ws.send(json, { binary: false });
        }
        const e = { conn: conn.id, op: payload.op, bytes };
        if (payload.op === OP.DISPATCH) { e.t = payload.t; e.s = payload.s; } else { e.d = payload.d; }
        this.log.add('gw_out', e);
        return true;
    }

    // ---- closing ------------------------------------------------------------
    serverClose(conn, code, reason) {
        if (conn.closing) return;
        conn.closing = { by: 'server', code, reason };
        clearTimeout(conn.hbTimer);
        this.detachSession(conn, code, SERVER_DROP_CODES);
        const doClose = () => {
            try { conn.ws.close(code, reason); } catch { conn.ws.terminate(); }
            conn.killTimer = setTimeout(() => conn.ws.terminate(), 2000);
            conn.killTimer.unref();
        };
        if (conn.deflate) this.queue(conn, doClose); else doClose();
    }

    serverDrop(conn, why = 'drop') {
        if (conn.closing) return;
        conn.closing = { by: 'server', code: 1006, reason: why, drop: true };
        clearTimeout(conn.hbTimer);
        this.detachSession(conn, 1006, SERVER_DROP_CODES);
        conn.ws.terminate();
    }

    onWsClose(conn, code, reason) {
        clearTimeout(conn.hbTimer);
        if (conn.hbRequest) { clearTimeout(conn.hbRequest.timer); conn.hbRequest = null; }
        clearTimeout(conn.killTimer);
        this.connections.delete(conn);
        if (conn.deflate) { conn.deflate.close(); conn.deflate = null; }
        if (conn.closing) {
            this.log.add('gw_closed', { conn: conn.id, by: 'server', code: conn.closing.code,
                reason: conn.closing.reason, drop: !!conn.closing.drop, peer_code: code });
        } else {
            conn.closing = { by: 'client', code, reason };
            this.log.add('gw_closed', { conn: conn.id, by: 'client', code, reason });
            this.detachSession(conn, code, CLIENT_DROP_CODES);
        }
    }

    detachSession(conn, code, dropCodes) {
        const s = conn.session;
        if (!s) return;
        conn.session = null;
        if (s.conn === conn) s.conn = null;
        if (dropCodes.has(code)) {
            this.dropSession(s, `closed with ${code}`);
        } else {
            s.disconnectedAt = Date.now();
            s.expiresAt = s.disconnectedAt + this.opts.resumeWindowMs;
        }
    }

    dropSession(s, why) {
        if (!this.sessions.has(s.id)) return;
        this.sessions.delete(s.id);
        if (s.conn) { s.conn.session = null; s.conn = null; }
        this.log.add('gw_session_dropped', { session: s.id, why });
    }

    // ---- frames from the client ---------------------------------------------------
    onFrame(conn, data, isBinary) {
        if (conn.closing) return;
        const bytes = Buffer.isBuffer(data) ? data.length : Buffer.byteLength(data);
        const now = Date.now();
        conn.events = conn.events.filter((t) => now - t < 60000);
        conn.events.push(now);
        if (isBinary) {
            this.log.add('gw_in', { conn: conn.id, binary: true, bytes });
            this.serverClose(conn, 4002, 'Error while decoding payload.');
            return;
        }
        if (bytes > MAX_CLIENT_PAYLOAD) {
            this.log.add('gw_in', { conn: conn.id, bytes, too_large: true });
            this.serverClose(conn, 4002, 'Error while decoding payload.');
            return;
        }
        let p;
        try {
            p = JSON.parse(data.toString('utf8'));
        } catch {
            this.log.add('gw_in', { conn: conn.id, bytes, bad_json: true });
            this.serverClose(conn, 4002, 'Error while decoding payload.');
            return;
        }
        this.log.add('gw_in', { conn: conn.id, bytes, op: p && p.op, d: p && p.d });
        if (conn.events.length > MAX_EVENTS_PER_MINUTE) {
            this.serverClose(conn, 4008, 'Rate limited.');
            return;
        }
        if (!p || typeof p !== 'object' || Array.isArray(p)) {
            this.serverClose(conn, 4002, 'Error while decoding payload.');
            return;
        }
        switch (p.op) {
        case OP.HEARTBEAT:
            if (p.d !== null && p.d !== undefined && !(Number.isInteger(p.d) && p.d >= 0)) {
                this.serverClose(conn, 4001, 'Invalid heartbeat payload.');
                return;
            }
            conn.lastHeartbeatAt = now;
            this.armHeartbeat(conn);
            this.heartbeatRequestAnswered(conn, now);
            this.send(conn, { op: OP.HEARTBEAT_ACK, d: null, s: null, t: null });
            return;
        case OP.IDENTIFY: return this.onIdentify(conn, p.d);
        case OP.RESUME: return this.onResume(conn, p.d);
        case OP.PRESENCE:
        case OP.VOICE_STATE:
        case OP.REQUEST_MEMBERS:
        case OP.REQUEST_SOUNDBOARD:
            if (!conn.session) {
                this.serverClose(conn, 4003, 'Not authenticated.');
                return;
            }
            if (!p.d || typeof p.d !== 'object') {
                this.serverClose(conn, 4001, 'Invalid payload for opcode.');
                return;
            }
            if (p.op === OP.PRESENCE) conn.session.presence = p.d;
            if (p.op === OP.REQUEST_MEMBERS) this.onRequestMembers(conn, p.d);
            return;
        default:
            if (!conn.session && Number.isInteger(p.op) && ![OP.DISPATCH, OP.RECONNECT, OP.INVALID_SESSION,
                OP.HELLO, OP.HEARTBEAT_ACK].includes(p.op) && p.op < 50) {
                this.serverClose(conn, 4003, 'Not authenticated.');
                return;
            }
            this.serverClose(conn, 4001, 'Unknown opcode.');
        }
    }

    onIdentify(conn, d) {
        if (conn.session) {
            this.serverClose(conn, 4005, 'Already authenticated.');
            return;
        }
        if (!d || typeof d !== 'object' || typeof d.token !== 'string' || !d.properties
            || typeof d.properties !== 'object') {
            this.serverClose(conn, 4001, 'Invalid identify payload.');
            return;
        }
        if (!this.checkToken(d.token)) {
            this.serverClose(conn, 4004, 'Authentication failed.');
            return;
        }
        if (!Number.isInteger(d.intents) || d.intents < 0 || (d.intents & ~VALID_INTENTS) !== 0
            || d.intents > VALID_INTENTS) {
            this.serverClose(conn, 4013, 'Invalid intent(s).');
            return;
        }
        const privileged = d.intents & (PRIVILEGED.members | PRIVILEGED.presences | PRIVILEGED.message_content);
        if ((privileged & ~this.opts.privilegedIntents) !== 0) {
            this.serverClose(conn, 4014, 'Disallowed intent(s).');
            return;
        }
        let shard = null;
        if (d.shard !== undefined && d.shard !== null) {
            const ok = Array.isArray(d.shard) && d.shard.length === 2 && d.shard.every(Number.isInteger)
                && d.shard[1] >= 1 && d.shard[0] >= 0 && d.shard[0] < d.shard[1];
            if (!ok) {
                this.serverClose(conn, 4010, 'Invalid shard.');
                return;
            }
            shard = d.shard;
        }
        if (d.large_threshold !== undefined && !(Number.isInteger(d.large_threshold)
            && d.large_threshold >= 50 && d.large_threshold <= 250)) {
            this.serverClose(conn, 4001, 'Invalid large_threshold.');
            return;
        }
        // max_concurrency 1: one IDENTIFY per 5 s, else op 9.
        const now = Date.now();
        const key = shard ? shard[0] % 1 : 0;
        const last = this.lastIdentifyAt.get(key);
        // A little slack: the client times its wait from before it sends.
        const slack = Math.min(250, this.opts.identifyIntervalMs / 10);
        if (last !== undefined && now - last < this.opts.identifyIntervalMs - slack) {
            this.log.add('gw_identify_throttled', { conn: conn.id, since_last_ms: now - last });
            this.send(conn, { op: OP.INVALID_SESSION, d: false, s: null, t: null });
            return;
        }
        const limit = this.sessionStartLimit();
        if (limit.remaining <= 0) {
            this.serverClose(conn, 4004, 'Authentication failed.');
            return;
        }
        this.sessionStartRemaining -= 1;
        this.lastIdentifyAt.set(key, now);

        if (this.sessions.size >= this.opts.maxSessions) {
            // Forget the oldest disconnected session, else the oldest at all.
            const all = [...this.sessions.values()];
            const victim = all.find((s) => !s.conn) || all[0];
            this.dropSession(victim, 'too many sessions');
        }
        const s = {
            id: crypto.randomBytes(16).toString('hex'), token: d.token, intents: d.intents, shard,
            seq: 0, buffer: [], conn, lastPath: conn.path, createdAt: now, disconnectedAt: null, expiresAt: null,
            compressPayload: d.compress === true && !conn.deflate, presence: d.presence || null,
            properties: d.properties,
        };
        this.sessions.set(s.id, s);
        conn.session = s;
        conn.payloadCompress = s.compressPayload;
        conn.identifiedOnce = true;
        this.log.add('gw_session_created', { conn: conn.id, session: s.id, intents: s.intents, shard });

        const count = shard ? shard[1] : 1;
        const sid = shard ? shard[0] : 0;
        const guilds = shardOf(IDS.guild, count) === sid ? [IDS.guild] : [];
        const ready = {
            v: 10,
            user_settings: {},
            user: { ...this.store.botUser, verified: true, mfa_enabled: false, email: null },
            session_type: 'normal',
            session_id: s.id,
            resume_gateway_url: this.resumeUrl(),
            relationships: [],
            private_channels: [],
            presences: [],
            guilds: guilds.map((id) => ({ id, unavailable: true })),
            guild_join_requests: [],
            geo_ordered_rtc_regions: ['rotterdam', 'frankfurt'],
            game_relationships: [],
            auth: {},
            application: { id: IDS.application, flags: this.store.application.flags },
            _trace: ['["gateway-fake",{"micros":0}]'],
        };
        if (shard) ready.shard = shard;
        this.dispatchTo(s, 'READY', ready);
        for (const gid of guilds) this.dispatchTo(s, 'GUILD_CREATE', this.store.guild({ forGateway: true }));
    }

    onResume(conn, d) {
        if (conn.session) {
            this.serverClose(conn, 4005, 'Already authenticated.');
            return;
        }
        if (!d || typeof d !== 'object' || typeof d.token !== 'string' || typeof d.session_id !== 'string'
            || !(Number.isInteger(d.seq) && d.seq >= 0)) {
            this.serverClose(conn, 4001, 'Invalid resume payload.');
            return;
        }
        if (!this.checkToken(d.token)) {
            this.serverClose(conn, 4004, 'Authentication failed.');
            return;
        }
        const s = this.sessions.get(d.session_id);
        const now = Date.now();
        if (s && !s.conn && s.expiresAt !== null && now > s.expiresAt) this.dropSession(s, 'resume window over');
        if (!s || !this.sessions.has(s.id) || s.token !== d.token) {
            this.log.add('gw_resume_failed', { conn: conn.id, session: d.session_id, why: 'unknown session' });
            this.send(conn, { op: OP.INVALID_SESSION, d: false, s: null, t: null });
            return;
        }
        if (d.seq > s.seq) {
            this.log.add('gw_resume_failed', { conn: conn.id, session: s.id, why: `seq ${d.seq} > ${s.seq}` });
            this.serverClose(conn, 4007, 'Invalid seq.');
            this.dropSession(s, 'invalid seq on resume');
            return;
        }
        const first = s.buffer.length ? s.buffer[0].s : s.seq + 1;
        if (d.seq < first - 1) {
            this.log.add('gw_resume_failed', { conn: conn.id, session: s.id, why: 'seq no longer in replay buffer' });
            this.send(conn, { op: OP.INVALID_SESSION, d: false, s: null, t: null });
            this.dropSession(s, 'replay buffer overrun');
            return;
        }
        if (s.conn) {
            // Still attached to an older connection (e.g. a silent TCP drop):
            // that one is cut off, the session moves here.
            const old = s.conn;
            old.session = null;
            s.conn = null;
            this.serverDrop(old, 'session resumed elsewhere');
        }
        s.conn = conn;
        s.lastPath = conn.path;
        s.disconnectedAt = null;
        s.expiresAt = null;
        conn.session = s;
        conn.payloadCompress = s.compressPayload && !conn.deflate;
        const missed = s.buffer.filter((ev) => ev.s > d.seq);
        this.log.add('gw_resumed', { conn: conn.id, session: s.id, from_seq: d.seq, replayed: missed.length });
        for (const ev of missed) this.deliver(s, ev);
        this.dispatchTo(s, 'RESUMED', { _trace: ['["gateway-fake",{"micros":0}]'] });
    }

    onRequestMembers(conn, d) {
        const s = conn.session;
        if (d.guild_id !== IDS.guild) return;
        const members = [this.store.member(IDS.bot), this.store.member(IDS.human)];
        let list = members;
        if (Array.isArray(d.user_ids)) list = members.filter((m) => d.user_ids.includes(m.user.id));
        else if (typeof d.query === 'string' && d.query) list = members.filter((m) => m.user.username.startsWith(d.query));
        const chunk = { guild_id: IDS.guild, members: list, chunk_index: 0, chunk_count: 1 };
        if (d.nonce) chunk.nonce = d.nonce;
        this.dispatchTo(s, 'GUILD_MEMBERS_CHUNK', chunk);
    }

    // ---- dispatching ------------------------------------------------------------
    deliver(s, ev) {
        const conn = s.conn;
        if (!conn || conn.closing) return false;
        const ok = this.send(conn, { op: OP.DISPATCH, d: ev.d, s: ev.s, t: ev.t });
        if (ok && ev.meta) this.onDelivered(ev.meta, s);
        return ok;
    }

    dispatchTo(s, t, d, meta) {
        s.seq += 1;
        const ev = { s: s.seq, t, d, meta };
        s.buffer.push(ev);
        if (s.buffer.length > this.opts.replayMax) s.buffer.splice(0, s.buffer.length - this.opts.replayMax);
        const delivered = this.deliver(s, ev);
        return { session: s.id, s: ev.s, delivered };
    }

    // Forget sessions whose resume window is over.
    sweep() {
        const now = Date.now();
        for (const s of [...this.sessions.values()]) {
            if (!s.conn && s.expiresAt !== null && now > s.expiresAt) this.dropSession(s, 'resume window over');
        }
    }

    // Send an event to every gateway session that should get it. opts:
    // {guildId (shard routing), intent (bit required), meta}.
    dispatch(t, d, { guildId = null, intent = null, meta = null } = {}) {
        this.sweep();
        const results = [];
        for (const s of this.sessions.values()) {
            if (intent !== null && (s.intents & intent) === 0) continue;
            const count = s.shard ? s.shard[1] : 1;
            const sid = s.shard ? s.shard[0] : 0;
            if ((guildId ? shardOf(guildId, count) : 0) !== sid) continue;
            results.push(this.dispatchTo(s, t, d, meta));
        }
        return results;
    }

    // ---- control ------------------------------------------------------------------
    openConnections() { return [...this.connections].filter((c) => !c.closing); }

    reconnect(graceMs) {
        const conns = this.openConnections();
        for (const c of conns) {
            this.send(c, { op: OP.RECONNECT, d: null, s: null, t: null });
            const t = setTimeout(() => { if (!c.closing) this.serverClose(c, 4000, 'Reconnect requested.'); }, graceMs);
            t.unref();
        }
        return conns.length;
    }

    closeAll(code, reason) {
        const conns = this.openConnections();
        for (const c of conns) this.serverClose(c, code, reason);
        return conns.length;
    }

    dropAll() {
        const conns = this.openConnections();
        for (const c of conns) this.serverDrop(c);
        return conns.length;
    }

    invalidSession(resumable) {
        const conns = this.openConnections();
        for (const c of conns) {
            this.send(c, { op: OP.INVALID_SESSION, d: !!resumable, s: null, t: null });
            const s = c.session;
            if (s) {
                // The connection is no longer authenticated: the client may
                // RESUME (if resumable) or IDENTIFY on it, or reconnect.
                c.session = null;
                s.conn = null;
                s.disconnectedAt = Date.now();
                s.expiresAt = s.disconnectedAt + this.opts.resumeWindowMs;
                if (!resumable) this.dropSession(s, 'invalid session (not resumable)');
            }
        }
        return conns.length;
    }

    // op 1: Discord asks for a heartbeat, and the client must send one at
    // once. The fake checks it: an answer within heartbeatRequestDeadline is
    // logged as gw_heartbeat_answered (with ms), none as
    // gw_heartbeat_request_missed; both are counted per connection.
    requestHeartbeat() {
        const conns = this.openConnections();
        for (const c of conns) {
            if (!this.send(c, { op: OP.HEARTBEAT, d: null, s: null, t: null })) continue;
            if (c.hbRequest) continue; // the earlier request is still open
            c.hbRequests.sent += 1;
            const at = Date.now();
            const timer = setTimeout(() => {
                if (!c.hbRequest || c.hbRequest.at !== at) return;
                c.hbRequest = null;
                c.hbRequests.missed += 1;
                this.log.add('gw_heartbeat_request_missed', { conn: c.id, deadline_ms: this.opts.heartbeatRequestDeadline });
            }, this.opts.heartbeatRequestDeadline);
            timer.unref();
            c.hbRequest = { at, timer };
        }
        return conns.length;
    }

    heartbeatRequestAnswered(conn, now) {
        const r = conn.hbRequest;
        if (!r) return;
        clearTimeout(r.timer);
        conn.hbRequest = null;
        conn.hbRequests.answered += 1;
        conn.hbRequests.last_ms = now - r.at;
        this.log.add('gw_heartbeat_answered', { conn: conn.id, ms: now - r.at });
    }

    // The privileged intents enabled for the application "in the developer
    // portal" (a mask of PRIVILEGED bits); an IDENTIFY asking for others is
    // closed with 4014. Changes apply to the next IDENTIFY.
    setPrivilegedIntents(mask) {
        this.opts.privilegedIntents = mask;
        this.store.application.flags = (this.store.application.flags & ~appFlags(VALID_INTENTS)) | appFlags(mask);
    }

    privilegedIntentNames() {
        return Object.keys(PRIVILEGED).filter((n) => this.opts.privilegedIntents & PRIVILEGED[n]);
    }

    state() {
        this.sweep();
        return [...this.sessions.values()].map((s) => ({
            id: s.id, seq: s.seq, connected: !!(s.conn && !s.conn.closing), path: s.lastPath,
            intents: s.intents, shard: s.shard, buffered: s.buffer.length,
            resumable_until: s.expiresAt,
        }));
    }

    connectionState() {
        return [...this.connections].map((c) => ({
            id: c.id, path: c.path, query: c.query, session_id: c.session ? c.session.id : null,
            compress: c.deflate ? 'zlib-stream' : (c.payloadCompress ? 'payload' : null),
            closing: !!c.closing, last_heartbeat_at: c.lastHeartbeatAt,
            heartbeat_requests: { ...c.hbRequests, pending: !!c.hbRequest },
        }));
    }

    shutdown() {
        for (const c of this.connections) {
            clearTimeout(c.hbTimer);
            clearTimeout(c.killTimer);
            try { c.ws.close(1001, 'Server shutting down'); } catch { /* already gone */ }
            c.ws.terminate();
        }
        this.connections.clear();
    }
}

module.exports = { Gateway, OP, PRIVILEGED, VALID_INTENTS, shardOf, appFlags, privilegedMask };
