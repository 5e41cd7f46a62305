'use strict';
// REST probes with plain fetch: authentication, rate-limit headers and 429s
// (real bucket exhaustion and forced ones), error codes and validation,
// token-authenticated interaction routes, the control API and the launcher.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('child_process');
const path = require('path');
const { startFake, rawSession, sleep, TOKEN, IDS, ROOT } = require('../testlib/harness');

const RL_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-reset-after', 'x-ratelimit-bucket'];

function hasRateLimitHeaders(r) {
    return RL_HEADERS.every((h) => r.headers.get(h) !== null);
}

async function exhaust(f) {
    const p = `/channels/${IDS.channel2}/messages?limit=1`;
    const rs = [];
    for (let i = 0; i < 4; i++) rs.push(await f.rest('GET', p));
    assert.deepEqual(rs.map((r) => r.status), [200, 200, 200, 429]);
    assert.deepEqual(rs.slice(0, 3).map((r) => r.headers.get('x-ratelimit-remaining')), ['2', '1', '0']);
    assert.equal(rs[0].headers.get('x-ratelimit-limit'), '3');
    const lim = rs[3];
    assert.match(lim.headers.get('retry-after'), /^[0-9]+$/);
    assert.equal(lim.headers.get('x-ratelimit-scope'), 'user');
    assert.equal(lim.headers.get('x-ratelimit-global'), null);
    assert.equal(lim.body.global, false);
    assert.ok(lim.body.retry_after > 0 && lim.body.retry_after <= 1, `retry_after ${lim.body.retry_after}`);
    assert.equal(lim.headers.get('x-ratelimit-bucket'), rs[0].headers.get('x-ratelimit-bucket'));
    const other = await f.rest('GET', `/channels/${IDS.channel}/messages?limit=1`);
    assert.equal(other.status, 200, 'another channel has its own bucket');
    await sleep(lim.body.retry_after * 1000 + 20);
    assert.equal((await f.rest('GET', p)).status, 200);
}

