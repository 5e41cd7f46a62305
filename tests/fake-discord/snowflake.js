'use strict';
// Snowflake ids: what Discord ids look like (64-bit, decimal strings, the
// milliseconds since the Discord epoch in bits 63..22), generated from the
// clock and a counter so that they are unique, increasing and reproducible
// in shape. Also the fixed ids of the objects the fake serves.

const DISCORD_EPOCH = 1420070400000n;

const IDS = Object.freeze({
    application: '1100000000000000001',
    bot: '1100000000000000001',
    guild: '1100000000000000100',
    channel: '1100000000000000200',
    channel2: '1100000000000000201',
    human: '1100000000000000300',
});

class Snowflakes {
    constructor({ worker = 1, proc = 0, now = () => Date.now() } = {}) {
        this.worker = BigInt(worker & 31);
        this.proc = BigInt(proc & 31);
        this.now = now;
        this.lastMs = 0;
        this.counter = 0;
    }

    next() {
        let ms = this.now();
        if (ms < this.lastMs) ms = this.lastMs; // clock went back: stay monotonic
        if (ms === this.lastMs) {
            this.counter += 1;
            if (this.counter > 0xfff) { // 4096 ids in one ms: borrow the next ms
                ms += 1;
                this.counter = 0;
            }
        } else {
            this.counter = 0;
        }
        this.lastMs = ms;
        const id = ((BigInt(ms) - DISCORD_EPOCH) << 22n) | (this.worker << 17n) | (this.proc << 12n)
            | BigInt(this.counter);
        return id.toString();
    }
}

function timestampOf(id) {
    return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

function isSnowflake(s) {
    return typeof s === 'string' && /^[0-9]{1,20}$/.test(s) && BigInt(s) < (1n << 64n);
}

module.exports = { Snowflakes, IDS, DISCORD_EPOCH, timestampOf, isSnowflake };
