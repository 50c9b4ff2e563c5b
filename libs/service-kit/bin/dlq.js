#!/usr/bin/env node
// `npm run dlq -- <command>`: DLQ list / show / replay (libs/service-kit/src/kafka/dlq). Runs the built
// CLI when there is one, else from source (no build needed in a development checkout).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'kafka', 'dlq', 'dlq-cli.js');
let cli;
if (existsSync(built)) {
  cli = require(built);
} else {
  require('@swc-node/register');
  cli = require('../src/kafka/dlq/dlq-cli.ts');
}
cli.runDlqCli(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
