/**
 * Model files on disk (Node only). `node:fs/promises` is imported lazily inside save/load, so
 * the rest of the package, toBytes/fromBytes included, runs in browsers.
 */
import type { AnyModule, Module } from '../module';
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

function processId(): number {
  return (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
}

/** Temporary files this process is writing now (a concurrent save of the same target keeps its own). */
const inFlight = new Set<string>();

function splitPath(path: string): { dir: string; base: string } {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return {
    dir: slash > 0 ? path.slice(0, slash) : slash === 0 ? '/' : '.',
    base: path.slice(slash + 1),
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether process `pid` (on this machine) is still running. */
function isAlive(pid: number): boolean {
  const proc = (globalThis as { process?: { kill?: (pid: number, signal: number) => void } }).process;
  if (!proc?.kill) return true;
  try {
    proc.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes the temporary files an earlier save of `path` left behind when it was killed part way
 * (`kill -9`, a power cut): `<path>.tmp-<pid>-<random>` whose process is gone, or is this one but
 * no longer writing it. Files of another name, and those of a save still running in another
 * process, are left alone. Best effort: a file that cannot be listed or removed is skipped.
 */
async function sweepStaleTemps(fs: Fs, path: string): Promise<void> {
  const { dir, base } = splitPath(path);
  const pattern = new RegExp(`^${escapeRegExp(base)}\\.tmp-(\\d+)-[a-z0-9]+$`);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  const me = processId();
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const full = path.slice(0, path.length - base.length) + name; // as `save` spells its temp files
    const pid = Number(m[1]);
    const stale = pid === me ? !inFlight.has(full) : !isAlive(pid);
    if (stale) await fs.rm(full, { force: true }).catch(() => {});
  }
}

/**
 * Writes `model` (and optional extras) to `path` atomically: the bytes go to
 * `<path>.tmp-<pid>-<random>`, which is flushed to disk and then renamed over `path`. A failure
 * (or a crash) part way leaves any earlier file at `path` as it was; the temporary file is
 * removed on failure, and one left by a process that was killed while saving to `path` is
 * removed by the next save to `path`. The file ends with a CRC-32 of its contents, which `load`
 * checks.
 */
export async function save(model: AnyModule, path: string, options?: ToBytesOptions): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = toBytes(model, options);
  } catch (e) {
    throw new ModelFileError(path, `cannot save the model: ${(e as Error).message}`, { cause: e });
  }
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    throw new ModelFileError(path, `cannot save the model: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Writes `bytes` to `path` as `save` writes a model file (Node only): to
 * `<path>.tmp-<pid>-<random>`, flushed, then renamed over `path`, so a failure or a crash part way
 * leaves any earlier file at `path` as it was; the temporary file is removed on failure, and one
 * left by a killed process is removed by the next write to `path`. Other packages' files (ONNX,
 * safetensors) use it too. Throws the file system's error; callers name the file and the task.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await nodeFs(path);
  await sweepStaleTemps(fs, path);
  const tmp = `${path}.tmp-${processId()}-${randomSuffix()}`;
  inFlight.add(tmp);
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
    throw e;
  } finally {
    inFlight.delete(tmp);
  }
  await syncDir(fs, path);
}

/** Flushes the rename to disk (best effort: not every platform can open a folder). */
async function syncDir(fs: Fs, path: string): Promise<void> {
  const { dir } = splitPath(path);
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

/**
 * Reads a model file written by `save` and rebuilds the model: `const { model, extra } = await
 * load('model.axon')`. `model` is a new instance of the saved class (its layers' packages must be
 * imported), with the saved parameters and buffers; `extra` holds what was passed as
 * `options.extra` to `save`. The file is checked first (checksum, header, sizes; see fromBytes);
 * every error is a ModelFileError naming `path`. Pass the model's class as a type argument to get
 * it typed: `load<Sequential>(path)`.
 */
export async function load<M extends AnyModule = Module>(path: string): Promise<LoadedModel<M>> {
  const fs = await nodeFs(path);
  let buf: Uint8Array;
  try {
    buf = await fs.readFile(path);
  } catch (e) {
    throw new ModelFileError(path, `cannot read the file: ${(e as Error).message}`, { cause: e });
  }
  return fromBytes<M>(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}
