'use strict';
// The fake's world: the fixed application, bot, guild, channels and users,
// the registered application commands, the messages (bounded per channel)
// and the interaction records. Builds Discord-shaped objects (users,
// members, guild, channels, full message objects) from them.

const { IDS, timestampOf } = require('./snowflake');
const { FLAGS } = require('./validate');

const ALL_PERMISSIONS = '2251799813685247';

function iso(ms) { return new Date(ms).toISOString().replace('Z', '+00:00'); }

class Store {
    constructor({ snowflakes, maxMessagesPerChannel = 200, maxInteractions = 500, appFlags = 0 }) {
        this.sf = snowflakes;
        this.maxMessagesPerChannel = maxMessagesPerChannel;
        this.maxInteractions = maxInteractions;
        this.startedAt = Date.now();

        this.botUser = {
            id: IDS.bot, username: 'ddc-bot', discriminator: '0', global_name: null, avatar: null,
            bot: true, system: false, flags: 0, public_flags: 0, banner: null, accent_color: null,
            avatar_decoration_data: null, primary_guild: null, clan: null,
        };
        this.users = new Map();
        this.users.set(IDS.bot, this.botUser);
        this.users.set(IDS.human, this.makeUser(IDS.human, 'ddc-admin', 'DDC Admin'));
        this.application = {
            id: IDS.application, name: 'ddc', icon: null, description: 'DockerDiscordControl (fake)',
            summary: '', type: null, hook: true, bot_public: false, bot_require_code_grant: false,
            verify_key: '0'.repeat(64), flags: appFlags, owner: this.users.get(IDS.human), team: null,
            bot: this.botUser, approximate_guild_count: 1, redirect_uris: [], interactions_endpoint_url: null,
            tags: [], install_params: null, integration_types_config: { 0: {} },
        };
        this.guildJoinedAt = iso(this.startedAt);
        this.channels = new Map();
        for (const [id, name, pos] of [[IDS.channel, 'ddc-status', 0], [IDS.channel2, 'ddc-control', 1]]) {
            this.channels.set(id, {
                id, type: 0, guild_id: IDS.guild, name, position: pos, permission_overwrites: [], topic: null,
                nsfw: false, last_message_id: null, rate_limit_per_user: 0, parent_id: null, flags: 0,
                last_pin_timestamp: null,
            });
        }
        this.roles = [{
            id: IDS.guild, name: '@everyone', color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
            hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: '1071698660929',
            managed: false, mentionable: false, flags: 0,
        }, {
            id: '1100000000000000110', name: 'ddc', color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
            hoist: false, icon: null, unicode_emoji: null, position: 1, permissions: '8', managed: true,
            mentionable: false, flags: 0, tags: { bot_id: IDS.bot },
        }];

        this.commands = new Map(); // scope ('global' | guild id) -> [command]
        this.messages = new Map(); // channel id -> Map(message id -> message)
        this.interactions = new Map(); // id -> record
        this.interactionsByToken = new Map(); // token -> record
    }

    makeUser(id, username, globalName = null) {
        return {
            id, username, discriminator: '0', global_name: globalName, avatar: null, bot: false, system: false,
            flags: 0, public_flags: 0, banner: null, accent_color: null, avatar_decoration_data: null,
            primary_guild: null, clan: null,
        };
    }

    // Any snowflake can act as a human user (for interactions from others).
    userFor(id) {
        let u = this.users.get(id);
        if (!u) {
            if (this.users.size >= 1000) throw new Error('too many users');
            u = this.makeUser(id, `user-${id.slice(-6)}`);
            this.users.set(id, u);
        }
        return u;
    }

    member(userId) {
        const isBot = userId === IDS.bot;
        return {
            user: this.userFor(userId), nick: null, avatar: null, banner: null,
            roles: isBot ? ['1100000000000000110'] : [], joined_at: this.guildJoinedAt, premium_since: null,
            deaf: false, mute: false, flags: 0, pending: false, communication_disabled_until: null,
            unusual_dm_activity_until: null, avatar_decoration_data: null, collectibles: null,
        };
    }