describe('REST', () => {
    let fake;
    before(async () => { fake = await startFake(['--route-limit', '50', '--route-window', '1000', '--identify-interval', '0']); });
    after(async () => {
        const exit = await fake.stop();
        assert.equal(exit.code, 0, `fake exited ${JSON.stringify(exit)}`);
    });

    it('GET /gateway/bot needs the bot token and returns url, shards and session_start_limit', async () => {
        const none = await fake.rest('GET', '/gateway/bot', { token: null });
        assert.equal(none.status, 401);
        assert.deepEqual(none.body, { message: '401: Unauthorized', code: 0 });
        const wrong = await fake.rest('GET', '/gateway/bot', { token: 'nope' });
        assert.equal(wrong.status, 401);
        const bare = await fetch(`${fake.api}/v10/gateway/bot`, { headers: { authorization: TOKEN, 'user-agent': 'DiscordBot (x, 1)' } });
        assert.equal(bare.status, 401, 'a token without the "Bot " prefix is refused');
        const ok = await fake.rest('GET', '/gateway/bot');
        assert.equal(ok.status, 200);
        assert.equal(ok.body.url, `ws://127.0.0.1:${fake.port}/gateway`);
        assert.ok(!ok.body.url.includes('?'));
        assert.equal(ok.body.shards, 1);
        const l = ok.body.session_start_limit;
        assert.deepEqual(Object.keys(l).sort(), ['max_concurrency', 'remaining', 'reset_after', 'total']);
        assert.equal(l.max_concurrency, 1);
        const gw = await fake.rest('GET', '/gateway', { token: null });
        assert.equal(gw.status, 200);
        assert.equal(gw.body.url, ok.body.url);
    });

    it('puts X-RateLimit-* headers on every reply (200, 204, 400, 401, 404, 405)', async () => {
        const replies = [
            await fake.rest('GET', '/users/@me'),
            await fake.rest('POST', `/channels/${IDS.channel}/messages`, { body: { content: 'x' } }),
            await fake.rest('POST', `/channels/${IDS.channel}/messages`, { body: {} }),
            await fake.rest('GET', '/applications/@me', { token: 'bad' }),
            await fake.rest('GET', '/no/such/route'),
            await fake.rest('DELETE', '/users/@me'),
        ];
        assert.deepEqual(replies.map((r) => r.status), [200, 200, 400, 401, 404, 405]);
        const del = await fake.rest('DELETE', `/channels/${IDS.channel}/messages/${replies[1].body.id}`);
        assert.equal(del.status, 204);
        for (const r of [...replies, del]) assert.ok(hasRateLimitHeaders(r), `headers on ${r.status}`);
        assert.equal(replies[0].body.id, IDS.bot);
        assert.equal(replies[2].body.code, 50006);
        assert.equal(replies[5].body.code, 0);
    });

    it('exhausting a bucket gives 429 with Retry-After; buckets are split per channel', async () => {
        const small = await startFake(['--route-limit', '3', '--route-window', '1000']);
        try {
            await exhaust(small);
        } finally {
            await small.stop();
        }
    });

    it('forced 429 (control ratelimit-next) hits only a matching path and keeps the bucket closed', async () => {
        await fake.control('ratelimit-next', { retry_after: 0.4, path: '/guilds/' });
        assert.equal((await fake.rest('GET', '/users/@me')).status, 200, 'non-matching path untouched');
        const t0 = Date.now();
        const a = await fake.rest('GET', `/guilds/${IDS.guild}`);
        assert.equal(a.status, 429);
        assert.equal(a.headers.get('retry-after'), '1');
        assert.equal(a.body.retry_after, 0.4);
        assert.equal(a.headers.get('x-ratelimit-reset-after'), '0.400');
        assert.equal((await fake.rest('GET', `/guilds/${IDS.guild}`)).status, 429, 'still closed');
        await sleep(Math.max(0, 450 - (Date.now() - t0)));
        const b = await fake.rest('GET', `/guilds/${IDS.guild}`);
        assert.equal(b.status, 200);
        assert.equal(b.body.id, IDS.guild);
    });

    it('forced global 429 carries X-RateLimit-Global and scope', async () => {
        await fake.control('ratelimit-next', { retry_after: 0.2, global: true });
        const r = await fake.rest('GET', '/users/@me');
        assert.equal(r.status, 429);
        assert.equal(r.headers.get('x-ratelimit-global'), 'true');
        assert.equal(r.headers.get('x-ratelimit-scope'), 'global');
        assert.equal(r.body.global, true);
        await sleep(250);
        await fake.control('ratelimit-next', { retry_after: 0, scope: 'shared', path: '/users/' });
        const s = await fake.rest('GET', '/users/@me');
        assert.equal(s.status, 429);
        assert.equal(s.headers.get('x-ratelimit-scope'), 'shared');
    });

    it('validates message bodies like Discord (50035 with field errors, 50006 empty)', async () => {
        const post = (body) => fake.rest('POST', `/channels/${IDS.channel}/messages`, { body });
        const long = await post({ content: 'x'.repeat(2001) });
        assert.equal(long.status, 400);
        assert.equal(long.body.code, 50035);
        assert.equal(long.body.errors.content._errors[0].code, 'BASE_TYPE_MAX_LENGTH');
        const row = { type: 1, components: [{ type: 2, style: 1, label: 'a', custom_id: 'a' }] };
        const six = await post({ components: Array(6).fill(row) });
        assert.equal(six.body.code, 50035);
        assert.ok(six.body.errors.components);
        const dup = await post({ components: [{ type: 1, components: [
            { type: 2, style: 1, label: 'a', custom_id: 'same' }, { type: 2, style: 2, label: 'b', custom_id: 'same' }] }] });
        assert.equal(dup.body.code, 50035);
        const big = await post({ embeds: [{ description: 'd'.repeat(4096) }, { description: 'd'.repeat(2000) }] });
        assert.equal(big.body.errors.embeds._errors[0].code, 'MAX_EMBED_SIZE_EXCEEDED');
        const link = await post({ components: [{ type: 1, components: [{ type: 2, style: 5, label: 'l', custom_id: 'x', url: 'https://x' }] }] });
        assert.equal(link.body.code, 50035);
    });

    it('reports unknown objects, bad bodies, bad versions and a missing User-Agent', async () => {
        assert.equal((await fake.rest('GET', `/channels/${IDS.channel}/messages/123`)).body.code, 10008);
        assert.equal((await fake.rest('GET', '/channels/999/messages')).body.code, 10003);
        assert.equal((await fake.rest('GET', '/guilds/999')).body.code, 10004);
        const text = await fake.rest('POST', `/channels/${IDS.channel2}/messages`, { raw: 'hi', headers: { 'content-type': 'text/plain' } });
        assert.equal(text.body.code, 50035);
        const badJson = await fake.rest('POST', `/channels/${IDS.channel2}/messages`, { raw: '{', headers: { 'content-type': 'application/json' } });
        assert.equal(badJson.body.code, 50109);
        const v9 = await fetch(`${fake.api}/v9/users/@me`, { headers: { authorization: `Bot ${TOKEN}` } });
        assert.equal(v9.status, 400);
        assert.equal((await v9.json()).code, 50041);
        const noUa = await fetch(`${fake.api}/v10/users/@me`, { headers: { authorization: `Bot ${TOKEN}`, 'user-agent': '' } });
        assert.equal(noUa.status, 400);
    });

    it('accepts multipart/form-data with payload_json and files', async () => {
        const fd = new FormData();
        fd.append('payload_json', JSON.stringify({ content: 'with file', attachments: [{ id: 0, description: 'log' }] }));
        fd.append('files[0]', new Blob(['hello']), 'log.txt');
        const r = await fetch(`${fake.api}/v10/channels/${IDS.channel}/messages`, { method: 'POST', body: fd,
            headers: { authorization: `Bot ${TOKEN}`, 'user-agent': 'DiscordBot (x, 1)' } });
        const m = await r.json();
        assert.equal(r.status, 200);
        assert.equal(m.content, 'with file');
        assert.equal(m.attachments[0].filename, 'log.txt');
        assert.equal(m.attachments[0].size, 5);
    });

    it('registers, lists, edits and deletes commands; rejects invalid ones', async () => {
        const base = `/applications/${IDS.app}/guilds/${IDS.guild}/commands`;
        const put = await fake.rest('PUT', base, { body: [
            { name: 'status', description: 'Show status' },
            { name: 'control', description: 'Control', options: [{ type: 3, name: 'container', description: 'c', required: true, autocomplete: true }] },
        ] });
        assert.equal(put.status, 200);
        assert.equal(put.body.length, 2);
        for (const c of put.body) {
            assert.match(c.id, /^[0-9]{17,20}$/);
            assert.equal(c.application_id, IDS.app);
            assert.equal(c.guild_id, IDS.guild);
            assert.ok(c.version);
        }
        const bad = await fake.rest('PUT', base, { body: [{ name: 'Bad Name', description: 'x' }] });
        assert.equal(bad.status, 400);
        assert.equal(bad.body.errors[0].name._errors[0].code, 'APPLICATION_COMMAND_INVALID_NAME');
        const mixed = await fake.rest('PUT', base, { body: [{ name: 'x', description: 'x', options: [
            { type: 3, name: 'a', description: 'a', autocomplete: true, choices: [{ name: 'n', value: 'v' }] }] }] });
        assert.equal(mixed.status, 400);
        const order = await fake.rest('PUT', base, { body: [{ name: 'x', description: 'x', options: [
            { type: 3, name: 'a', description: 'a' }, { type: 3, name: 'b', description: 'b', required: true }] }] });
        assert.equal(order.status, 400);
        const list = await fake.rest('GET', base);
        assert.deepEqual(list.body.map((c) => c.name), ['status', 'control']);
        const post = await fake.rest('POST', base, { body: { name: 'ping', description: 'Ping' } });
        assert.equal(post.status, 201);
        const again = await fake.rest('POST', base, { body: { name: 'ping', description: 'Ping 2' } });
        assert.equal(again.status, 200);
        assert.equal(again.body.id, post.body.id);
        const patch = await fake.rest('PATCH', `${base}/${post.body.id}`, { body: { description: 'Pong' } });
        assert.equal(patch.body.description, 'Pong');
        assert.equal((await fake.rest('DELETE', `${base}/${post.body.id}`)).status, 204);
        assert.equal((await fake.rest('GET', `${base}/${post.body.id}`)).body.code, 10063);
        const wrongApp = await fake.rest('GET', `/applications/42/guilds/${IDS.guild}/commands`);
        assert.equal(wrongApp.status, 403);
    });

    it('interaction routes need no Authorization; deadline, double ack, webhooks and with_response', async () => {
        const { g } = await rawSession(fake);
        const inj = await fake.control('interaction', { kind: 'command', name: 'status' });
        assert.equal(inj.buffered, false);
        const ev = await g.dispatch('INTERACTION_CREATE');
        assert.equal(ev.s, inj.s);
        assert.equal(ev.d.id, inj.id);
        assert.equal(ev.d.token, inj.token);
        for (const k of ['channel', 'entitlements', 'authorizing_integration_owners', 'member', 'app_permissions', 'locale']) {
            assert.ok(k in ev.d, `INTERACTION_CREATE has ${k}`);
        }
        assert.equal(ev.d.version, 1);
        assert.equal(ev.d.data.name, 'status');
        const cb = `/interactions/${inj.id}/${inj.token}/callback`;
        const hook = `/webhooks/${IDS.app}/${inj.token}`;
        assert.equal((await fake.rest('GET', `${hook}/messages/%40original`, { token: null })).body.code, 10015,
            'no webhook before the first response');
        const r1 = await fake.rest('POST', `${cb}?with_response=true`, { token: null, body: { type: 4, data: { content: 'hello', flags: 64 } } });
        assert.equal(r1.status, 200);
        assert.equal(r1.body.interaction.id, inj.id);
        assert.equal(r1.body.interaction.response_message_ephemeral, true);
        assert.equal(r1.body.resource.message.content, 'hello');
        assert.ok(hasRateLimitHeaders(r1));
        const r2 = await fake.rest('POST', `${cb}?with_response=false`, { token: null, body: { type: 4, data: { content: 'again' } } });
        assert.equal(r2.status, 400);
        assert.equal(r2.body.code, 40060);
        const orig = await fake.rest('GET', `${hook}/messages/%40original`, { token: null });
        assert.equal(orig.status, 200);
        assert.equal(orig.body.id, r1.body.resource.message.id);
        assert.equal(orig.body.flags & 64, 64);
        const hidden = await fake.rest('GET', `/channels/${IDS.channel}/messages/${orig.body.id}`);
        assert.equal(hidden.body.code, 10008, 'ephemeral messages are not visible on channel routes');
        const fu = await fake.rest('POST', `${hook}?wait=true`, { token: null, body: { content: 'follow' } });
        assert.equal(fu.status, 200);
        assert.notEqual(fu.body.id, orig.body.id);
        for (const k of ['id', 'channel_id', 'author', 'content', 'timestamp', 'edited_timestamp', 'embeds', 'components',
            'attachments', 'mentions', 'mention_roles', 'type', 'flags', 'tts', 'pinned', 'webhook_id']) {
            assert.ok(k in fu.body, `follow-up message has ${k}`);
        }
        assert.equal(fu.body.author.id, IDS.bot);
        assert.equal(fu.body.channel_id, IDS.channel);
        assert.equal(fu.body.interaction_metadata.id, inj.id);
        assert.equal((await fake.rest('DELETE', `${hook}/messages/${fu.body.id}`, { token: null })).status, 204);
        assert.equal((await fake.rest('GET', `${hook}/messages/${fu.body.id}`, { token: null })).body.code, 10008);
        assert.equal((await fake.rest('POST', `/interactions/123/abc/callback`, { token: null, body: { type: 4, data: { content: 'x' } } })).body.code, 10062);

        const late = await fake.control('interaction', { kind: 'command', name: 'status' });
        await sleep(3100);
        const lr = await fake.rest('POST', `/interactions/${late.id}/${late.token}/callback`, { token: null, body: { type: 5 } });
        assert.equal(lr.status, 404);
        assert.equal(lr.body.code, 10062);

        const ac = await fake.control('interaction', { kind: 'autocomplete', name: 'control', value: 'ng' });
        const acEv = await g.next((p) => p.t === 'INTERACTION_CREATE' && p.d.id === ac.id);
        assert.deepEqual(acEv.d.data.options, [{ name: 'container', type: 3, value: 'ng', focused: true }]);
        const wrongType = await fake.rest('POST', `/interactions/${ac.id}/${ac.token}/callback`, { token: null, body: { type: 4, data: { content: 'x' } } });
        assert.equal(wrongType.body.code, 50035);
        const ok = await fake.rest('POST', `/interactions/${ac.id}/${ac.token}/callback`, { token: null, body: { type: 8, data: { choices: [{ name: 'nginx', value: 'nginx' }] } } });
        assert.equal(ok.status, 204);
        const st = await fake.state();
        assert.deepEqual(st.interactions.find((i) => i.id === ac.id).choices, [{ name: 'nginx', value: 'nginx' }]);
        await g.close(1000);
    });

    it('modals with labels: limits checked; a select in a label is submitted with its values', async () => {
        const { g } = await rawSession(fake);
        const label = (text, component, description) => ({ type: 18, label: text, description, component });
        const select = { type: 3, custom_id: 'action', options: [{ label: 'Restart', value: 'restart' },
            { label: 'Stop', value: 'stop' }] };
        const input = { type: 4, custom_id: 'time', style: 1 };
        const call = async (data) => {
            const inj = await fake.control('interaction', { kind: 'command', name: 'status' });
            await g.next((p) => p.t === 'INTERACTION_CREATE' && p.d.id === inj.id);
            return fake.rest('POST', `/interactions/${inj.id}/${inj.token}/callback`, { token: null, body: { type: 9, data } });
        };
        const bad = [
            [label('x'.repeat(46), input)],                               // label over 45
            [label('Time', input, 'd'.repeat(101))],                      // description over 100
            [label('Action', { ...select, options: [] })],                // a select needs options
            [label('Action', { type: 2, custom_id: 'b', style: 1, label: 'x' })],   // not an input
        ];
        for (const components of bad) {
            const r = await call({ custom_id: 'm:bad', title: 'Bad', components });
            assert.equal(r.status, 400, JSON.stringify(components));
            assert.equal(r.body.code, 50035);
        }
        const ok = await call({ custom_id: 'm:task', title: 'New task', components: [label('Action', select),
            label('Time', input, 'HH:MM')] });
        assert.equal(ok.status, 204);
        const sub = await fake.control('interaction', { kind: 'modal', custom_id: 'm:task', fields: { action: 'stop', time: '04:00' } });
        const ev = await g.next((p) => p.t === 'INTERACTION_CREATE' && p.d.id === sub.id);
        assert.deepEqual(ev.d.data.components.map((c) => [c.type, c.component.type, c.component.custom_id,
            c.component.values || c.component.value]), [[18, 3, 'action', ['stop']], [18, 4, 'time', '04:00']]);
        await g.close(1000);
    });

    it('control API: errors for unknown endpoints, GET, bad bodies and no session', async () => {
        assert.equal((await fake.controlRaw('nope')).status, 404);
        const get = await fetch(`${fake.url}/_control/state`);
        assert.equal(get.status, 405);
        const bad = await fetch(`${fake.url}/_control/interaction`, { method: 'POST', body: '{' });
        assert.equal(bad.status, 400);
        assert.equal((await fake.controlRaw('interaction', { kind: 'nope' })).status, 400);
        assert.equal((await fake.controlRaw('interaction', { kind: 'command', name: 'status' })).status, 409,
            'no gateway session to deliver to');
        const st = await fake.state();
        for (const k of ['sessions', 'commands', 'messages', 'interactions']) assert.ok(Array.isArray(st[k]), k);
        const log = await fake.log();
        assert.ok(log.some((e) => e.type === 'rest') && log.some((e) => e.type === 'gw_open'));
        await fake.control('reset-log');
        assert.equal((await fake.log()).length, 0);
    });
});

