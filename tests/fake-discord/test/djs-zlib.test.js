'use strict';
// discord.js against the fake with zlib-stream transport compression (the
// default when the optional zlib-sync addon is installed).
require('../testlib/djs-scenarios').define('zlib-stream');
