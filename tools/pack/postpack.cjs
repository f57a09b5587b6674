#!/usr/bin/env node
'use strict';
// Puts back the package.json that prepack.cjs replaced.
const { existsSync, renameSync } = require('node:fs');
const { join } = require('node:path');

const backup = join(process.cwd(), '.package.json.before-pack');
if (existsSync(backup)) renameSync(backup, join(process.cwd(), 'package.json'));
