'use strict';
// discord.js against the fake without transport compression (zlib-sync
// hidden before discord.js loads).
require('../testlib/no-zlib-sync');
require('../testlib/djs-scenarios').define('plain');
