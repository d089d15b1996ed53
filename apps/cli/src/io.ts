/**
 * Where a command writes. The bin passes the process's streams; tests pass string buffers, so the
 * whole CLI runs in-process and its output can be read back. `out` is also fit's progress output:
 * a bar on a terminal, one line per epoch otherwise.
 */
import type { ProgressOutput } from '@axon/train';

export interface Io {
  /** Results and progress. */
  out: ProgressOutput;
  /** Errors and usage messages. */
  err: { write(text: string): unknown };
}

export function processIo(): Io {
  return { out: process.stdout, err: process.stderr };
}

/** Writes `text` and a newline. */
export function println(stream: { write(text: string): unknown }, text = ''): void {
  stream.write(`${text}\n`);
}
