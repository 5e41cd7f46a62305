'use strict';
// Application command registration over REST: global and guild scope,
// bulk overwrite (PUT), list, create (an upsert by name), get, edit, delete,
// with Discord's validation and stable ids for commands kept by name.

const { E, ApiError } = require('./http');
const { validateCommandList, validateSingleCommand } = require('./validate');
const { IDS } = require('./snowflake');

class Commands {
    constructor({ store }) { this.store = store; }

    scope(params) {
        if (params.application_id !== IDS.application) throw E.missingAccess();
        if (params.guild_id !== undefined) {
            if (params.guild_id !== IDS.guild) throw E.missingAccess();
            return params.guild_id;
        }
        return 'global';
    }

    find(scope, id) {
        const c = this.store.commandList(scope).find((x) => x.id === id);
        if (!c) throw E.unknownCommand();
        return c;
    }

    routes() {
        const out = [];
        for (const base of ['/applications/:application_id/commands',
            '/applications/:application_id/guilds/:guild_id/commands']) {
            const major = (p) => p.guild_id || '';
            out.push(
                { method: 'GET', path: base, major, handler: (c) => ({ status: 200, body: this.store.commandList(this.scope(c.params)) }) },
                { method: 'PUT', path: base, major, handler: (c) => {
                    const scope = this.scope(c.params);
                    const v = validateCommandList(c.body);
                    if (v && v.errors) throw E.invalidForm(v.errors);
                    if (v && v.tooMany) throw E.maxCommands();
                    return { status: 200, body: this.store.setCommands(scope, c.body) };
                } },
                { method: 'POST', path: base, major, handler: (c) => {
                    const scope = this.scope(c.params);
                    const v = validateSingleCommand(c.body);
                    if (v) throw E.invalidForm(v.errors);
                    const list = this.store.commandList(scope);
                    const type = c.body.type || 1;
                    const exists = list.some((x) => x.name === c.body.name && x.type === type);
                    if (!exists && list.filter((x) => x.type === type).length >= (type === 1 ? 100 : 15)) throw E.maxCommands();
                    const { cmd, created } = this.store.upsertCommand(scope, c.body);
                    return { status: created ? 201 : 200, body: cmd };
                } },
                { method: 'GET', path: `${base}/:command_id`, major, handler: (c) => ({ status: 200, body: this.find(this.scope(c.params), c.params.command_id) }) },
                { method: 'PATCH', path: `${base}/:command_id`, major, handler: (c) => {
                    const scope = this.scope(c.params);
                    const cur = this.find(scope, c.params.command_id);
                    const merged = { ...cur, ...(c.body || {}) };
                    const v = validateSingleCommand(merged);
                    if (v) throw E.invalidForm(v.errors);
                    const clash = this.store.commandList(scope).find((x) => x.id !== cur.id && x.name === merged.name && x.type === merged.type);
                    if (clash) throw new ApiError(400, 50035, 'Invalid Form Body', { name: { _errors: [{ code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' }] } });
                    const list = this.store.commandList(scope).map((x) => (x.id === cur.id ? this.store.normalizeCommand(scope, merged, cur) : x));
                    this.store.commands.set(scope, list);
                    return { status: 200, body: list.find((x) => x.id === cur.id) };
                } },
                { method: 'DELETE', path: `${base}/:command_id`, major, handler: (c) => {
                    const scope = this.scope(c.params);
                    const cur = this.find(scope, c.params.command_id);
                    this.store.commands.set(scope, this.store.commandList(scope).filter((x) => x.id !== cur.id));
                    return { status: 204 };
                } },
            );
        }
        return out;
    }
}

module.exports = { Commands };
