'use strict';
// Interactions: builds INTERACTION_CREATE payloads for the control API
// (slash command, autocomplete, button/select, modal submit), keeps a record
// per interaction, and serves the token-authenticated routes: the callback
// (3 s deadline -> 10062, second ack -> 40060, response types 4-9 checked
// against the interaction type) and the follow-up webhooks (@original and
// follow-up messages, 15 min token lifetime).

const crypto = require('crypto');
const { E, ApiError } = require('./http');
const { FLAGS, validateChoices, validateModal, Errs } = require('./validate');
const { IDS, isSnowflake } = require('./snowflake');
const { ALL_PERMISSIONS } = require('./store');
const { checkBody } = require('./messages');

const TYPE = { PING: 1, COMMAND: 2, COMPONENT: 3, AUTOCOMPLETE: 4, MODAL_SUBMIT: 5 };
const CB = { PONG: 1, MESSAGE: 4, DEFERRED_MESSAGE: 5, DEFERRED_UPDATE: 6, UPDATE: 7, AUTOCOMPLETE: 8, MODAL: 9 };
const ALLOWED = {
    [TYPE.COMMAND]: [CB.MESSAGE, CB.DEFERRED_MESSAGE, CB.MODAL],
    [TYPE.COMPONENT]: [CB.MESSAGE, CB.DEFERRED_MESSAGE, CB.DEFERRED_UPDATE, CB.UPDATE, CB.MODAL],
    [TYPE.AUTOCOMPLETE]: [CB.AUTOCOMPLETE],
    [TYPE.MODAL_SUBMIT]: [CB.MESSAGE, CB.DEFERRED_MESSAGE, CB.DEFERRED_UPDATE, CB.UPDATE],
};
const RESPONSE_FLAGS = FLAGS.EPHEMERAL | FLAGS.SUPPRESS_EMBEDS | FLAGS.SUPPRESS_NOTIFICATIONS | FLAGS.IS_COMPONENTS_V2;
const MAX_FOLLOWUPS = 100;

class ControlError extends Error {
    constructor(status, message) { super(message); this.status = status; }
}

function inferType(v) {
    if (typeof v === 'boolean') return 5;
    if (typeof v === 'number') return Number.isInteger(v) ? 4 : 10;
    return 3;
}

function findComponent(list, customId) {
    for (const c of list || []) {
        if (!c || typeof c !== 'object') continue;
        if (c.custom_id === customId) return c;
        const inner = findComponent(c.components, customId)
            || (c.accessory ? findComponent([c.accessory], customId) : null);
        if (inner) return inner;
    }
    return null;
}

class Interactions {
    constructor({ store, gateway, messages, sf, log, deadlineMs = 3000, tokenTtlMs = 15 * 60 * 1000 }) {
        Object.assign(this, { store, gateway, messages, sf, log, deadlineMs, tokenTtlMs });
        gateway.onDelivered = (meta) => {
            const rec = meta.interaction && this.store.interactions.get(meta.interaction);
            if (rec && rec.delivered_at === null) rec.delivered_at = Date.now();
        };
    }

    // ---- building (control API) --------------------------------------------------------
    buildOptions(spec, cmd, kind) {
        let opts = spec.options;
        if (opts === undefined || opts === null) opts = [];
        const defs = (cmd && cmd.options) || [];
        if (!Array.isArray(opts)) {
            if (typeof opts !== 'object') throw new ControlError(400, 'options must be an array or an object');
            opts = Object.entries(opts).map(([name, value]) => {
                const def = defs.find((o) => o.name === name);
                return { name, type: def ? def.type : inferType(value), value };
            });
        } else {
            opts = JSON.parse(JSON.stringify(opts));
        }
        if (kind === 'autocomplete' && !JSON.stringify(opts).includes('"focused":true')) {
            const focusName = spec.focused || (defs.find((o) => o.autocomplete) || {}).name
                || (opts[0] && opts[0].name);
            if (!focusName) throw new ControlError(400, 'autocomplete needs an option to focus (focused, options or a registered command)');
            let o = opts.find((x) => x.name === focusName);
            if (!o) {
                const def = defs.find((x) => x.name === focusName);
                o = { name: focusName, type: def ? def.type : 3, value: '' };
                opts.push(o);
            }
            o.focused = true;
            if (spec.value !== undefined) o.value = spec.value;
        }
        return opts;
    }

