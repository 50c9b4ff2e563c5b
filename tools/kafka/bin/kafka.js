#!/usr/bin/env node
// Runs from source: this tool must work before anything is built.
require('@swc-node/register');
require('../src/cli.ts');
