'use strict';
// The REST API under /api/v10: routing on percent-decoded path segments,
// bot authentication (Authorization: Bot <token>; interaction callback and
// webhook routes take none), the User-Agent requirement, body decoding,
// rate limiting (every reply carries X-RateLimit-* headers), error replies
// in Discord's shape, and the small read-only routes (gateway, users,
// application, guild).

const { E, ApiError, readBody, decodeBody, sendJson, sendEmpty } = require('./http');
const { IDS } = require('./snowflake');

const MAX_BODY = 1 << 20;

function compile(route) {
    const segs = route.path.split('/').filter(Boolean);
    return { ...route, segs, template: route.path.replace(/:([a-z_]+)/g, (m, n) =>
        (['channel_id', 'guild_id', 'application_id', 'interaction_id', 'token'].includes(n) ? m : ':id')) };
}

function match(route, segs) {
    if (route.segs.length !== segs.length) return null;
    const params = {};
    for (let i = 0; i < segs.length; i++) {
        const r = route.segs[i];
        if (r.startsWith(':')) params[r.slice(1)] = segs[i];
        else if (r !== segs[i]) return null;
    }
    return params;
}

class Rest {
    constructor({ store, gateway, limiter, log, checkToken, uaCheck = true, modules }) {
        Object.assign(this, { store, gateway, limiter, log, checkToken, uaCheck });
        this.holds = [];   // answers held back after the request took effect (control hold-reply)
        const routes = [...this.baseRoutes()];
        for (const m of modules) routes.push(...m.routes());
        // Literal segments win over parameters (/users/@me before /users/:id).
        this.routes = routes.map(compile).sort((a, b) =>
            a.segs.filter((s) => s.startsWith(':')).length - b.segs.filter((s) => s.startsWith(':')).length);
    }

    baseRoutes() {
        const s = this.store;
        const guild = (p) => { if (p.guild_id !== IDS.guild) throw E.unknownGuild(); };
        return [
            { method: 'GET', path: '/gateway', auth: 'none', handler: () => ({ status: 200, body: { url: this.gateway.gatewayUrl() } }) },
            { method: 'GET', path: '/gateway/bot', handler: () => ({ status: 200, body: {
                url: this.gateway.gatewayUrl(), shards: 1, session_start_limit: this.gateway.sessionStartLimit() } }) },
            { method: 'GET', path: '/users/@me', handler: () => ({ status: 200, body: { ...s.botUser, verified: true, mfa_enabled: false, locale: 'en-US', email: null } }) },
            { method: 'GET', path: '/users/:user_id', handler: (c) => {
                const u = s.users.get(c.params.user_id);
                if (!u) throw E.unknownUser();
                return { status: 200, body: u };
            } },
            { method: 'GET', path: '/applications/@me', handler: () => ({ status: 200, body: s.application }) },
            { method: 'GET', path: '/oauth2/applications/@me', handler: () => ({ status: 200, body: s.application }) },
            { method: 'GET', path: '/guilds/:guild_id', major: (p) => p.guild_id, handler: (c) => {
                guild(c.params);
                return { status: 200, body: s.guild({ forGateway: false }) };
            } },
            { method: 'GET', path: '/guilds/:guild_id/channels', major: (p) => p.guild_id, handler: (c) => {
                guild(c.params);
                return { status: 200, body: [...s.channels.values()] };
            } },
            { method: 'GET', path: '/guilds/:guild_id/members/:user_id', major: (p) => p.guild_id, handler: (c) => {
                guild(c.params);
                if (![IDS.bot, IDS.human].includes(c.params.user_id)) throw E.unknownMember();
                return { status: 200, body: s.member(c.params.user_id) };
            } },
        ];
    }

    // Hold back the answers of the next `count` requests METHOD .../PATH for ms.
    hold({ method, path, ms, count }) {
        this.holds.push({ method, path, ms, count });
        return this.holds.length;
    }