    resolvedFor(options) {
        const resolved = {};
        const walk = (list) => {
            for (const o of list || []) {
                if (Array.isArray(o.options)) walk(o.options);
                if (typeof o.value !== 'string' || !isSnowflake(o.value)) continue;
                if (o.type === 6 || o.type === 9) {
                    const u = this.store.userFor(o.value);
                    (resolved.users = resolved.users || {})[u.id] = u;
                    const { user: _u, ...m } = this.store.member(u.id);
                    (resolved.members = resolved.members || {})[u.id] = { ...m, permissions: ALL_PERMISSIONS };
                } else if (o.type === 7) {
                    const ch = this.store.channels.get(o.value);
                    if (ch) (resolved.channels = resolved.channels || {})[ch.id] = { id: ch.id, name: ch.name, type: ch.type, permissions: ALL_PERMISSIONS, parent_id: null, flags: 0, guild_id: ch.guild_id };
                } else if (o.type === 8) {
                    const r = this.store.roles.find((x) => x.id === o.value);
                    if (r) (resolved.roles = resolved.roles || {})[r.id] = r;
                }
            }
        };
        walk(options);
        return Object.keys(resolved).length ? resolved : undefined;
    }

    componentMessage(spec, channelId) {
        let msg = null;
        if (spec.message_id) {
            msg = this.store.findMessage(String(spec.message_id));
            if (!msg) throw new ControlError(404, `unknown message ${spec.message_id}`);
        } else {
            const list = [...this.store.channelMessages(channelId).values()].reverse();
            msg = list.find((m) => findComponent(m.components, spec.custom_id));
            if (!msg) throw new ControlError(404, `no message in channel ${channelId} has a component ${spec.custom_id}`);
        }
        return msg;
    }

