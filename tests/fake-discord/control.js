'use strict';
// The test control API under /_control/ (all POST, JSON bodies): state and
// event log, interaction injection, raw dispatches, and the gateway and REST
// faults tests provoke (op 7, closes, TCP drops, op 9, op 1, forced 429s),
// and the application's enabled privileged intents.

const { readBody, sendJson } = require('./http');
const { ControlError } = require('./interactions');
const { privilegedMask } = require('./gateway');

class Control {
    constructor({ store, gateway, interactions, limiter, log, rest }) {
        Object.assign(this, { store, gateway, interactions, limiter, log, rest });
    }

    endpoints() {
        const g = this.gateway;
        return {
            state: () => ({
                sessions: g.state(),
                commands: this.store.allCommands(),
                messages: this.store.allMessages(),
                interactions: this.interactions.state(),
                connections: g.connectionState(),
                application: { flags: this.store.application.flags, privileged_intents: g.privilegedIntentNames() },
            }),
            log: () => this.log.list(),
            'reset-log': () => { this.log.reset(); return { ok: true }; },
            interaction: (b) => this.interactions.inject(b),
            dispatch: (b) => {
                if (!b || typeof b.t !== 'string' || !b.t) throw new ControlError(400, 't (event name) is required');
                const d = b.d === undefined ? null : b.d;
                const guildId = d && typeof d === 'object' && typeof d.guild_id === 'string' ? d.guild_id : null;
                const results = g.dispatch(b.t, d, { guildId });
                if (!results.length) throw new ControlError(409, 'no gateway session to dispatch to');
                const last = results[results.length - 1];
                return { s: last.s, buffered: !results.some((r) => r.delivered), sessions: results };
            },
            reconnect: (b) => {
                const grace = b && b.grace_ms !== undefined ? Number(b.grace_ms) : 1000;
                if (!Number.isFinite(grace) || grace < 0) throw new ControlError(400, 'grace_ms must be a number >= 0');
                return { connections: g.reconnect(grace) };
            },
            close: (b) => {
                const code = b && b.code !== undefined ? Number(b.code) : 4000;
                if (!Number.isInteger(code) || !(code === 1000 || code === 1001 || (code >= 3000 && code <= 4999))) {
                    throw new ControlError(400, 'code must be 1000, 1001 or 3000-4999');
                }
                const reason = b && typeof b.reason === 'string' ? b.reason.slice(0, 120) : 'Closed by the test.';
                return { connections: g.closeAll(code, reason) };
            },
            drop: () => ({ connections: g.dropAll() }),
            'invalid-session': (b) => ({ connections: g.invalidSession(!!(b && b.resumable)) }),
            'request-heartbeat': () => ({ connections: g.requestHeartbeat() }),
            'app-intents': (b) => {
                const list = b && b.privileged;
                if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
                    throw new ControlError(400, 'privileged must be a list of members, presences, message_content');
                }
                let mask;
                try { mask = privilegedMask(list); } catch (err) { throw new ControlError(400, err.message); }
                g.setPrivilegedIntents(mask);
                return { privileged_intents: g.privilegedIntentNames(), flags: this.store.application.flags };
            },
            'hold-reply': (b) => {
                const method = b && typeof b.method === 'string' ? b.method.toUpperCase() : '';
                const path = b && typeof b.path === 'string' ? b.path : '';
                const ms = b && b.ms !== undefined ? Number(b.ms) : NaN;
                const count = b && b.count !== undefined ? Number(b.count) : 1;
                if (!['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method)) throw new ControlError(400, 'method must be an HTTP method');
                if (!path.startsWith('/')) throw new ControlError(400, 'path must end a REST path, starting with /');
                if (!Number.isInteger(ms) || ms < 0 || ms > 60000) throw new ControlError(400, 'ms must be an integer in [0, 60000]');
                if (!Number.isInteger(count) || count < 1 || count > 100) throw new ControlError(400, 'count must be an integer in [1, 100]');
                return { held: this.rest.hold({ method, path, ms, count }) };
            },
            'ratelimit-next': (b) => {
                const ra = b && b.retry_after !== undefined ? Number(b.retry_after) : 1;
                if (!Number.isFinite(ra) || ra < 0 || ra > 3600) throw new ControlError(400, 'retry_after must be seconds in [0, 3600]');
                const scope = b && b.scope !== undefined ? String(b.scope) : undefined;
                if (scope !== undefined && !['user', 'global', 'shared'].includes(scope)) {
                    throw new ControlError(400, 'scope must be user, global or shared');
                }
                const spec = { retry_after: ra, global: !!(b && b.global), scope: scope || (b && b.global ? 'global' : 'user'),
                    path: b && typeof b.path === 'string' && b.path ? b.path : null };
                return { queued: this.limiter.force(spec) };
            },
        };
    }

    async handle(req, res, url) {
        const name = url.pathname.slice('/_control/'.length);
        const ep = this.endpoints()[name];
        if (!ep) { req.resume(); sendJson(res, 404, { error: `unknown control endpoint ${name}` }); return; }
        if (req.method !== 'POST') { req.resume(); sendJson(res, 405, { error: 'control endpoints take POST' }); return; }
        let body;
        try {
            const buf = await readBody(req, 1 << 20);
            body = buf.length ? JSON.parse(buf.toString('utf8')) : {};
        } catch {
            sendJson(res, 400, { error: 'body must be JSON' });
            return;
        }
        try {
            const out = ep(body);
            if (!['log', 'state', 'reset-log'].includes(name)) this.log.add('control', { endpoint: name, body });
            sendJson(res, 200, out);
        } catch (err) {
            if (err instanceof ControlError) {
                sendJson(res, err.status, { error: err.message });
            } else {
                this.log.add('error', { where: 'control', error: String(err && err.stack || err) });
                sendJson(res, 500, { error: String(err && err.message || err) });
            }
        }
    }
}

module.exports = { Control };
