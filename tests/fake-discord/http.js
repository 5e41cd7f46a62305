'use strict';
// HTTP plumbing shared by the REST API and the control API: bounded body
// reading, JSON/multipart decoding, JSON replies, and the ApiError type that
// carries a Discord-style error body ({code, message, errors}).

class ApiError extends Error {
    constructor(status, code, message, errors, headers) {
        super(message);
        this.status = status;
        this.code = code;
        this.errors = errors;
        this.headers = headers || {};
    }

    body() {
        const b = { message: this.message, code: this.code };
        if (this.errors) b.errors = this.errors;
        return b;
    }
}

// Common Discord errors.
const E = {
    unauthorized: () => new ApiError(401, 0, '401: Unauthorized'),
    notFound: () => new ApiError(404, 0, '404: Not Found'),
    methodNotAllowed: () => new ApiError(405, 0, '405: Method Not Allowed'),
    unknownChannel: () => new ApiError(404, 10003, 'Unknown Channel'),
    unknownGuild: () => new ApiError(404, 10004, 'Unknown Guild'),
    unknownMember: () => new ApiError(404, 10007, 'Unknown Member'),
    unknownMessage: () => new ApiError(404, 10008, 'Unknown Message'),
    unknownUser: () => new ApiError(404, 10013, 'Unknown User'),
    unknownWebhook: () => new ApiError(404, 10015, 'Unknown Webhook'),
    unknownCommand: () => new ApiError(404, 10063, 'Unknown application command'),
    unknownInteraction: () => new ApiError(404, 10062, 'Unknown interaction'),
    alreadyAcked: () => new ApiError(400, 40060, 'Interaction has already been acknowledged.'),
    emptyMessage: () => new ApiError(400, 50006, 'Cannot send an empty message'),
    cannotEditOthers: () => new ApiError(403, 50005, 'Cannot edit a message authored by another user'),
    missingAccess: () => new ApiError(403, 50001, 'Missing Access'),
    invalidWebhookToken: () => new ApiError(401, 50027, 'Invalid Webhook Token'),
    invalidJson: () => new ApiError(400, 50109, 'The request body contains invalid JSON.'),
    tooLarge: () => new ApiError(413, 40005, 'Request entity too large'),
    invalidForm: (errors) => new ApiError(400, 50035, 'Invalid Form Body', errors),
    invalidVersion: () => new ApiError(400, 50041, 'Invalid API version provided.'),
    maxCommands: () => new ApiError(400, 30032, 'Maximum number of application commands reached (100)'),
};

function readBody(req, limit) {
    return new Promise((resolve, reject) => {
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit) {
            req.resume();
            reject(E.tooLarge());
            return;
        }
        const chunks = [];
        let size = 0;
        let failed = false;
        req.on('data', (c) => {
            if (failed) return;
            size += c.length;
            if (size > limit) {
                failed = true;
                reject(E.tooLarge());
                return;
            }
            chunks.push(c);
        });
        req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
        req.on('error', (err) => { if (!failed) { failed = true; reject(err); } });
    });
}

// multipart/form-data as Discord takes it: a `payload_json` part with the
// JSON body and `files[n]` parts. Returns {json, files:[{field, filename,
// content_type, size}]}.
function parseMultipart(buf, contentType) {
    const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    if (!m) throw E.invalidForm({ _errors: [{ code: 'CONTENT_TYPE_INVALID', message: 'multipart boundary missing' }] });
    const boundary = Buffer.from('--' + (m[1] || m[2]).trim());
    const parts = [];
    let pos = buf.indexOf(boundary);
    while (pos !== -1) {
        let start = pos + boundary.length;
        if (buf.slice(start, start + 2).toString() === '--') break;
        start += 2; // CRLF after the boundary
        const next = buf.indexOf(boundary, start);
        if (next === -1) break;
        const part = buf.slice(start, next - 2); // strip the CRLF before the boundary
        const sep = part.indexOf('\r\n\r\n');
        if (sep !== -1) {
            const head = part.slice(0, sep).toString('utf8');
            const body = part.slice(sep + 4);
            const name = /name="([^"]*)"/i.exec(head);
            const filename = /filename="([^"]*)"/i.exec(head);
            const ct = /content-type:\s*([^\r\n]+)/i.exec(head);
            parts.push({ name: name ? name[1] : '', filename: filename ? filename[1] : null,
                content_type: ct ? ct[1].trim() : null, body });
        }
        pos = next;
    }
    let json = {};
    const files = [];
    for (const p of parts) {
        if (p.name === 'payload_json') {
            try { json = JSON.parse(p.body.toString('utf8')); } catch { throw E.invalidJson(); }
        } else if (p.filename !== null) {
            files.push({ field: p.name, filename: p.filename, content_type: p.content_type, size: p.body.length });
        }
    }
    return { json, files };
}

// Decode a request body the way Discord accepts it. Returns {json, files}.
function decodeBody(req, buf) {
    if (buf.length === 0) return { json: undefined, files: [] };
    const ct = String(req.headers['content-type'] || '').toLowerCase();
    if (ct.startsWith('application/json')) {
        try { return { json: JSON.parse(buf.toString('utf8')), files: [] }; } catch { throw E.invalidJson(); }
    }
    if (ct.startsWith('multipart/form-data')) return parseMultipart(buf, req.headers['content-type']);
    if (ct.startsWith('application/x-www-form-urlencoded')) {
        const json = {};
        for (const [k, v] of new URLSearchParams(buf.toString('utf8'))) json[k] = v;
        return { json, files: [] };
    }
    throw E.invalidForm({ _errors: [{ code: 'CONTENT_TYPE_INVALID',
        message: 'Expected "Content-Type" header to be one of {\'application/json\', '
            + '\'application/x-www-form-urlencoded\', \'multipart/form-data\'}.' }] });
}

function sendJson(res, status, obj, headers = {}) {
    const body = Buffer.from(JSON.stringify(obj));
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
}

function sendEmpty(res, status, headers = {}) {
    res.writeHead(status, { ...headers, 'Content-Length': 0 });
    res.end();
}

module.exports = { ApiError, E, readBody, decodeBody, parseMultipart, sendJson, sendEmpty };
