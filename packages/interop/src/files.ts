/**
 * Writing and reading whole files (Node only; `node:fs/promises` is imported lazily so the rest of
 * the package runs in browsers). A write is atomic, as @axon/layers' `save` is: the bytes go to a
 * temporary file beside the target, flushed, then renamed over it, so a crash part way leaves any
 * earlier file as it was.
 */
import { writeFileAtomic as writeAtomic } from '@axon/layers';
import { ValueError } from '@axon/tensor';

type Fs = typeof import('node:fs/promises');

async function nodeFs(fn: string): Promise<Fs> {
  try {
    return await import('node:fs/promises');
  } catch (e) {
    throw new ValueError(`${fn}: files need Node.js (use the functions on bytes in a browser)`, { cause: e });
  }
}

/**
 * Writes `bytes` to `path` atomically, with @axon/layers' `writeFileAtomic` (the one `save` uses);
 * an error names the function and the file.
 */
export async function writeFileAtomic(fn: string, path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeAtomic(path, bytes);
  } catch (e) {
    throw new ValueError(`${fn}: cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** The bytes of the file at `path`; an error names the function and the file. */
export async function readFileBytes(fn: string, path: string): Promise<Uint8Array> {
  const fs = await nodeFs(fn);
  try {
    const buf = await fs.readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new ValueError(`${fn}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}
