'use strict';
// Require this before discord.js to make `require('zlib-sync')` fail, so that
// discord.js connects without transport compression (as on a machine where
// the optional native zlib-sync is not installed).
const Module = require('module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveWithoutZlibSync(request, ...rest) {
    if (request === 'zlib-sync') {
        const err = new Error("Cannot find module 'zlib-sync' (hidden by no-zlib-sync.js)");
        err.code = 'MODULE_NOT_FOUND';
        throw err;
    }
    return resolve.call(this, request, ...rest);
};