    guild({ forGateway }) {
        const g = {
            id: IDS.guild, name: 'ddc test guild', icon: null, icon_hash: null, splash: null, discovery_splash: null,
            owner_id: IDS.human, afk_channel_id: null, afk_timeout: 300, widget_enabled: false, widget_channel_id: null,
            verification_level: 0, default_message_notifications: 0, explicit_content_filter: 0,
            roles: this.roles, emojis: [], stickers: [], features: [], mfa_level: 0, application_id: null,
            system_channel_id: IDS.channel, system_channel_flags: 0, rules_channel_id: null, vanity_url_code: null,
            description: null, banner: null, premium_tier: 0, premium_subscription_count: 0, preferred_locale: 'en-US',
            public_updates_channel_id: null, max_video_channel_users: 25, max_stage_video_channel_users: 50,
            nsfw_level: 0, nsfw: false, premium_progress_bar_enabled: false, safety_alerts_channel_id: null,
            max_members: 500000, incidents_data: null, region: 'deprecated', home_header: null,
        };
        if (forGateway) {
            Object.assign(g, {
                joined_at: this.guildJoinedAt, large: false, unavailable: false, member_count: 2,
                voice_states: [], members: [this.member(IDS.bot)],
                channels: [...this.channels.values()].map((c) => { const { guild_id: _g, ...rest } = c; return rest; }),
                threads: [], presences: [], stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
                embedded_activities: [], activity_instances: [], lazy: true, application_command_counts: {},
                latest_onboarding_question_id: null, hub_type: null, version: Date.now(),
            });
        }
        return g;
    }

    // ---- commands ----------------------------------------------------------
    commandList(scope) { return this.commands.get(scope) || []; }

    normalizeCommand(scope, c, existing) {
        const type = c.type || 1;
        const out = {
            id: existing ? existing.id : this.sf.next(),
            application_id: IDS.application,
            version: this.sf.next(),
            default_member_permissions: c.default_member_permissions ?? null,
            type,
            name: c.name,
            name_localizations: c.name_localizations ?? null,
            description: type === 1 ? c.description : '',
            description_localizations: c.description_localizations ?? null,
            dm_permission: c.dm_permission ?? true,
            contexts: c.contexts ?? null,
            integration_types: c.integration_types ?? [0],
            nsfw: !!c.nsfw,
        };
        if (Array.isArray(c.options) && c.options.length) out.options = c.options;
        if (scope !== 'global') { out.guild_id = scope; delete out.dm_permission; }
        return out;
    }

    setCommands(scope, list) {
        const old = this.commandList(scope);
        const out = list.map((c) => {
            const prev = old.find((o) => o.name === c.name && o.type === (c.type || 1));
            return this.normalizeCommand(scope, c, prev);
        });
        this.commands.set(scope, out);
        return out;
    }

    upsertCommand(scope, c) {
        const list = this.commandList(scope).slice();
        const i = list.findIndex((o) => o.name === c.name && o.type === (c.type || 1));
        const cmd = this.normalizeCommand(scope, c, i === -1 ? null : list[i]);
        if (i === -1) list.push(cmd); else list[i] = cmd;
        this.commands.set(scope, list);
        return { cmd, created: i === -1 };
    }

    findCommandByName(name, guildId) {
        for (const scope of [guildId, 'global']) {
            if (!scope) continue;
            const c = this.commandList(scope).find((x) => x.name === name);
            if (c) return c;
        }
        return null;
    }

    allCommands() {
        const out = [];
        for (const list of this.commands.values()) out.push(...list);
        return out;
    }

    // ---- messages ------------------------------------------------------------
    channelMessages(channelId) {
        let m = this.messages.get(channelId);
        if (!m) { m = new Map(); this.messages.set(channelId, m); }
        return m;
    }

    normalizeEmbeds(embeds) {
        return (embeds || []).map((e) => {
            const out = { type: 'rich', ...e };
            out.type = 'rich';
            if (out.timestamp) out.timestamp = iso(Date.parse(out.timestamp));
            if (Array.isArray(out.fields)) out.fields = out.fields.map((f) => ({ name: f.name, value: f.value, inline: !!f.inline }));
            for (const k of ['image', 'thumbnail']) {
                if (out[k] && out[k].url) out[k] = { url: out[k].url, proxy_url: out[k].url, width: 0, height: 0, flags: 0 };
            }
            return out;
        });
    }

    // Discord numbers every component of a message (depth first, from 1).
    normalizeComponents(components) {
        let n = 0;
        const walk = (list) => (list || []).map((c) => {
            const out = { ...c };
            n += 1;
            if (out.id === undefined) out.id = n;
            if (Array.isArray(out.components)) out.components = walk(out.components);
            if (out.accessory) out.accessory = walk([out.accessory])[0];
            if (out.component) out.component = walk([out.component])[0];
            return out;
        });
        return walk(components);
    }

    mentionsIn(content) {
        const out = [];
        const re = /<@!?([0-9]{17,20})>/g;
        let m;
        while ((m = re.exec(content || '')) && out.length < 100) {
            const u = this.users.get(m[1]);
            if (u && !out.some((x) => x.id === u.id)) out.push(u);
        }
        return out;
    }

    attachmentsFrom(body, files) {
        const list = [];
        (files || []).forEach((f, i) => {
            const meta = Array.isArray(body.attachments) ? body.attachments.find((a) => String(a.id) === String(i)) : null;
            const id = this.sf.next();
            list.push({
                id, filename: f.filename, size: f.size, content_type: f.content_type || 'application/octet-stream',
                url: `https://cdn.discordapp.com/attachments/0/${id}/${f.filename}`,
                proxy_url: `https://media.discordapp.net/attachments/0/${id}/${f.filename}`,
                description: meta && meta.description ? meta.description : undefined,
            });
        });
        return list;
    }