    inject(spec) {
        if (!spec || typeof spec !== 'object') throw new ControlError(400, 'body must be a JSON object');
        const kind = spec.kind;
        const typeByKind = { command: TYPE.COMMAND, autocomplete: TYPE.AUTOCOMPLETE, button: TYPE.COMPONENT,
            select: TYPE.COMPONENT, modal: TYPE.MODAL_SUBMIT };
        const type = typeByKind[kind];
        if (!type) throw new ControlError(400, `kind must be one of ${Object.keys(typeByKind).join(', ')}`);
        const userId = spec.user_id === undefined ? IDS.human : String(spec.user_id);
        if (!isSnowflake(userId)) throw new ControlError(400, 'user_id must be a snowflake');
        const channelId = spec.channel_id === undefined ? IDS.channel : String(spec.channel_id);
        const channel = this.store.channels.get(channelId);
        if (!channel) throw new ControlError(404, `unknown channel ${channelId}`);
        const guildId = channel.guild_id;

        const id = this.sf.next();
        const token = Buffer.from(`interaction:${id}:${crypto.randomBytes(48).toString('base64url')}`).toString('base64url');
        let data;
        let message = null;
        let name = null;
        if (type === TYPE.COMMAND || type === TYPE.AUTOCOMPLETE) {
            if (typeof spec.name !== 'string' || !spec.name) throw new ControlError(400, 'name is required');
            name = spec.name;
            const cmd = this.store.findCommandByName(name, guildId);
            const options = this.buildOptions(spec, cmd, kind);
            data = { id: cmd ? cmd.id : this.sf.next(), name, type: cmd ? cmd.type : 1 };
            if (cmd && cmd.guild_id) data.guild_id = cmd.guild_id;
            if (options.length) data.options = options;
            const resolved = this.resolvedFor(options);
            if (resolved) data.resolved = resolved;
        } else if (type === TYPE.COMPONENT) {
            if (typeof spec.custom_id !== 'string' || !spec.custom_id) throw new ControlError(400, 'custom_id is required');
            message = this.componentMessage(spec, channelId);
            const comp = findComponent(message.components, spec.custom_id);
            if (!comp) throw new ControlError(404, `message ${message.id} has no component ${spec.custom_id}`);
            if (comp.disabled) throw new ControlError(409, `component ${spec.custom_id} is disabled`);
            data = { custom_id: spec.custom_id, component_type: comp.type, id: comp.id };
            if (comp.type !== 2) data.values = Array.isArray(spec.values) ? spec.values.map(String) : [];
        } else {
            if (typeof spec.custom_id !== 'string' || !spec.custom_id) throw new ControlError(400, 'custom_id is required');
            const source = [...this.store.interactions.values()].reverse()
                .find((r) => r.modal && r.modal.custom_id === spec.custom_id);
            let components = spec.components;
            if (!Array.isArray(components)) {
                const fields = spec.fields || {};
                const labels = source && source.modal.components.some((c) => c.type === 18);
                // A select in the modal (inside a label) is submitted with its values.
                const selects = new Set(source ? source.modal.components
                    .filter((c) => c.type === 18 && c.component && c.component.type === 3)
                    .map((c) => c.component.custom_id) : []);
                let n = 0;
                components = Object.entries(fields).map(([cid, value]) => {
                    n += 2;
                    const input = selects.has(cid)
                        ? { type: 3, id: n, custom_id: cid, values: (Array.isArray(value) ? value : [value]).map(String) }
                        : { type: 4, id: n, custom_id: cid, value: String(value) };
                    return labels ? { type: 18, id: n - 1, component: input } : { type: 1, id: n - 1, components: [input] };
                });
            }
            data = { custom_id: spec.custom_id, components };
            const srcMsgId = spec.message_id || (source && source.type === TYPE.COMPONENT ? source.message_id : null);
            if (srcMsgId) {
                message = this.store.findMessage(String(srcMsgId));
                if (!message) throw new ControlError(404, `unknown message ${srcMsgId}`);
            }
        }

        const { user: _u, ...memberRest } = this.store.member(userId);
        const payload = {
            app_permissions: ALL_PERMISSIONS,
            application_id: IDS.application,
            attachment_size_limit: 10485760,
            authorizing_integration_owners: { 0: guildId },
            channel: { ...channel, permissions: ALL_PERMISSIONS },
            channel_id: channelId,
            context: 0,
            data,
            entitlement_sku_ids: [],
            entitlements: [],
            guild: { features: [], id: guildId, locale: 'en-US' },
            guild_id: guildId,
            guild_locale: 'en-US',
            id,
            locale: typeof spec.locale === 'string' ? spec.locale : 'en-US',
            member: { ...memberRest, user: this.store.userFor(userId),
                roles: Array.isArray(spec.roles) ? spec.roles.map(String) : memberRest.roles,
                permissions: typeof spec.permissions === 'string' ? spec.permissions : ALL_PERMISSIONS },
            token,
            type,
            version: 1,
        };
        if (message) payload.message = message;

        const rec = {
            id, token, type, kind, name, custom_id: spec.custom_id || null, user_id: userId, channel_id: channelId,
            guild_id: guildId, message_id: message ? message.id : null, created_at: Date.now(), delivered_at: null,
            acknowledged: false, response: null, attempts: [], original_message_id: null, followup_ids: [],
            choices: null, modal: null, payload,
        };
        this.store.addInteraction(rec);
        const results = this.gateway.dispatch('INTERACTION_CREATE', payload, { guildId, meta: { interaction: id } });
        if (results.length === 0) {
            this.store.interactions.delete(id);
            this.store.interactionsByToken.delete(token);
            throw new ControlError(409, 'no gateway session to dispatch the interaction to (is the bot identified?)');
        }
        rec.dispatch = results;
        const last = results[results.length - 1];
        this.log.add('interaction', { id, kind, name, custom_id: rec.custom_id, s: last.s, delivered: last.delivered });
        return { id, token, s: last.s, buffered: !results.some((r) => r.delivered) };
    }