describe('launcher', () => {
    it('--help prints usage and exits 0; a bad option exits 2', () => {
        const launcher = path.join(ROOT, 'scripts', 'fake-discord');
        const h = spawnSync(launcher, ['--help'], { encoding: 'utf8' });
        assert.equal(h.status, 0);
        assert.match(h.stdout, /usage: fake-discord --port PORT/);
        const b = spawnSync(launcher, ['--bogus'], { encoding: 'utf8' });
        assert.equal(b.status, 2);
        assert.match(b.stderr, /unknown argument --bogus/);
    });

    it('prints one listening line for --port 0 and stops on SIGTERM with status 0', async () => {
        const f = await startFake();
        assert.match(f.stdoutFirst, /^fake-discord listening on http:\/\/127\.0\.0\.1:[0-9]+\n$/);
        assert.ok(f.port > 0);
        const { g } = await rawSession(f); // an open gateway connection must not block the stop
        const exit = await f.stop();
        assert.deepEqual(exit, { code: 0, signal: null });
        await g.closed;
    });

    it('accepts any non-empty token when FAKE_TOKEN is unset', async () => {
        const f = await startFake([], { token: null });
        try {
            const r = await f.rest('GET', '/users/@me', { token: 'whatever' });
            assert.equal(r.status, 200);
        } finally {
            await f.stop();
        }
    });
});
