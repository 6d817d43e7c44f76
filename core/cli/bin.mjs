#!/usr/bin/env node
// The `vigil` command: loads the TypeScript CLI through tsx, so it runs the same from a clone and when installed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./vigil.ts');
process.exitCode = await main(process.argv.slice(2));
