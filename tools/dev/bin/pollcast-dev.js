#!/usr/bin/env node
// Runs from source: `npm start` and `npm test` must work on a fresh clone before anything is built.
'use strict';

// npm scripts run the Node that `npm ci` pinned (node_modules/.bin/node). Started another way on an older
// Node (`node tools/dev/bin/…` with Node 20 on PATH), stop with one line rather than a stack trace later.
// The floor is package.json's engines.node, a plain `>=X.Y.Z`, so the two cannot drift apart.
const { engines } = require('../../../package.json');
const floor = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(engines.node);
if (!floor) throw new Error(`package.json engines.node is not a plain ">=X.Y.Z": ${engines.node}`);
const current = process.versions.node.split('.').map(Number);
const minimum = floor.slice(1).map(Number);
const differsAt = minimum.findIndex((part, i) => current[i] !== part);
if (differsAt !== -1 && current[differsAt] < minimum[differsAt]) {
  // Through npm on a platform with no pinned Node package (see package.json optionalDependencies) the
  // Node on PATH runs; anywhere else, npm's scripts would have used the pinned one.
  const remedy = process.env.npm_lifecycle_event
    ? 'no pinned Node in node_modules/.bin (`npm ci` installs it on linux-x64 and linux-arm64): run `npm ci`, or install Node 24'
    : 'run it through npm (`npm start`, `npm test`), which uses the Node 24 `npm ci` installs, or install Node 24';
  process.stderr.write(
    `pollcast: Node ${process.version} (${process.execPath}) is below the supported ${engines.node}; ${remedy}\n`,
  );
  process.exit(1);
}

// kafkajs' request queue sets a negative timeout whenever nothing is throttled, and Node prints a
// TimeoutNegativeWarning for it (then waits 1 ms: harmless). Kept out of this tool's output, and out of
// what it starts (benches, Jest, the services, which also log warnings as JSON themselves).
const HARMLESS_WARNING = 'TimeoutNegativeWarning';
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --disable-warning=${HARMLESS_WARNING}`.trim();
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === HARMLESS_WARNING) return;
  const code = warning.code ? `[${warning.code}] ` : '';
  process.stderr.write(`(node:${process.pid}) ${code}${warning.name}: ${warning.message}\n`);
});

require('@swc-node/register');
require('../src/cli.ts');