    // Create a message. opts: {channelId, author, body, files, type, flagsMask,
    // interaction (record), webhookId, ephemeral}
    createMessage(opts) {
        const { channelId, body } = opts;
        const id = this.sf.next();
        const ms = timestampOf(id);
        let flags = (body.flags | 0) & (opts.flagsMask ?? (FLAGS.SUPPRESS_EMBEDS | FLAGS.SUPPRESS_NOTIFICATIONS | FLAGS.IS_COMPONENTS_V2));
        flags |= opts.extraFlags || 0;
        const msg = {
            type: opts.type || 0,
            channel_id: channelId,
            content: typeof body.content === 'string' ? body.content : '',
            attachments: this.attachmentsFrom(body, opts.files),
            embeds: this.normalizeEmbeds(body.embeds),
            timestamp: iso(ms),
            edited_timestamp: null,
            flags,
            components: this.normalizeComponents(body.components),
            id,
            author: opts.author || this.botUser,
            mentions: this.mentionsIn(body.content),
            mention_roles: [],
            pinned: false,
            mention_everyone: false,
            tts: !!body.tts,
        };
        if (body.nonce !== undefined && body.nonce !== null) msg.nonce = body.nonce;
        if (opts.webhookId) { msg.webhook_id = opts.webhookId; msg.application_id = IDS.application; }
        if (opts.interaction) {
            const it = opts.interaction;
            msg.interaction_metadata = {
                id: it.id, type: it.type, user: this.userFor(it.user_id),
                authorizing_integration_owners: it.payload.authorizing_integration_owners,
            };
            if (it.type === 2) msg.interaction_metadata.name = it.name;
            if (it.type === 3 && it.message_id) msg.interaction_metadata.interacted_message_id = it.message_id;
            msg.interaction = { id: it.id, type: it.type, name: it.name || '', user: this.userFor(it.user_id) };
        }
        const ref = body.message_reference;
        if (ref && ref.message_id) {
            const target = this.getMessage(ref.channel_id || channelId, ref.message_id);
            msg.type = 19;
            msg.message_reference = { type: 0, channel_id: ref.channel_id || channelId, message_id: ref.message_id, guild_id: IDS.guild };
            msg.referenced_message = target || null;
        }
        msg.position = 0;
        const store = this.channelMessages(channelId);
        store.set(id, msg);
        while (store.size > this.maxMessagesPerChannel) store.delete(store.keys().next().value);
        const ch = this.channels.get(channelId);
        if (ch && !(flags & FLAGS.EPHEMERAL)) ch.last_message_id = id;
        return msg;
    }

    getMessage(channelId, id) {
        const m = this.messages.get(channelId);
        return (m && m.get(id)) || null;
    }

    findMessage(id) {
        for (const m of this.messages.values()) if (m.has(id)) return m.get(id);
        return null;
    }

    editMessage(msg, body, files) {
        if ('content' in body) msg.content = body.content ?? '';
        if ('embeds' in body) msg.embeds = this.normalizeEmbeds(body.embeds ?? []);
        if ('components' in body) msg.components = this.normalizeComponents(body.components ?? []);
        if ('flags' in body && body.flags !== null) {
            const keep = msg.flags & ~(FLAGS.SUPPRESS_EMBEDS);
            msg.flags = keep | ((body.flags | 0) & FLAGS.SUPPRESS_EMBEDS);
        }
        if ('attachments' in body || (files && files.length)) {
            const keepIds = new Set((body.attachments || []).map((a) => String(a.id)));
            const kept = msg.attachments.filter((a) => keepIds.has(a.id));
            msg.attachments = kept.concat(this.attachmentsFrom(body, files));
        }
        if ('content' in body) msg.mentions = this.mentionsIn(msg.content);
        msg.flags &= ~FLAGS.LOADING;
        msg.edited_timestamp = iso(Date.now());
        return msg;
    }

    deleteMessage(channelId, id) {
        const m = this.messages.get(channelId);
        return !!(m && m.delete(id));
    }

    allMessages() {
        const out = [];
        for (const m of this.messages.values()) out.push(...m.values());
        return out;
    }

    // ---- interactions -----------------------------------------------------------
    addInteraction(rec) {
        this.interactions.set(rec.id, rec);
        this.interactionsByToken.set(rec.token, rec);
        while (this.interactions.size > this.maxInteractions) {
            const oldest = this.interactions.values().next().value;
            this.interactions.delete(oldest.id);
            this.interactionsByToken.delete(oldest.token);
        }
    }
}

module.exports = { Store, ALL_PERMISSIONS, iso };
