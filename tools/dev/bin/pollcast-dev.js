#!/usr/bin/env node
// Runs from source: `npm start` and `npm test` must work on a fresh clone before anything is built.
require('@swc-node/register');
require('../src/cli.ts');