    // ---- the callback -----------------------------------------------------------------
    callback(c) {
        const rec = this.store.interactions.get(c.params.interaction_id);
        const now = Date.now();
        if (!rec || rec.token !== c.params.token) throw E.unknownInteraction();
        const body = c.body;
        const attempt = { at: now, type: body && body.type, status: 204 };
        rec.attempts.push(attempt);
        if (rec.attempts.length > 20) rec.attempts.shift();
        const fail = (err) => { attempt.status = err.status; attempt.code = err.code; throw err; };
        if (rec.acknowledged) fail(E.alreadyAcked());
        if (rec.delivered_at === null || now - rec.delivered_at > this.deadlineMs) {
            rec.expired = true;
            fail(E.unknownInteraction());
        }
        if (!body || typeof body !== 'object' || !Number.isInteger(body.type)) {
            fail(E.invalidForm({ type: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } }));
        }
        if (!(ALLOWED[rec.type] || []).includes(body.type)
            || ((body.type === CB.UPDATE || body.type === CB.DEFERRED_UPDATE) && !rec.message_id)) {
            fail(new ApiError(400, 50035, 'Invalid Form Body', { type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID',
                message: `Interaction response type ${body.type} is not valid for interaction type ${rec.type}` }] } }));
        }
        const data = body.data || {};
        let msg = null;
        let created = false;
        try {
            switch (body.type) {
            case CB.MESSAGE: {
                checkBody({ ...data, _files: c.files.length }, false);
                msg = this.store.createMessage({ channelId: rec.channel_id, body: data, files: c.files,
                    type: rec.type === TYPE.COMMAND ? 20 : 0, flagsMask: RESPONSE_FLAGS, interaction: rec,
                    webhookId: IDS.application });
                rec.original_message_id = msg.id;
                created = true;
                break;
            }
            case CB.DEFERRED_MESSAGE: {
                const flags = (data.flags | 0) & FLAGS.EPHEMERAL;
                msg = this.store.createMessage({ channelId: rec.channel_id, body: { content: '', flags },
                    type: rec.type === TYPE.COMMAND ? 20 : 0, flagsMask: FLAGS.EPHEMERAL, extraFlags: FLAGS.LOADING,
                    interaction: rec, webhookId: IDS.application });
                rec.original_message_id = msg.id;
                created = true;
                break;
            }
            case CB.DEFERRED_UPDATE:
                rec.original_message_id = rec.message_id;
                break;
            case CB.UPDATE: {
                checkBody(data, true);
                msg = this.store.findMessage(rec.message_id);
                if (!msg) throw E.unknownMessage();
                this.store.editMessage(msg, data, c.files);
                rec.original_message_id = msg.id;
                break;
            }
            case CB.AUTOCOMPLETE: {
                const errs = validateChoices(data);
                if (errs) throw E.invalidForm(errs);
                rec.choices = data.choices;
                break;
            }
            case CB.MODAL: {
                const errs = validateModal(data);
                if (errs) throw E.invalidForm(errs);
                rec.modal = data;
                break;
            }
            default: break;
            }
        } catch (err) {
            if (err instanceof ApiError) fail(err);
            throw err;
        }
        rec.acknowledged = true;
        rec.response = { type: body.type, data: body.data === undefined ? null : body.data, at: now };
        if (msg) this.messages.emit(created ? 'MESSAGE_CREATE' : 'MESSAGE_UPDATE', msg);
        this.log.add('interaction_response', { id: rec.id, response_type: body.type, ms_after_delivery: now - rec.delivered_at });
        if (c.query.get('with_response') === 'true') {
            const resource = { type: body.type };
            if (msg) resource.message = msg;
            const original = rec.original_message_id ? this.store.findMessage(rec.original_message_id) : null;
            return { status: 200, body: {
                interaction: { id: rec.id, type: rec.type, activity_instance_id: null,
                    response_message_id: rec.original_message_id,
                    response_message_loading: !!(original && original.flags & FLAGS.LOADING),
                    response_message_ephemeral: !!(original && original.flags & FLAGS.EPHEMERAL) },
                resource,
            } };
        }
        return { status: 204 };
    }

    // ---- follow-up webhooks -------------------------------------------------------------
    byToken(params) {
        if (params.application_id !== IDS.application) throw E.unknownWebhook();
        const rec = this.store.interactionsByToken.get(params.token);
        if (!rec) throw E.unknownWebhook();
        if (Date.now() - rec.created_at > this.tokenTtlMs) throw E.invalidWebhookToken();
        if (!rec.acknowledged) throw E.unknownWebhook();
        return rec;
    }

    targetMessage(rec, messageId) {
        let id = messageId;
        if (id === '@original') {
            id = rec.original_message_id;
        } else if (id !== rec.original_message_id && !rec.followup_ids.includes(id)) {
            throw E.unknownMessage();
        }
        const msg = id ? this.store.findMessage(id) : null;
        if (!msg) throw E.unknownMessage();
        return msg;
    }

    routes() {
        const hookMajor = (p) => `${p.application_id}/${p.token}`;
        const msgPath = '/webhooks/:application_id/:token/messages/:message_id';
        return [
            { method: 'POST', path: '/interactions/:interaction_id/:token/callback', auth: 'none', exemptGlobal: true,
                major: (p) => `${p.interaction_id}/${p.token}`, handler: (c) => this.callback(c) },
            { method: 'POST', path: '/webhooks/:application_id/:token', auth: 'none', exemptGlobal: true, major: hookMajor,
                handler: (c) => {
                    const rec = this.byToken(c.params);
                    const body = c.body || {};
                    checkBody({ ...body, _files: c.files.length }, false);
                    const original = rec.original_message_id ? this.store.findMessage(rec.original_message_id) : null;
                    if (rec.response.type === CB.DEFERRED_MESSAGE && original && (original.flags & FLAGS.LOADING)) {
                        // Right after a deferral the first follow-up edits the loading message.
                        this.store.editMessage(original, body, c.files);
                        this.messages.emit('MESSAGE_UPDATE', original);
                        return { status: 200, body: original };
                    }
                    if (rec.followup_ids.length >= MAX_FOLLOWUPS) {
                        throw new ApiError(400, 30000, 'Maximum number of follow-up messages reached');
                    }
                    const msg = this.store.createMessage({ channelId: rec.channel_id, body, files: c.files,
                        flagsMask: RESPONSE_FLAGS, interaction: rec, webhookId: IDS.application,
                        type: rec.type === TYPE.COMMAND ? 20 : 0 });
                    rec.followup_ids.push(msg.id);
                    this.messages.emit('MESSAGE_CREATE', msg);
                    return { status: 200, body: msg };
                } },
            { method: 'GET', path: msgPath, auth: 'none', exemptGlobal: true, major: hookMajor, handler: (c) => {
                const rec = this.byToken(c.params);
                return { status: 200, body: this.targetMessage(rec, c.params.message_id) };
            } },
            { method: 'PATCH', path: msgPath, auth: 'none', exemptGlobal: true, major: hookMajor, handler: (c) => {
                const rec = this.byToken(c.params);
                const msg = this.targetMessage(rec, c.params.message_id);
                checkBody(c.body || {}, true);
                this.store.editMessage(msg, c.body || {}, c.files);
                this.messages.emit('MESSAGE_UPDATE', msg);
                return { status: 200, body: msg };
            } },
            { method: 'DELETE', path: msgPath, auth: 'none', exemptGlobal: true, major: hookMajor, handler: (c) => {
                const rec = this.byToken(c.params);
                const msg = this.targetMessage(rec, c.params.message_id);
                this.store.deleteMessage(msg.channel_id, msg.id);
                this.messages.emit('MESSAGE_DELETE', msg);
                return { status: 204 };
            } },
        ];
    }

    state() {
        return [...this.store.interactions.values()].map((r) => ({
            id: r.id, token: r.token, type: r.type, kind: r.kind, name: r.name, custom_id: r.custom_id,
            user_id: r.user_id, channel_id: r.channel_id, message_id: r.message_id, created_at: r.created_at,
            delivered_at: r.delivered_at, acknowledged: r.acknowledged, expired: !!r.expired, response: r.response,
            attempts: r.attempts, original_message_id: r.original_message_id, followup_ids: r.followup_ids,
            choices: r.choices, modal: r.modal, data: r.payload.data,
        }));
    }
}

module.exports = { Interactions, ControlError, TYPE, CB, Errs };
