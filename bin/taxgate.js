#!/usr/bin/env -S node --max-semi-space-size=64
// The `taxgate` command. The sources are TypeScript; tsx compiles them in
// memory on load so the repository runs without a build step.
// A young generation of 64 MiB a semi-space (V8's default is 16 MiB): matching a page
// makes tens of megabytes of short-lived objects, which a small one promotes and
// collects again and again (docs/scaling.md §Node). The flag must be on the command
// line: V8 sizes its heap before any script runs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
