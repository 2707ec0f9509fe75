#!/usr/bin/env node
// The `taxgate` command. The sources are TypeScript; tsx compiles them in
// memory on load so the repository runs without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
