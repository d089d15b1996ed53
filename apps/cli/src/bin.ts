#!/usr/bin/env node
/**
 * The `axon` executable: runs main on the process's arguments and streams, and leaves with its
 * exit code (0 ok, 1 failure, 2 usage error). Output piped into a program that stops reading
 * (`axon info m.axon | head`) ends the run quietly, as a shell user expects, instead of an EPIPE.
 */
import { main } from './main';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await main(process.argv.slice(2));
