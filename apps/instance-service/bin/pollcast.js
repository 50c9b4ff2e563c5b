#!/usr/bin/env node
// Tenant administration CLI (org / user create). Runs the built CLI with the service's environment;
// build first with `npx nx run @pollcast/instance-service:build`.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'pollcast: apps/instance-service is not built; run `npx nx run @pollcast/instance-service:build`\n',
  );
  process.exit(1);
}
require(cli);
