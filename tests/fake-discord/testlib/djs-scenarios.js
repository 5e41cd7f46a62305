'use strict';
// The discord.js scenarios (login, commands, messages, interactions,
// deadlines, reconnects and resumes, rate limits, invalid tokens), defined
// once and run by test/djs-*.test.js with and without zlib-stream.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startFake, waitFor, sleep, TOKEN, IDS } = require('./harness');

function zlibSyncAvailable() {
    try { require('zlib-sync'); return true; } catch { return false; }
}

function define(mode) {
    const skip = mode === 'zlib-stream' && !zlibSyncAvailable() ? 'zlib-sync is not installed' : false;
    describe(`discord.js (${mode})`, { skip }, () => {
        // Required lazily: no-zlib-sync.js must act before discord.js loads.
        const {
            Client, GatewayIntentBits, Events, DiscordAPIError, Routes, MessageFlags, ButtonStyle, ComponentType,
            ActionRowBuilder, ButtonBuilder, EmbedBuilder, ModalBuilder, TextInputBuilder, TextInputStyle,
            RESTEvents, ApplicationCommandOptionType,
        } = require('discord.js');
        const { WebSocketManager, WebSocketShardEvents } = require('@discordjs/ws');
        const { REST } = require('@discordjs/rest');

        let fake;
        let client;
        let channel;
        const responses = [];
        const unhandled = [];
        const onUnhandled = (e) => unhandled.push(e);

        const nextInteraction = (pred = () => true, timeout = 5000) => new Promise((resolve, reject) => {
            const t = setTimeout(() => { client.off(Events.InteractionCreate, h); reject(new Error('no interaction')); }, timeout);
            const h = (i) => { if (pred(i)) { clearTimeout(t); client.off(Events.InteractionCreate, h); resolve(i); } };
            client.on(Events.InteractionCreate, h);
        });
        const once = (emitter, ev, timeout = 10000) => new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`no ${ev} event within ${timeout} ms`)), timeout);
            emitter.once(ev, (...a) => { clearTimeout(t); resolve(a); });
        });
        const inject = (spec) => fake.control('interaction', spec);
        const session = async () => (await fake.state()).sessions;
        const buttonsRow = (prefix) => new ActionRowBuilder().addComponents(
            new ButtonBuilder().setCustomId(`${prefix}:start`).setLabel('Start').setStyle(ButtonStyle.Success),
            new ButtonBuilder().setCustomId(`${prefix}:stop`).setLabel('Stop').setStyle(ButtonStyle.Danger));

        before(async () => {
            process.on('unhandledRejection', onUnhandled);
            fake = await startFake(['--heartbeat-interval', '1000', '--heartbeat-timeout', '5000']);
            client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.api }, waitGuildTimeout: 2000 });
            client.rest.on(RESTEvents.Response, (req, res) => responses.push({ req, status: res.status, headers: res.headers, at: Date.now() }));
        });
        after(async () => {
            process.off('unhandledRejection', onUnhandled);
            if (client) await client.destroy();
            if (fake) await fake.stop();
        });

        it('logs in: GET /gateway/bot, HELLO, IDENTIFY, READY (s=1), GUILD_CREATE (s=2), clientReady', async () => {
            const ready = once(client, Events.ClientReady);
            await client.login(TOKEN);
            await ready;
            assert.equal(client.user.id, IDS.bot);
            assert.equal(client.application.id, IDS.app);
            const guild = client.guilds.cache.get(IDS.guild);
            assert.ok(guild && guild.available, 'guild available from GUILD_CREATE');
            channel = client.channels.cache.get(IDS.channel);
            assert.ok(channel, 'channel cached from GUILD_CREATE');
            const log = await fake.log();
            const first = log.find((e) => e.type === 'rest');
            assert.equal(first.path, '/api/v10/gateway/bot');
            assert.equal(first.auth, 'bot');
            assert.match(first.ua, /^DiscordBot \(https:\/\/discord\.js\.org, [0-9.]+\) discord\.js\/14\./);
            const open = log.find((e) => e.type === 'gw_open');
            assert.equal(open.path, '/gateway');
            assert.equal(open.query.v, '10');
            assert.equal(open.query.encoding, 'json');
            assert.equal(open.query.compress, mode === 'zlib-stream' ? 'zlib-stream' : undefined);
            const outs = log.filter((e) => e.type === 'gw_out' && e.conn === open.conn);
            assert.equal(outs[0].op, 10);
            assert.deepEqual(outs.slice(1, 3).map((e) => [e.t, e.s]), [['READY', 1], ['GUILD_CREATE', 2]]);
            const ident = log.find((e) => e.type === 'gw_in' && e.op === 2);
            assert.equal(ident.d.token, TOKEN);
            assert.equal(ident.d.intents, 1);
            assert.deepEqual(ident.d.shard, [0, 1]);
            const s = await session();
            assert.equal(s.length, 1);
            assert.equal(s[0].connected, true);
        });

        it('heartbeats carry the last sequence number and are acknowledged (ws.ping)', async () => {
            await waitFor(() => client.ws.ping >= 0, { timeout: 4000, what: 'a heartbeat ACK' });
            await fake.control('reset-log'); // no dispatch happens from here on
            const seq = (await session())[0].seq;
            assert.equal(seq, 2, 'READY and GUILD_CREATE');
            await waitFor(async () => (await fake.log()).filter((e) => e.type === 'gw_in' && e.op === 1).length >= 2,
                { timeout: 4000, what: 'two heartbeats' });
            const log = await fake.log();
            const beats = log.filter((e) => e.type === 'gw_in' && e.op === 1);
            for (const b of beats) assert.equal(b.d, seq, 'heartbeat d = last seq');
            const gap = beats[1].at - beats[0].at;
            assert.ok(gap > 700 && gap < 1300, `heartbeats ${gap} ms apart (interval 1000)`);
            const acks = log.filter((e) => e.type === 'gw_out' && e.op === 11).length;
            assert.ok(acks >= beats.length - 1);
        });

        it('registers guild commands with a bulk overwrite (PUT) and lists them (GET)', async () => {
            const guild = client.guilds.cache.get(IDS.guild);
            const defs = [
                { name: 'status', description: 'Show container status' },
                { name: 'control', description: 'Control a container', options: [
                    { type: ApplicationCommandOptionType.String, name: 'container', description: 'Container', required: true, autocomplete: true },
                    { type: ApplicationCommandOptionType.String, name: 'action', description: 'Action', required: true,
                        choices: [{ name: 'start', value: 'start' }, { name: 'stop', value: 'stop' }] }] },
                { name: 'logs', description: 'Show logs', options: [
                    { type: ApplicationCommandOptionType.String, name: 'container', description: 'Container', required: true },
                    { type: ApplicationCommandOptionType.Integer, name: 'lines', description: 'Lines', min_value: 1, max_value: 500 }] },
            ];
            const set = await guild.commands.set(defs);
            assert.equal(set.size, 3);
            const fetched = await guild.commands.fetch();
            assert.deepEqual([...fetched.values()].map((c) => c.name).sort(), ['control', 'logs', 'status']);
            const ids = new Map([...set.values()].map((c) => [c.name, c.id]));
            const again = await guild.commands.set(defs.slice(0, 2));
            assert.equal(again.size, 2);
            for (const c of again.values()) assert.equal(c.id, ids.get(c.name), 'ids kept across overwrites');
            await guild.commands.set(defs);
            const log = await fake.log();
            assert.ok(log.some((e) => e.type === 'rest' && e.method === 'PUT'
                && e.path === `/api/v10/applications/${IDS.app}/guilds/${IDS.guild}/commands` && e.status === 200));
            assert.ok(log.some((e) => e.type === 'rest' && e.method === 'GET' && e.route === '/applications/:application_id/guilds/:guild_id/commands'));
            await assert.rejects(guild.commands.create({ name: 'x', description: '' }),
                (err) => err instanceof DiscordAPIError && err.code === 50035);
            assert.equal((await fake.state()).commands.length, 3);
        });

        it('sends, edits, fetches and deletes a message with an embed and two buttons', async () => {
            const embed = new EmbedBuilder().setTitle('nginx').setDescription('running').setColor(0x00ff00)
                .addFields({ name: 'CPU', value: '1%', inline: true });
            const m = await channel.send({ embeds: [embed], components: [buttonsRow('msg')] });
            assert.match(m.id, /^[0-9]{17,20}$/);
            assert.equal(m.author.id, IDS.bot);
            assert.equal(m.channelId, IDS.channel);
            assert.equal(m.embeds[0].title, 'nginx');
            assert.equal(m.embeds[0].fields[0].name, 'CPU');
            assert.equal(m.components[0].components.length, 2);
            assert.equal(m.components[0].components[0].customId, 'msg:start');
            assert.ok(Math.abs(m.createdTimestamp - Date.now()) < 5000, 'timestamp from the snowflake');
            const e = await m.edit({ content: 'edited', embeds: [embed.setDescription('stopped')] });
            assert.equal(e.content, 'edited');
            assert.ok(e.editedTimestamp);
            const f = await channel.messages.fetch({ message: m.id, force: true });
            assert.equal(f.content, 'edited');
            assert.equal(f.embeds[0].description, 'stopped');
            await m.delete();
            await assert.rejects(channel.messages.fetch({ message: m.id, force: true }),
                (err) => err instanceof DiscordAPIError && err.code === 10008 && err.status === 404);
        });

        it('slash command with options -> ephemeral reply', async () => {
            const p = nextInteraction();
            const inj = await inject({ kind: 'command', name: 'logs', options: { container: 'nginx', lines: 20 } });
            assert.equal(inj.buffered, false);
            const i = await p;
            assert.equal(i.id, inj.id);
            assert.ok(i.isChatInputCommand());
            assert.equal(i.commandName, 'logs');
            assert.equal(i.channelId, IDS.channel);
            assert.equal(i.guildId, IDS.guild);
            assert.equal(i.user.id, IDS.human);
            assert.equal(i.options.getString('container'), 'nginx');
            assert.equal(i.options.getInteger('lines'), 20);
            await i.reply({ content: 'only you', flags: MessageFlags.Ephemeral });
            const rec = (await fake.state()).interactions.find((x) => x.id === inj.id);
            assert.equal(rec.response.type, 4);
            assert.equal(rec.response.data.flags & 64, 64);
            const msg = (await fake.state()).messages.find((x) => x.id === rec.original_message_id);
            assert.equal(msg.content, 'only you');
            assert.equal(msg.flags & 64, 64);
        });

        it('deferReply + editReply (@original) + followUp answer with full message objects', async () => {
            const p = nextInteraction();
            const inj = await inject({ kind: 'command', name: 'status' });
            const i = await p;
            await i.deferReply();
            let rec = (await fake.state()).interactions.find((x) => x.id === inj.id);
            assert.equal(rec.response.type, 5);
            const loading = (await fake.state()).messages.find((x) => x.id === rec.original_message_id);
            assert.equal(loading.flags & 128, 128, 'LOADING while deferred');
            const edited = await i.editReply({ content: 'all good', embeds: [{ title: 'status' }] });
            assert.equal(edited.id, rec.original_message_id);
            assert.equal(edited.content, 'all good');
            assert.equal(edited.author.id, IDS.bot);
            assert.equal(edited.embeds[0].title, 'status');
            assert.equal(edited.interactionMetadata.id, inj.id);
            const fu = await i.followUp({ content: 'and more', components: [buttonsRow('fu')] });
            assert.notEqual(fu.id, edited.id);
            assert.equal(fu.content, 'and more');
            assert.equal(fu.channelId, IDS.channel);
            assert.equal(fu.components[0].components[1].customId, 'fu:stop');
            const fetched = await i.fetchReply();
            assert.equal(fetched.id, edited.id);
            rec = (await fake.state()).interactions.find((x) => x.id === inj.id);
            assert.deepEqual(rec.followup_ids, [fu.id]);
            const log = await fake.log();
            const patch = log.find((e) => e.type === 'rest' && e.method === 'PATCH' && e.path.includes(inj.token));
            assert.ok(patch.path.endsWith('/messages/%40original'), 'discord.js percent-encodes @original');
            assert.equal(patch.auth, 'none');
            assert.equal(patch.status, 200);
            assert.ok(log.some((e) => e.type === 'rest' && e.method === 'POST' && e.path.includes('?wait=true')));
        });

        it('autocomplete -> respond (type 8) with choices', async () => {
            const p = nextInteraction();
            const inj = await inject({ kind: 'autocomplete', name: 'control', value: 'ng' });
            const i = await p;
            assert.ok(i.isAutocomplete());
            assert.equal(i.options.getFocused(), 'ng');
            const focused = i.options.getFocused(true);
            assert.equal(focused.name, 'container');
            await i.respond([{ name: 'nginx', value: 'nginx' }, { name: 'nginx-proxy', value: 'nginx-proxy' }]);
            const rec = (await fake.state()).interactions.find((x) => x.id === inj.id);
            assert.equal(rec.response.type, 8);
            assert.deepEqual(rec.choices.map((c) => c.value), ['nginx', 'nginx-proxy']);
        });

        it('button -> update (type 7) edits the message the button is on', async () => {
            const m = await channel.send({ content: 'nginx: stopped', components: [buttonsRow('upd')] });
            const p = nextInteraction();
            const inj = await inject({ kind: 'button', custom_id: 'upd:start', message_id: m.id });
            const i = await p;
            assert.ok(i.isButton());
            assert.equal(i.customId, 'upd:start');
            assert.equal(i.message.id, m.id);
            assert.equal(i.componentType, ComponentType.Button);
            await i.update({ content: 'nginx: running', components: [] });
            const f = await channel.messages.fetch({ message: m.id, force: true });
            assert.equal(f.content, 'nginx: running');
            assert.equal(f.components.length, 0);
            const rec = (await fake.state()).interactions.find((x) => x.id === inj.id);
            assert.equal(rec.response.type, 7);
        });

        it('button -> deferUpdate (type 6) + editReply edits the component message', async () => {
            const m = await channel.send({ content: 'nginx: running', components: [buttonsRow('def')] });
            const p = nextInteraction();
            await inject({ kind: 'button', custom_id: 'def:stop' }); // found by custom_id
            const i = await p;
            assert.equal(i.message.id, m.id);
            await i.deferUpdate();
            const r = await i.editReply({ content: 'nginx: stopped' });
            assert.equal(r.id, m.id);
            const f = await channel.messages.fetch({ message: m.id, force: true });
            assert.equal(f.content, 'nginx: stopped');
        });

        it('showModal (type 9), then the modal submit is handled and answered', async () => {
            const p = nextInteraction();
            const inj = await inject({ kind: 'command', name: 'control', options: { container: 'nginx', action: 'stop' } });
            const i = await p;
            const modal = new ModalBuilder().setCustomId('confirm:nginx').setTitle('Stop nginx?').addComponents(
                new ActionRowBuilder().addComponents(new TextInputBuilder().setCustomId('reason')
                    .setLabel('Reason').setStyle(TextInputStyle.Short)));
            await i.showModal(modal);
            const rec = (await fake.state()).interactions.find((x) => x.id === inj.id);
            assert.equal(rec.response.type, 9);
            assert.equal(rec.modal.custom_id, 'confirm:nginx');
            const p2 = nextInteraction();
            await inject({ kind: 'modal', custom_id: 'confirm:nginx', fields: { reason: 'maintenance' } });
            const s = await p2;
            assert.ok(s.isModalSubmit());
            assert.equal(s.customId, 'confirm:nginx');
            assert.equal(s.fields.getTextInputValue('reason'), 'maintenance');
            await s.reply({ content: 'stopping', flags: MessageFlags.Ephemeral });
        });

        it('a first response after the 3 s deadline fails with 10062 Unknown interaction', async () => {
            const p = nextInteraction();
            const inj = await inject({ kind: 'command', name: 'status' });
            const i = await p;
            await sleep(3200);
            await assert.rejects(i.reply({ content: 'too late' }),
                (err) => err instanceof DiscordAPIError && err.code === 10062 && err.status === 404);
            const rec = (await fake.state()).interactions.find((x) => x.id === inj.id);
            assert.equal(rec.expired, true);
            assert.equal(rec.acknowledged, false);
        });

        it('a second acknowledgement fails with 40060', async () => {
            const p = nextInteraction();
            await inject({ kind: 'command', name: 'status' });
            const i = await p;
            await i.reply({ content: 'first' });
            // discord.js guards against double replies itself, so go around it.
            await assert.rejects(client.rest.post(Routes.interactionCallback(i.id, i.token),
                { body: { type: 4, data: { content: 'second' } }, auth: false }),
            (err) => err instanceof DiscordAPIError && err.code === 40060 && err.status === 400);
        });

        it('op 1 from the server gets an immediate heartbeat', async () => {
            await fake.control('reset-log');
            const t0 = Date.now();
            await fake.control('request-heartbeat');
            const beat = await fake.waitLog((e) => e.type === 'gw_in' && e.op === 1, { timeout: 900 });
            assert.ok(beat.at - t0 < 500, `heartbeat ${beat.at - t0} ms after op 1`);
            // the fake's own check agrees
            const answered = await fake.waitLog((e) => e.type === 'gw_heartbeat_answered');
            assert.equal(answered.conn, beat.conn);
            const conn = (await fake.state()).connections.find((c) => c.id === beat.conn);
            assert.equal(conn.heartbeat_requests.answered, conn.heartbeat_requests.sent);
            assert.equal(conn.heartbeat_requests.missed, 0);
        });

        it('op 7: the client closes (4200), resumes on resume_gateway_url (/resume) and gets RESUMED', async () => {
            const before = await session();
            await fake.control('reset-log');
            const resumed = once(client, Events.ShardResume);
            await fake.control('reconnect', { grace_ms: 3000 });
            await resumed;
            const log = await fake.log();
            const closed = log.find((e) => e.type === 'gw_closed');
            assert.equal(closed.by, 'client');
            assert.equal(closed.code, 4200);
            const open = log.find((e) => e.type === 'gw_open');
            assert.equal(open.path, '/resume');
            assert.equal(open.query.v, '10');
            const op6 = log.find((e) => e.type === 'gw_in' && e.op === 6);
            assert.equal(op6.d.session_id, before[0].id);
            assert.equal(op6.d.seq, before[0].seq);
            assert.ok(!log.some((e) => e.type === 'gw_in' && e.op === 2), 'no IDENTIFY on a resume');
            const after = await session();
            assert.equal(after.length, 1);
            assert.equal(after[0].id, before[0].id);
            assert.equal(after[0].connected, true);
            assert.equal(after[0].path, '/resume');
        });

        it('close 4000 while an interaction is pending: resume, replay, and the reply works', async () => {
            await fake.control('reset-log');
            const resumed = once(client, Events.ShardResume);
            const p = nextInteraction();
            await fake.control('close', { code: 4000 });
            const inj = await inject({ kind: 'command', name: 'status' });
            assert.equal(inj.buffered, true, 'dispatched while no socket was connected');
            await resumed;
            const i = await p;
            assert.equal(i.id, inj.id);
            await i.reply({ content: 'after resume' });
            const log = await fake.log();
            const r = log.find((e) => e.type === 'gw_resumed');
            assert.ok(r.replayed >= 1);
            const op6 = log.find((e) => e.type === 'gw_in' && e.op === 6);
            assert.ok(op6.d.seq < inj.s);
            assert.ok(log.some((e) => e.type === 'gw_out' && e.t === 'INTERACTION_CREATE' && e.s === inj.s));
        });

        it('a TCP drop is followed by a resume', async () => {
            const before = await session();
            const resumed = once(client, Events.ShardResume);
            await fake.control('drop');
            await resumed;
            const after = await session();
            assert.equal(after[0].id, before[0].id);
            assert.equal(after[0].connected, true);
        });

        it('a client frame over 4096 bytes gets close 4002, and discord.js resumes', async () => {
            await fake.control('reset-log');
            const resumed = once(client, Events.ShardResume);
            client.user.setPresence({ activities: [{ name: 'x'.repeat(5000) }] });
            await resumed;
            const log = await fake.log();
            const big = log.find((e) => e.type === 'gw_in' && e.too_large);
            assert.ok(big.bytes > 4096);
            const closed = log.find((e) => e.type === 'gw_closed');
            assert.equal(closed.by, 'server');
            assert.equal(closed.code, 4002);
            client.user.setPresence({ activities: [] });
        });

        it('op 9 d=true: RESUME on the same socket', async () => {
            await fake.control('reset-log');
            const resumed = once(client, Events.ShardResume);
            await fake.control('invalid-session', { resumable: true });
            await resumed;
            const log = await fake.log();
            const op6 = log.find((e) => e.type === 'gw_in' && e.op === 6);
            const nine = log.find((e) => e.type === 'gw_out' && e.op === 9);
            assert.equal(op6.conn, nine.conn, 'same connection');
            assert.ok(!log.some((e) => e.type === 'gw_open'));
        });

        it('op 9 d=false: a new connection to /gateway and a fresh IDENTIFY (new session)', async () => {
            const before = await session();
            await fake.control('reset-log');
            await fake.control('invalid-session', { resumable: false });
            const ready = await fake.waitLog((e) => e.type === 'gw_out' && e.t === 'READY', { timeout: 15000 });
            const log = await fake.log();
            const closed = log.find((e) => e.type === 'gw_closed');
            assert.equal(closed.code, 1000, 'discord.js closes with 1000');
            const open = log.find((e) => e.type === 'gw_open');
            assert.equal(open.path, '/gateway');
            assert.ok(log.some((e) => e.type === 'gw_in' && e.op === 2));
            assert.equal(ready.s, 1);
            const after = await session();
            assert.equal(after.length, 1);
            assert.notEqual(after[0].id, before[0].id);
            // the client still works on the new session
            const p = nextInteraction();
            await waitFor(async () => (await fake.log()).some((e) => e.type === 'gw_out' && e.t === 'GUILD_CREATE'));
            await inject({ kind: 'command', name: 'status' });
            await (await p).reply({ content: 'new session' });
        });

        it('429 with Retry-After: discord.js waits and retries', async () => {
            const ch2 = client.channels.cache.get(IDS.channel2);
            await fake.control('reset-log');
            await fake.control('ratelimit-next', { retry_after: 1, path: `/channels/${IDS.channel2}/messages` });
            const t0 = Date.now();
            const m = await ch2.send({ content: 'after the limit' });
            const took = Date.now() - t0;
            assert.equal(m.content, 'after the limit');
            assert.ok(took >= 1000, `send took ${took} ms`);
            const rest = (await fake.log()).filter((e) => e.type === 'rest' && e.path.includes(`/channels/${IDS.channel2}/messages`));
            assert.deepEqual(rest.map((e) => e.status), [429, 200]);
            assert.equal(rest[0].ratelimited.forced, true);
            const gap = rest[1].at - rest[0].at;
            assert.ok(gap >= 1000 && gap < 2500, `retried ${gap} ms after the 429`);
        });

        it('every REST reply carried X-RateLimit-* headers; 429s carried Retry-After', () => {
            assert.ok(responses.length >= 20, `${responses.length} responses`);
            for (const r of responses) {
                if (r.status === 429) {
                    assert.ok(r.headers.get('retry-after'), '429 has Retry-After');
                    continue;
                }
                for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset-after', 'x-ratelimit-bucket']) {
                    assert.ok(r.headers.get(h) !== null, `${h} on ${r.req.method} ${r.req.path} (${r.status})`);
                }
            }
        });

        it('sequence numbers: dispatches count up by one, the client heartbeats the last one', async () => {
            await fake.control('reset-log');
            const a = await fake.control('dispatch', { t: 'TYPING_START', d: { channel_id: IDS.channel, guild_id: IDS.guild, user_id: IDS.human, timestamp: 1 } });
            const b = await fake.control('dispatch', { t: 'TYPING_START', d: { channel_id: IDS.channel, guild_id: IDS.guild, user_id: IDS.human, timestamp: 2 } });
            assert.equal(b.s, a.s + 1);
            await sleep(50);
            // A heartbeat sent after both dispatches carries the last one
            // (one sent on the client's own interval before them carries less).
            const mark = (await fake.log()).length;
            await fake.control('request-heartbeat');
            const beat = await fake.waitLog((e, i) => i >= mark && e.type === 'gw_in' && e.op === 1);
            assert.equal(beat.d, b.s);
            const log = await fake.log();
            const byConn = new Map();
            for (const e of log) {
                if (e.type !== 'gw_out' || e.op !== 0) continue;
                const prev = byConn.get(e.conn);
                if (prev !== undefined) assert.equal(e.s, prev + 1, `conn ${e.conn}: ${e.t} s=${e.s} after ${prev}`);
                byConn.set(e.conn, e.s);
            }
            assert.equal(byConn.size, 1);
        });

        it('destroy closes with 1000 and the fake drops the gateway session', async () => {
            await fake.control('reset-log');
            await client.destroy();
            const closed = await fake.waitLog((e) => e.type === 'gw_closed');
            assert.equal(closed.code, 1000);
            assert.equal(closed.by, 'client');
            await waitFor(async () => (await session()).length === 0, { what: 'no session' });
            client = null;
            assert.deepEqual(unhandled, [], 'no unhandled rejections in discord.js');
        });

        it('a wrong token: REST 401 first, login rejects with TokenInvalid and opens no socket', async () => {
            await fake.control('reset-log');
            const c = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.api } });
            try {
                await assert.rejects(c.login('wrong-token'), (err) => err.code === 'TokenInvalid');
            } finally {
                await c.destroy();
            }
            const log = await fake.log();
            assert.ok(log.some((e) => e.type === 'rest' && e.status === 401));
            assert.ok(!log.some((e) => e.type === 'gw_open'));
        });

        it('a token the gateway refuses: close 4004 and @discordjs/ws connect() rejects (Authentication failed)', async () => {
            await fake.control('reset-log');
            const rest = new REST({ api: fake.api }).setToken(TOKEN);
            const manager = new WebSocketManager({ token: 'wrong-token', intents: 1, rest,
                compression: null });
            const errors = [];
            manager.on(WebSocketShardEvents.Error, (e) => errors.push(e.error.message));
            await assert.rejects(manager.connect(), /Authentication failed/);
            await manager.destroy().catch(() => {});
            const closed = await fake.waitLog((e) => e.type === 'gw_closed');
            assert.equal(closed.code, 4004);
            assert.equal(closed.by, 'server');
            assert.ok(errors.includes('Authentication failed'));
        });

        it('a privileged intent the application has not enabled: close 4014, connect() rejects (disallowed intents)', async () => {
            await fake.control('app-intents', { privileged: [] });
            await fake.control('reset-log');
            const rest = new REST({ api: fake.api }).setToken(TOKEN);
            const manager = new WebSocketManager({ token: TOKEN, rest, compression: null,
                intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMembers });
            const errors = [];
            manager.on(WebSocketShardEvents.Error, (e) => errors.push(e.error.message));
            try {
                await assert.rejects(manager.connect(), /disallowed intents/i);
                assert.ok(errors.includes('Used disallowed intents'));
            } finally {
                await manager.destroy().catch(() => {});
                await fake.control('app-intents', { privileged: ['members', 'message_content'] });
            }
            const closed = await fake.waitLog((e) => e.type === 'gw_closed');
            assert.equal(closed.code, 4014);
            assert.equal(closed.by, 'server');
            // no reconnect storm: 4014 is fatal for the client
            await sleep(1000);
            assert.equal((await fake.log()).filter((e) => e.type === 'gw_open').length, 1);
            // enabled again: the same intents are accepted
            const c = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers],
                rest: { api: fake.api }, waitGuildTimeout: 2000 });
            try {
                const ready = once(c, Events.ClientReady);
                await c.login(TOKEN);
                await ready;
            } finally {
                await c.destroy();
            }
        });
    });
}

module.exports = { define };