    async handle(req, res, url) {
        const started = Date.now();
        const entry = { method: req.method, path: url.pathname + url.search, status: 0 };
        let headers = {};
        try {
            const parts = url.pathname.split('/').filter(Boolean); // ['api', 'v10', ...]
            if (parts[0] !== 'api') throw E.notFound();
            if (parts[1] !== 'v10') throw /^v[0-9]+$/.test(parts[1] || '') ? E.invalidVersion() : E.notFound();
            let segs;
            try { segs = parts.slice(2).map(decodeURIComponent); } catch { throw E.notFound(); }
            let route = null;
            let params = null;
            let pathMatched = false;
            for (const r of this.routes) {
                const p = match(r, segs);
                if (!p) continue;
                pathMatched = true;
                if (r.method === req.method) { route = r; params = p; break; }
            }
            entry.route = route ? route.template : null;
            const identity = req.headers.authorization || `ip:${req.socket.remoteAddress}`;
            const rl = this.limiter.check(route
                ? { method: route.method, template: route.template, major: route.major ? route.major(params) : '',
                    exemptGlobal: !!route.exemptGlobal, identity }
                : { method: req.method, template: '/unknown', major: '', exemptGlobal: false, identity },
            [url.pathname, '/' + segs.join('/')]);
            headers = rl.headers;
            if (!rl.ok) {
                entry.ratelimited = { retry_after: rl.body.retry_after, global: rl.body.global, forced: rl.forced };
                req.resume();
                sendJson(res, 429, rl.body, headers);
                entry.status = 429;
                return;
            }
            if (!route) throw pathMatched ? E.methodNotAllowed() : E.notFound();
            const auth = req.headers.authorization;
            entry.auth = auth ? (auth.startsWith('Bot ') ? 'bot' : 'other') : 'none';
            if (route.auth !== 'none') {
                if (!auth || !auth.startsWith('Bot ') || !this.checkToken(auth.slice(4))) throw E.unauthorized();
            }
            const ua = req.headers['user-agent'] || '';
            entry.ua = ua;
            if (this.uaCheck && !/^DiscordBot \(\S+, \S+\)/.test(ua)) {
                throw new ApiError(400, 0, 'fake-discord: the User-Agent must be "DiscordBot ($url, $versionNumber)"');
            }
            let decoded = { json: undefined, files: [] };
            if (['POST', 'PUT', 'PATCH'].includes(req.method)) {
                const buf = await readBody(req, MAX_BODY);
                decoded = decodeBody(req, buf);
                entry.body = buf.length <= 4096 && decoded.json !== undefined ? decoded.json : undefined;
                entry.body_bytes = buf.length;
                if (decoded.files.length) entry.files = decoded.files;
            } else {
                req.resume();
            }
            const out = await route.handler({ params, query: url.searchParams, body: decoded.json, files: decoded.files, req });
            const hold = this.holds.find((h) => h.method === req.method && url.pathname.endsWith(h.path));
            if (hold) {
                // The request took effect (gateway events included); its answer comes later.
                if (--hold.count <= 0) this.holds.splice(this.holds.indexOf(hold), 1);
                entry.held_ms = hold.ms;
                await new Promise((resolve) => setTimeout(resolve, hold.ms));
            }
            entry.status = out.status;
            if (out.status === 204) sendEmpty(res, 204, headers);
            else sendJson(res, out.status, out.body, headers);
        } catch (err) {
            if (!(err instanceof ApiError)) {
                this.log.add('error', { where: 'rest', error: String(err && err.stack || err) });
                err = new ApiError(500, 0, '500: Internal Server Error');
            }
            entry.status = err.status;
            entry.code = err.code;
            req.resume();
            if (!res.headersSent) sendJson(res, err.status, err.body(), { ...headers, ...err.headers });
        } finally {
            entry.ms = Date.now() - started;
            this.log.add('rest', entry);
        }
    }
}

module.exports = { Rest };
