'use strict';
// REST rate limits: per-route buckets (method + route template, split by the
// top-level resource: channel, guild, webhook/interaction), a global limit
// per bot (interaction routes exempt), the X-RateLimit-* headers on every
// reply, and 429s forced through the control API (which then keep their
// bucket, or the global limit, closed for retry_after seconds).

const crypto = require('crypto');

class RateLimiter {
    constructor({ routeLimit = 5, routeWindowMs = 5000, globalLimit = 50, maxBuckets = 2000, log }) {
        this.routeLimit = routeLimit;
        this.routeWindowMs = routeWindowMs;
        this.globalLimit = globalLimit;
        this.maxBuckets = maxBuckets;
        this.log = log;
        this.buckets = new Map(); // key -> {count, resetAt, blockedUntil}
        this.global = { count: 0, resetAt: 0, blockedUntil: 0 };
        this.forced = []; // queued {retry_after, global, scope, path}
    }

    force(spec) {
        if (this.forced.length >= 100) this.forced.shift();
        this.forced.push(spec);
        return this.forced.length;
    }

    static hash(route) {
        return crypto.createHash('sha1').update(route).digest('hex').slice(0, 32);
    }

    bucketFor(key) {
        let b = this.buckets.get(key);
        if (!b) {
            if (this.buckets.size >= this.maxBuckets) {
                // Forget the oldest bucket (Map keeps insertion order).
                this.buckets.delete(this.buckets.keys().next().value);
            }
            b = { count: 0, resetAt: 0, blockedUntil: 0 };
            this.buckets.set(key, b);
        }
        return b;
    }

    // route: {method, template, major, exemptGlobal, identity}; paths: raw and decoded
    // request paths (for the forced-429 path filter). Returns {ok, headers}
    // or {ok:false, status:429, headers, body}.
    check(route, paths) {
        const now = Date.now();
        const bucketRoute = `${route.method} ${route.template}`;
        const hash = RateLimiter.hash(bucketRoute);
        // Limits apply per bot token (per client address without one).
        const b = this.bucketFor(`${route.identity || ''} ${bucketRoute} ${route.major || ''}`);
        if (now >= b.resetAt) {
            b.count = 0;
            b.resetAt = now + this.routeWindowMs;
        }

        const idx = this.forced.findIndex((f) => !f.path || paths.some((p) => p.includes(f.path)));
        if (idx !== -1) {
            const f = this.forced.splice(idx, 1)[0];
            const ms = Math.max(0, Math.round(f.retry_after * 1000));
            if (f.global) this.global.blockedUntil = Math.max(this.global.blockedUntil, now + ms);
            else b.blockedUntil = Math.max(b.blockedUntil, now + ms);
            return this.limited(f.retry_after, { global: !!f.global, scope: f.scope, hash, forced: true });
        }
        if (!route.exemptGlobal) {
            if (this.global.blockedUntil > now) {
                return this.limited((this.global.blockedUntil - now) / 1000, { global: true, scope: 'global', hash });
            }
            if (now >= this.global.resetAt) {
                this.global.count = 0;
                this.global.resetAt = now + 1000;
            }
            if (this.global.count >= this.globalLimit) {
                return this.limited((this.global.resetAt - now) / 1000, { global: true, scope: 'global', hash });
            }
        }
        if (b.blockedUntil > now) {
            return this.limited((b.blockedUntil - now) / 1000, { global: false, scope: 'user', hash });
        }
        if (b.count >= this.routeLimit) {
            return this.limited((b.resetAt - now) / 1000, { global: false, scope: 'user', hash });
        }
        b.count += 1;
        if (!route.exemptGlobal) this.global.count += 1;
        const resetAfter = Math.max(0, (b.resetAt - now) / 1000);
        return {
            ok: true,
            headers: {
                'X-RateLimit-Limit': String(this.routeLimit),
                'X-RateLimit-Remaining': String(this.routeLimit - b.count),
                'X-RateLimit-Reset': (b.resetAt / 1000).toFixed(3),
                'X-RateLimit-Reset-After': resetAfter.toFixed(3),
                'X-RateLimit-Bucket': hash,
            },
        };
    }

    limited(retryAfter, { global, scope, hash, forced = false }) {
        const ra = Math.max(0, Number(retryAfter) || 0);
        const now = Date.now();
        const headers = {
            // The header is whole seconds (RFC 9110 delay-seconds), rounded up;
            // the body has the exact float.
            'Retry-After': String(Math.ceil(ra)),
            'X-RateLimit-Scope': scope || (global ? 'global' : 'user'),
        };
        if (global) {
            headers['X-RateLimit-Global'] = 'true';
        } else {
            Object.assign(headers, {
                'X-RateLimit-Limit': String(this.routeLimit),
                'X-RateLimit-Remaining': '0',
                'X-RateLimit-Reset': ((now + ra * 1000) / 1000).toFixed(3),
                'X-RateLimit-Reset-After': ra.toFixed(3),
                'X-RateLimit-Bucket': hash,
            });
        }
        return {
            ok: false,
            status: 429,
            forced,
            headers,
            body: { message: 'You are being rate limited.', retry_after: Number(ra.toFixed(3)), global: !!global },
        };
    }
}

module.exports = { RateLimiter };
