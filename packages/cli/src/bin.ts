#!/usr/bin/env node
import { processIo, run } from './cli.js';

// exitCode rather than process.exit(), so output piped to another process is flushed first.
process.exitCode = await run(process.argv.slice(2), processIo());
