/**
 * Model files on disk (Node only). `node:fs/promises` is imported lazily inside save/load, so
 * the rest of the package, toBytes/fromBytes included, runs in browsers.
 */
import type { Module } from '../module';
import { fromBytes, type LoadedModel, ModelFileError, type ToBytesOptions, toBytes } from './format';

type Fs = typeof import('node:fs/promises');

async function nodeFs(path: string): Promise<Fs> {
  try {
    return await import('node:fs/promises');
  } catch (e) {
    throw new ModelFileError(path, 'save/load need Node.js (use toBytes/fromBytes in a browser)', {
      cause: e,
    });
  }
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}

/**
 * Writes `model` (and optional extras) to `path` atomically: the bytes go to
 * `<path>.tmp-<pid>-<random>`, which is flushed to disk and then renamed over `path`. A failure
 * (or a crash) part way leaves any earlier file at `path` as it was; the temporary file is
 * removed on failure.
 */
export async function save(model: Module, path: string, options?: ToBytesOptions): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = toBytes(model, options);
  } catch (e) {
    throw new ModelFileError(path, `cannot save the model: ${(e as Error).message}`, { cause: e });
  }
  const fs = await nodeFs(path);
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  const tmp = `${path}.tmp-${pid}-${randomSuffix()}`;
  try {
    const handle = await fs.open(tmp, 'wx');
    try {
      let written = 0;
      while (written < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.byteLength - written);
        written += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw new ModelFileError(path, `cannot save the model: ${(e as Error).message}`, { cause: e });
  }
  await syncDir(fs, path);
}

/** Flushes the rename to disk (best effort: not every platform can open a folder). */
async function syncDir(fs: Fs, path: string): Promise<void> {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dir = slash > 0 ? path.slice(0, slash) : slash === 0 ? '/' : '.';
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // the file itself is already synced and in place
  }
}

/** Reads a model file written by `save`; see fromBytes. Errors name `path`. */
export async function load(path: string): Promise<LoadedModel> {
  const fs = await nodeFs(path);
  let buf: Uint8Array;
  try {
    buf = await fs.readFile(path);
  } catch (e) {
    throw new ModelFileError(path, `cannot read the file: ${(e as Error).message}`, { cause: e });
  }
  return fromBytes(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}
