'use strict';
// Raw WebSocket probes of the fake gateway: the protocol corners discord.js
// does not exercise (close codes, heartbeat enforcement, resume edge cases,
// frame limits, zlib-stream framing checked with Node's own zlib).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('zlib');
const { startFake, rawConnect, rawSession, identifyPayload, waitFor, sleep, TOKEN, IDS } = require('../testlib/harness');

describe('gateway (raw client)', () => {
    let fake;
    before(async () => {
        fake = await startFake(['--heartbeat-interval', '600', '--heartbeat-timeout', '900', '--identify-interval', '0',
            '--heartbeat-request-deadline', '300']);
    });
    after(async () => {
        const exit = await fake.stop();
        assert.equal(exit.code, 0, `fake exited ${JSON.stringify(exit)}: ${fake.stderr}`);
    });

    it('sends HELLO first, then READY (s=1) and GUILD_CREATE (s=2) after IDENTIFY; ACKs heartbeats', async () => {
        const g = await rawConnect(fake);
        const hello = await g.next();
        assert.deepEqual(Object.keys(hello).sort(), ['d', 'op', 's', 't']);
        assert.equal(hello.op, 10);
        assert.equal(hello.d.heartbeat_interval, 600);
        assert.equal(hello.s, null);
        g.send(identifyPayload({ shard: [0, 1] }));
        const ready = await g.next();
        assert.equal(ready.op, 0);
        assert.equal(ready.t, 'READY');
        assert.equal(ready.s, 1);
        const d = ready.d;
        assert.equal(d.v, 10);
        assert.equal(d.user.id, IDS.bot);
        assert.equal(d.user.bot, true);
        assert.match(d.session_id, /^[0-9a-f]{32}$/);
        assert.equal(d.resume_gateway_url, `ws://127.0.0.1:${fake.port}/resume`);
        assert.deepEqual(d.guilds, [{ id: IDS.guild, unavailable: true }]);
        assert.equal(d.application.id, IDS.app);
        assert.equal(typeof d.application.flags, 'number');
        assert.deepEqual(d.shard, [0, 1]);
        const gc = await g.next();
        assert.equal(gc.t, 'GUILD_CREATE');
        assert.equal(gc.s, 2);
        assert.equal(gc.d.id, IDS.guild);
        assert.ok(gc.d.channels.some((c) => c.id === IDS.channel && c.type === 0));
        assert.ok(gc.d.members.some((m) => m.user.id === IDS.bot));
        g.send({ op: 1, d: 2 });
        const ack = await g.op(11);
        assert.equal(ack.s, null);
        await g.close(1000);
    });

    it('closes a connection that stops heartbeating with 4009 and forgets its session', async () => {
        const { g, ready } = await rawSession(fake);
        const t0 = Date.now();
        const c = await g.closedWith(3000);
        const waited = Date.now() - t0;
        assert.equal(c.code, 4009);
        assert.ok(waited >= 700 && waited < 2000, `closed after ${waited} ms (timeout 900)`);
        const g2 = await rawConnect(fake, { path: '/resume' });
        await g2.op(10);
        g2.send({ op: 6, d: { token: TOKEN, session_id: ready.d.session_id, seq: 2 } });
        const inv = await g2.op(9);
        assert.equal(inv.d, false);
        await g2.close(1000);
    });

    it('keeps a heartbeating connection open past the timeout', async () => {
        const { g } = await rawSession(fake);
        for (let i = 0; i < 5; i++) {
            await sleep(400);
            g.send({ op: 1, d: 2 });
            await g.op(11);
        }
        assert.equal(g.closeInfo, undefined);
        await g.close(1000);
    });

    for (const [name, send] of [
        ['invalid JSON', (g) => g.sendRaw('{"op": 1, "d":')],
        ['a binary frame', (g) => g.sendRaw(Buffer.from(JSON.stringify({ op: 1, d: null })), true)],
        ['a frame over 4096 bytes', (g) => g.sendRaw(JSON.stringify({ op: 1, d: null }) + ' '.repeat(4097 - 17))],
        ['a JSON value that is not an object', (g) => g.sendRaw('[1,2]')],
    ]) {
        it(`closes with 4002 on ${name}`, async () => {
            const g = await rawConnect(fake);
            await g.op(10);
            send(g);
            const c = await g.closedWith();
            assert.equal(c.code, 4002);
        });
    }

    it('accepts a frame of exactly 4096 bytes', async () => {
        const g = await rawConnect(fake);
        await g.op(10);
        const frame = JSON.stringify({ op: 1, d: null }) + ' '.repeat(4096 - 17);
        assert.equal(Buffer.byteLength(frame), 4096);
        g.sendRaw(frame);
        await g.op(11);
        await g.close(1000);
    });

    const closeCases = [
        ['a second IDENTIFY', 4005, async (g) => { g.send(identifyPayload()); await g.dispatch('READY'); g.send(identifyPayload()); }],
        ['a payload before IDENTIFY', 4003, async (g) => g.send({ op: 3, d: { since: null, activities: [], status: 'online', afk: false } })],
        ['an unknown opcode', 4001, async (g) => { g.send(identifyPayload()); await g.dispatch('READY'); g.send({ op: 99, d: null }); }],
        ['a wrong token', 4004, async (g) => g.send(identifyPayload({ token: 'not-the-token' }))],
        ['invalid intents', 4013, async (g) => g.send(identifyPayload({ intents: 1 << 30 }))],
        ['a privileged intent not enabled (presences)', 4014, async (g) => g.send(identifyPayload({ intents: 1 | (1 << 8) }))],
        ['an invalid shard', 4010, async (g) => g.send(identifyPayload({ shard: [1, 1] }))],
        ['an IDENTIFY without properties', 4001, async (g) => g.send({ op: 2, d: { token: TOKEN, intents: 1 } })],
    ];
    for (const [name, code, act] of closeCases) {
        it(`closes with ${code} on ${name}`, async () => {
            const g = await rawConnect(fake);
            await g.op(10);
            await act(g);
            const c = await g.closedWith();
            assert.equal(c.code, code);
        });
    }

    it('closes with 4012 when the API version is not 10', async () => {
        const g = await rawConnect(fake, { query: 'v=9&encoding=json' });
        const c = await g.closedWith();
        assert.equal(c.code, 4012);
    });

    it('refuses gateway upgrades on unknown paths', async () => {
        await assert.rejects(rawConnect(fake, { path: '/nope' }), /404/);
    });

    it('replays missed dispatches in order after RESUME, then sends RESUMED', async () => {
        const { g, ready } = await rawSession(fake);
        await g.close(4000); // a non-1000 close keeps the session resumable
        const a = await fake.control('dispatch', { t: 'TEST_EVENT', d: { n: 1 } });
        const b = await fake.control('dispatch', { t: 'TEST_EVENT', d: { n: 2 } });
        assert.deepEqual([a.s, a.buffered, b.s, b.buffered], [3, true, 4, true]);
        const st = await fake.state();
        const sess = st.sessions.find((s) => s.id === ready.d.session_id);
        assert.equal(sess.connected, false);
        assert.equal(sess.seq, 4);
        const g2 = await rawConnect(fake, { path: '/resume' });
        await g2.op(10);
        g2.send({ op: 6, d: { token: TOKEN, session_id: ready.d.session_id, seq: 2 } });
        const e1 = await g2.next();
        const e2 = await g2.next();
        const r = await g2.next();
        assert.deepEqual([e1.t, e1.s, e1.d.n], ['TEST_EVENT', 3, 1]);
        assert.deepEqual([e2.t, e2.s, e2.d.n], ['TEST_EVENT', 4, 2]);
        assert.deepEqual([r.t, r.s], ['RESUMED', 5]);
        // A heartbeat works on the resumed connection, and new dispatches continue the sequence.
        const c = await fake.control('dispatch', { t: 'TEST_EVENT', d: { n: 3 } });
        assert.equal(c.s, 6);
        assert.equal(c.buffered, false);
        assert.equal((await g2.dispatch('TEST_EVENT')).s, 6);
        await g2.close(1000);
    });

    it('replays only what the client missed (seq in the middle of the buffer)', async () => {
        const { g, ready } = await rawSession(fake);
        await fake.control('dispatch', { t: 'TEST_EVENT', d: { n: 1 } });
        await g.dispatch('TEST_EVENT');
        await g.close(4000);
        const g2 = await rawConnect(fake, { path: '/resume' });
        await g2.op(10);
        g2.send({ op: 6, d: { token: TOKEN, session_id: ready.d.session_id, seq: 2 } });
        const e = await g2.next();
        assert.deepEqual([e.t, e.s], ['TEST_EVENT', 3]);
        const r = await g2.next();
        assert.deepEqual([r.t, r.s], ['RESUMED', 4]);
        await g2.close(1000);
    });

    it('closes with 4007 on a RESUME with a sequence the session never reached', async () => {
        const { g, ready } = await rawSession(fake);
        await g.close(4000);
        const g2 = await rawConnect(fake, { path: '/resume' });
        await g2.op(10);
        g2.send({ op: 6, d: { token: TOKEN, session_id: ready.d.session_id, seq: 99 } });
        assert.equal((await g2.closedWith()).code, 4007);
        const st = await fake.state();
        assert.ok(!st.sessions.some((s) => s.id === ready.d.session_id), 'session dropped after 4007');
    });

    it('answers a RESUME of an unknown session with op 9 false, and the socket can IDENTIFY', async () => {
        const g = await rawConnect(fake, { path: '/resume' });
        await g.op(10);
        g.send({ op: 6, d: { token: TOKEN, session_id: 'f'.repeat(32), seq: 1 } });
        const inv = await g.op(9);
        assert.equal(inv.d, false);
        g.send(identifyPayload());
        assert.equal((await g.dispatch('READY')).s, 1);
        await g.close(1000);
    });

    it('drops the session when the client closes with 1000', async () => {
        const { g, ready } = await rawSession(fake);
        await g.close(1000);
        await waitFor(async () => !(await fake.state()).sessions.some((s) => s.id === ready.d.session_id),
            { what: 'the session to be dropped' });
        const g2 = await rawConnect(fake, { path: '/resume' });
        await g2.op(10);
        g2.send({ op: 6, d: { token: TOKEN, session_id: ready.d.session_id, seq: 2 } });
        assert.equal((await g2.op(9)).d, false);
        await g2.close(1000);
    });

    it('keeps the session after a TCP drop (control drop) so it can be resumed', async () => {
        const { g, ready } = await rawSession(fake);
        await fake.control('drop');
        const c = await g.closedWith();
        assert.equal(c.code, 1006);
        const g2 = await rawConnect(fake, { path: '/resume' });
        await g2.op(10);
        g2.send({ op: 6, d: { token: TOKEN, session_id: ready.d.session_id, seq: 2 } });
        assert.equal((await g2.dispatch('RESUMED')).s, 3);
        await g2.close(1000);
    });

    it('control reconnect sends op 7 and closes with 4000 after the grace period', async () => {
        const { g } = await rawSession(fake);
        const t0 = Date.now();
        await fake.control('reconnect', { grace_ms: 300 });
        const seven = await g.op(7);
        assert.equal(seven.d, null);
        const c = await g.closedWith();
        assert.equal(c.code, 4000);
        assert.ok(Date.now() - t0 >= 280);
    });

    it('control close (1000) ends the session; control close default is 4000 and keeps it', async () => {
        const a = await rawSession(fake);
        await fake.control('close', {});
        assert.equal((await a.g.closedWith()).code, 4000);
        assert.ok((await fake.state()).sessions.some((s) => s.id === a.ready.d.session_id));
        const b = await rawSession(fake);
        await fake.control('close', { code: 1000, reason: 'bye' });
        const c = await b.g.closedWith();
        assert.equal(c.code, 1000);
        assert.equal(c.reason, 'bye');
        assert.ok(!(await fake.state()).sessions.some((s) => s.id === b.ready.d.session_id));
    });

    it('control request-heartbeat sends op 1; invalid-session sends op 9', async () => {
        const { g, ready } = await rawSession(fake);
        await fake.control('request-heartbeat');
        assert.equal((await g.op(1)).op, 1);
        await fake.control('invalid-session', { resumable: true });
        assert.equal((await g.op(9)).d, true);
        g.send({ op: 6, d: { token: TOKEN, session_id: ready.d.session_id, seq: 2 } });
        assert.equal((await g.dispatch('RESUMED')).s, 3);
        await fake.control('invalid-session', { resumable: false });
        assert.equal((await g.op(9)).d, false);
        assert.ok(!(await fake.state()).sessions.some((s) => s.id === ready.d.session_id));
        await g.close(1000);
    });

    it('op 1: a heartbeat sent at once is logged as the answer, with its delay and a count', async () => {
        const { g } = await rawSession(fake);
        await fake.control('reset-log');
        await fake.control('request-heartbeat');
        await g.op(1);
        g.send({ op: 1, d: 2 });
        await g.op(11);
        const answered = await fake.waitLog((e) => e.type === 'gw_heartbeat_answered');
        assert.ok(answered.ms >= 0 && answered.ms < 300, `answered after ${answered.ms} ms`);
        const conn = (await fake.state()).connections.find((c) => c.id === answered.conn);
        assert.deepEqual({ ...conn.heartbeat_requests, last_ms: null },
            { sent: 1, answered: 1, missed: 0, last_ms: null, pending: false });
        assert.ok(!(await fake.log()).some((e) => e.type === 'gw_heartbeat_request_missed'));
        await g.close(1000);
    });

    it('op 1: no heartbeat within the deadline is logged as missed and counted', async () => {
        const { g } = await rawSession(fake);
        g.send({ op: 1, d: 2 }); // a regular beat first: the connection is not a zombie
        await g.op(11);
        await fake.control('reset-log');
        await fake.control('request-heartbeat');
        await g.op(1);
        const missed = await fake.waitLog((e) => e.type === 'gw_heartbeat_request_missed', { timeout: 2000 });
        assert.equal(missed.deadline_ms, 300);
        // a late heartbeat is an ordinary one, not an answer
        g.send({ op: 1, d: 2 });
        await g.op(11);
        const conn = (await fake.state()).connections.find((c) => c.id === missed.conn);
        assert.equal(conn.heartbeat_requests.missed, 1);
        assert.equal(conn.heartbeat_requests.answered, 0);
        assert.ok(!(await fake.log()).some((e) => e.type === 'gw_heartbeat_answered'));
        await g.close(1000);
    });

    it('app-intents: privileged intents the application has not enabled close with 4014, live', async () => {
        const st0 = await fake.state();
        assert.deepEqual(st0.application.privileged_intents, ['members', 'message_content']);
        const members = 1 | (1 << 1);
        const r = await fake.control('app-intents', { privileged: [] });
        assert.deepEqual(r.privileged_intents, []);
        assert.equal(r.flags & ((1 << 13) | (1 << 15) | (1 << 19)), 0);
        let g = await rawConnect(fake);
        await g.op(10);
        g.send(identifyPayload({ intents: members }));
        assert.equal((await g.closedWith()).code, 4014);
        // non-privileged intents need no portal switch
        const ok = await rawSession(fake, { identify: { intents: 1 | (1 << 9) } });
        await ok.g.close(1000);
        const r2 = await fake.control('app-intents', { privileged: ['members'] });
        assert.equal(r2.flags & (1 << 15), 1 << 15);
        g = (await rawSession(fake, { identify: { intents: members } })).g;
        await g.close(1000);
        g = await rawConnect(fake);
        await g.op(10);
        g.send(identifyPayload({ intents: 1 | (1 << 15) }));
        assert.equal((await g.closedWith()).code, 4014);
        const bad = await fake.controlRaw('app-intents', { privileged: ['everything'] });
        assert.equal(bad.status, 400);
        assert.equal((await fake.controlRaw('app-intents', {})).status, 400);
        await fake.control('app-intents', { privileged: ['members', 'message_content'] });
    });

    it('closes with 4008 when a client sends more than 120 payloads in a minute', async () => {
        const g = await rawConnect(fake);
        await g.op(10);
        for (let i = 0; i < 121; i++) g.send({ op: 1, d: null });
        const c = await g.closedWith();
        assert.equal(c.code, 4008);
    });

    it('zlib-stream: one deflate context per connection, every frame ends with 00 00 ff ff', async () => {
        const { g, ready } = await rawSession(fake, { compress: true });
        assert.equal(ready.s, 1);
        g.send({ op: 1, d: 2 });
        await g.op(11);
        assert.ok(g.frames.length >= 4);
        for (const f of g.frames) {
            assert.equal(f.binary, true);
            assert.deepEqual([...f.data.subarray(-4)], [0x00, 0x00, 0xff, 0xff]);
        }
        // The first frame starts the zlib stream (header 78 xx); later frames continue
        // it and cannot be inflated on their own.
        assert.equal(g.frames[0].data[0], 0x78);
        assert.throws(() => zlib.inflateSync(g.frames[1].data));
        assert.throws(() => zlib.inflateSync(g.frames[2].data));
        const st = await fake.state();
        assert.ok(st.connections.some((c) => c.compress === 'zlib-stream'));
        await g.close(1000);
    });

    it('identify compress:true: large payloads come as standalone zlib messages, small ones as text', async () => {
        const { g, ready, guild } = await rawSession(fake, { identify: { compress: true } });
        assert.equal(ready.compressed, true);
        assert.equal(guild.compressed, true);
        g.send({ op: 1, d: 2 });
        const ack = await g.op(11);
        assert.equal(ack.compressed, undefined);
        assert.equal(g.frames[0].binary, false); // HELLO comes before IDENTIFY
        await g.close(1000);
    });
});

describe('gateway identify rate limit (max_concurrency 1)', () => {
    let fake;
    before(async () => { fake = await startFake(['--identify-interval', '5000']); });
    after(async () => { await fake.stop(); });

    it('answers a second IDENTIFY within 5 s with op 9 false', async () => {
        const a = await rawSession(fake);
        const g = await rawConnect(fake);
        await g.op(10);
        g.send(identifyPayload());
        assert.equal((await g.op(9)).d, false);
        assert.ok((await fake.log()).some((e) => e.type === 'gw_identify_throttled'));
        await a.g.close(1000);
        await g.close(1000);
    });
});
