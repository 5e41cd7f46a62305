'use strict';
// Channel messages over REST (create, list, get, edit, delete), their
// gateway events (MESSAGE_CREATE/UPDATE/DELETE for sessions with the
// GUILD_MESSAGES intent), and the helpers that the interaction webhooks
// share with them.

const { E } = require('./http');
const { validateMessage, FLAGS } = require('./validate');
const { IDS } = require('./snowflake');

const GUILD_MESSAGES = 1 << 9;

function checkBody(body, partial) {
    const v = validateMessage(body || {}, { partial });
    if (!v) return;
    if (v.empty) throw E.emptyMessage();
    throw E.invalidForm(v.errors);
}

class Messages {
    constructor({ store, gateway }) {
        this.store = store;
        this.gateway = gateway;
    }

    emit(kind, msg) {
        if (msg.flags & FLAGS.EPHEMERAL) return;
        const ch = this.store.channels.get(msg.channel_id);
        const guildId = ch ? ch.guild_id : null;
        if (kind === 'MESSAGE_DELETE') {
            this.gateway.dispatch(kind, { id: msg.id, channel_id: msg.channel_id, guild_id: guildId },
                { guildId, intent: GUILD_MESSAGES });
            return;
        }
        const d = { ...msg, guild_id: guildId };
        if (guildId) {
            const { user: _u, ...member } = this.store.member(msg.author.id);
            d.member = member;
        }
        this.gateway.dispatch(kind, d, { guildId, intent: GUILD_MESSAGES });
    }

    channel(id) {
        const ch = this.store.channels.get(id);
        if (!ch) throw E.unknownChannel();
        return ch;
    }

    // A message of the channel that the channel routes may see (not ephemeral).
    visible(channelId, messageId) {
        const m = this.store.getMessage(channelId, messageId);
        if (!m || (m.flags & FLAGS.EPHEMERAL)) throw E.unknownMessage();
        return m;
    }

    routes() {
        const major = (p) => p.channel_id;
        return [
            { method: 'POST', path: '/channels/:channel_id/messages', major, handler: (c) => {
                this.channel(c.params.channel_id);
                const body = { ...(c.body || {}), _files: c.files.length };
                checkBody(body, false);
                delete body._files;
                const msg = this.store.createMessage({ channelId: c.params.channel_id, body, files: c.files });
                this.emit('MESSAGE_CREATE', msg);
                return { status: 200, body: msg };
            } },
            { method: 'GET', path: '/channels/:channel_id/messages', major, handler: (c) => {
                this.channel(c.params.channel_id);
                let limit = Number(c.query.get('limit') || 50);
                if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
                    throw E.invalidForm({ limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be <= 100 and >= 1.' }] } });
                }
                let list = [...this.store.channelMessages(c.params.channel_id).values()]
                    .filter((m) => !(m.flags & FLAGS.EPHEMERAL));
                const before = c.query.get('before');
                const after = c.query.get('after');
                const around = c.query.get('around');
                const cmp = (a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
                list.sort((a, b) => cmp(b.id, a.id)); // newest first
                if (before) list = list.filter((m) => cmp(m.id, before) < 0).slice(0, limit);
                else if (after) list = list.filter((m) => cmp(m.id, after) > 0).slice(-limit);
                else if (around) {
                    const i = list.findIndex((m) => cmp(m.id, around) <= 0);
                    const start = Math.max(0, (i === -1 ? list.length : i) - Math.floor(limit / 2));
                    list = list.slice(start, start + limit);
                } else list = list.slice(0, limit);
                return { status: 200, body: list };
            } },
            { method: 'GET', path: '/channels/:channel_id/messages/:message_id', major, handler: (c) => {
                this.channel(c.params.channel_id);
                return { status: 200, body: this.visible(c.params.channel_id, c.params.message_id) };
            } },
            { method: 'PATCH', path: '/channels/:channel_id/messages/:message_id', major, handler: (c) => {
                this.channel(c.params.channel_id);
                const m = this.visible(c.params.channel_id, c.params.message_id);
                if (m.author.id !== IDS.bot) throw E.cannotEditOthers();
                checkBody(c.body || {}, true);
                this.store.editMessage(m, c.body || {}, c.files);
                this.emit('MESSAGE_UPDATE', m);
                return { status: 200, body: m };
            } },
            { method: 'DELETE', path: '/channels/:channel_id/messages/:message_id', major, handler: (c) => {
                this.channel(c.params.channel_id);
                const m = this.visible(c.params.channel_id, c.params.message_id);
                this.store.deleteMessage(c.params.channel_id, m.id);
                this.emit('MESSAGE_DELETE', m);
                return { status: 204 };
            } },
            { method: 'GET', path: '/channels/:channel_id', major, handler: (c) => ({ status: 200, body: this.channel(c.params.channel_id) }) },
        ];
    }
}

module.exports = { Messages, checkBody, GUILD_MESSAGES };
