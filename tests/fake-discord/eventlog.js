'use strict';
// The event log the control API returns: a bounded ring of what happened
// (REST requests, gateway connections, frames in and out, closes, ...), each
// entry stamped with a sequence number and the wall-clock time in ms.

class EventLog {
    constructor(max = 10000) {
        this.max = max;
        this.entries = [];
        this.n = 0;
        this.dropped = 0;
    }

    add(type, fields) {
        this.n += 1;
        const e = { ...fields, n: this.n, at: Date.now(), type };
        this.entries.push(e);
        if (this.entries.length > this.max) {
            this.entries.splice(0, this.entries.length - this.max);
            this.dropped += 1;
        }
        return e;
    }

    list() { return this.entries.slice(); }

    reset() { this.entries = []; }
}

module.exports = { EventLog };
