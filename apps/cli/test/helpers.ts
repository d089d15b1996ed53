// Runs the CLI in-process with string buffers for its streams, in a fresh temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/main';

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** `axon ...argv`, its exit code and what it wrote to stdout and stderr. */
export async function axon(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const io = {
    out: { write: (text: string) => (out += text) },
    err: { write: (text: string) => (err += text) },
  };
  const code = await main(argv, io);
  return { code, out, err };
}

/** A new temporary folder, and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'axon-cli-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
